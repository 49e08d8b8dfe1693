#!/usr/bin/env node
// The `vigil` command line: one subcommand per file in this folder.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, formatProblem } from '../config/problems.js';
import { parseDuration } from '../lib/duration.js';
import { parseByteSize } from '../prober/kinds/schema-fields.js';
import { REPORT_FORMATS, type ReportFormat } from '../slo/report-format.js';
import { registerFailoverCommands } from './failover.js';
import { type ExitCode, type Io, processIo } from './io.js';
import { PROBE_FORMATS, type ProbeOptions, probeCommand } from './probe.js';
import { reportCommand } from './report.js';
import { simulateCommand } from './simulate.js';
import { upCommand } from './up.js';
import { validateCommand } from './validate.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

function byteSizeOption(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === null || bytes < 1024 ** 2) throw new InvalidArgumentError('must be a size of at least 1MiB, e.g. 64MiB or 1GiB');
  return bytes;
}

function pollInterval(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : 'not a duration');
  }
  if (ms < 100) throw new InvalidArgumentError('must be at least 100ms');
  return ms;
}

export function buildProgram(io: Io, setExit: (code: ExitCode) => void): Command {
  const program = new Command('vigil')
    .description('Blackbox probing, SLO tracking and automated regional failover')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('validate')
    .description('check SLO, probe and config YAML; print file:line:col: message per problem')
    .argument('[paths...]', 'files or folders (default: slo-definitions/ probes/ runbooks/ and vigil.yaml)')
    .option('--root <dir>', 'directory runbook paths are relative to', process.cwd())
    .option('--strict', 'fail on warnings too')
    .action(async (paths: string[], opts: { root: string; strict?: boolean }) => {
      setExit(await validateCommand(paths, opts, io));
    });

  program
    .command('report')
    .description('compute every SLO at one instant from an events file')
    .requiredOption('--events <file>', 'JSON Lines: {"slo","ts","good","total","region"?} per line')
    .option('--definitions <dir>', 'SLO definitions', 'slo-definitions')
    .option('--at <iso8601>', 'evaluation time (default: now)')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('--root <dir>', 'directory runbook paths are relative to', process.cwd())
    .action(async (opts: { events: string; definitions: string; at?: string; format: ReportFormat; root: string }) => {
      setExit(await reportCommand(opts, io, Date.now));
    });

  program
    .command('simulate')
    .description('replay a synthetic incident in virtual time through the engine and the failover policy')
    .argument('<scenario>', 'a kind: Scenario YAML file')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table'] as const).default('table'))
    .action(async (scenario: string, opts: { format: 'json' | 'table' }) => {
      setExit(await simulateCommand(scenario, opts, io));
    });

  program
    .command('probe')
    .description('run a prober agent for one vantage region, or (--once) every probe once')
    .requiredOption('--region <region>', 'the vantage region this agent probes from')
    .option('--server <url>', 'Vigil server: results go there; definitions come from there unless --probes')
    .option('--token <token>', 'bearer token for the server (default: $VIGIL_INGEST_TOKEN)')
    .option('--probes <dir>', 'read probe definitions from this folder (watched) instead of the server')
    .option('--once', 'run every probe that runs from --region once, print the results and exit')
    .addOption(new Option('--format <format>', 'output of --once').choices(PROBE_FORMATS).default('table'))
    .option('--spool-dir <dir>', 'where unshipped results wait (default: ./data/spool-<region>)')
    .option('--spool-max-bytes <size>', 'the spool drops its oldest batches past this size, e.g. 64MiB', byteSizeOption, 64 * 1024 ** 2)
    .option('--metrics-host <host>', 'listen address of /metrics and /healthz', '127.0.0.1')
    .option('--metrics-port <port>', 'listen port of /metrics and /healthz, 0 for any free one', port, 9465)
    .option('--poll-interval <duration>', 'how often to pull definitions from the server', pollInterval, 30_000)
    .action(async (opts: ProbeOptions) => {
      setExit(await probeCommand(opts, io));
    });

  registerFailoverCommands(
    program.command('failover').description('IMOC: status, drain, restore, pause, resume and audit of regional failover on a running server'),
    io,
    setExit,
  );

  for (const name of ['up', 'serve']) {
    program
      .command(name)
      .description(name === 'up' ? 'run Vigil on this machine (npm start)' : 'run the central server')
      .option('--config <file>', 'vigil.yaml (default: ./vigil.yaml when present)')
      .option('--data-dir <dir>', 'where the store lives (default: spec.dataDir, ./data)')
      .option('--host <host>', 'listen address (default: spec.server.host, 127.0.0.1)')
      .option('--port <port>', 'listen port, 0 for any free one (default: spec.server.port, 8080)', port)
      .action(async (opts: { config?: string; dataDir?: string; host?: string; port?: number }) => {
        setExit(await upCommand({ ...opts, singleMachine: name === 'up' }, io));
      });
  }
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
