#!/usr/bin/env node
// The `vigil` command line: one subcommand per file in this folder.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError, formatProblem } from '../config/problems.js';
import { registerDrill } from './drill.js';
import { registerExport } from './export.js';
import { registerFailover } from './failover.js';
import { registerImport } from './import.js';
import { type Cli, type ExitCode, type Io, processIo } from './io.js';
import { registerProbe } from './probe.js';
import { registerReport } from './report.js';
import { registerSimulate } from './simulate.js';
import { registerToken } from './token.js';
import { registerUp } from './up.js';
import { registerValidate } from './validate.js';

/** Each subcommand's file declares its command, options and help. */
const SUBCOMMANDS: ReadonlyArray<(program: Command, cli: Cli) => void> = [
  registerValidate,
  registerReport,
  registerSimulate,
  registerProbe,
  registerFailover,
  registerDrill,
  registerToken,
  registerUp,
  registerExport,
  registerImport,
];

export function buildProgram(io: Io, setExit: (code: ExitCode) => void): Command {
  const program = new Command('vigil')
    .description('Blackbox probing, SLO tracking and automated regional failover')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const register of SUBCOMMANDS) register(program, { io, setExit });
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code instead of exiting. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  let code: ExitCode = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
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
