#!/usr/bin/env node
// The `vigil` command line: one subcommand per file in this folder.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError, formatProblem } from '../config/problems.js';
import { type Cli, type ExitCode, type Io, processIo } from './io.js';

type Register = (program: Command, cli: Cli) => void;

/**
 * Each subcommand's file declares its command, options and help, keyed by the names it declares. A file
 * is loaded only when it may be needed: `vigil probe` (a long-running agent on every vantage) would
 * otherwise hold the server, the store and the Google Cloud clients in memory it never uses (measured:
 * 135 MiB resident after loading every subcommand, against 39 MiB for Node alone).
 */
const SUBCOMMANDS: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register>]> = [
  [['validate'], async () => (await import('./validate.js')).registerValidate],
  [['report'], async () => (await import('./report.js')).registerReport],
  [['simulate'], async () => (await import('./simulate.js')).registerSimulate],
  [
    ['probe'],
    async () => {
      // Before the agent's modules load: loading them alone grows the young generation to its maximum.
      (await import('../prober/heap.js')).heldNewSpace();
      return (await import('./probe.js')).registerProbe;
    },
  ],
  [['failover'], async () => (await import('./failover.js')).registerFailover],
  [['drill'], async () => (await import('./drill.js')).registerDrill],
  [['token'], async () => (await import('./token.js')).registerToken],
  [['up', 'serve'], async () => (await import('./up.js')).registerUp],
  [['export'], async () => (await import('./export.js')).registerExport],
  [['import'], async () => (await import('./import.js')).registerImport],
];

/**
 * The program with the subcommand `argv` names, or with every subcommand when it names none (help,
 * `--version`, a typo: commander then lists them all or suggests the nearest).
 */
export async function buildProgram(argv: readonly string[], io: Io, setExit: (code: ExitCode) => void): Promise<Command> {
  const program = new Command('vigil')
    .description('Blackbox probing, SLO tracking and automated regional failover')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const named = SUBCOMMANDS.find(([names]) => names.includes(argv[0] ?? ''));
  const registers = await Promise.all((named ? [named] : SUBCOMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program, { io, setExit });
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code instead of exiting. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  let code: ExitCode = 0;
  try {
    const program = await buildProgram(argv, io, (c) => {
      code = c;
    });
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(`${formatProblem(problem)}\n`);
      return 1;
    }
    io.err(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await run(process.argv.slice(2));
}
