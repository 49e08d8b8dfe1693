// `vigil probe`: run a prober agent for one vantage region until Ctrl-C / SIGTERM, or (--once) run every
// probe once and print the results.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { GCP_PROJECT_ID } from '../lib/cloud-monitoring-client.js';
import { parseDuration } from '../lib/duration.js';
import { createLogger } from '../lib/logger.js';
import { startAgent } from '../prober/agent.js';
import {
  baselineWasmOnly,
  heapGrowthFor,
  heldNewSpace,
  limitHeapGrowth,
  MAX_HEAP_GROWTH_PERCENT,
  newSpaceMibFor,
  PROBER_HEAP_GROWTH_PERCENT,
} from '../prober/heap.js';
import { parseByteSize } from '../prober/kinds/schema-fields.js';
import type { ProbeDefinition } from '../prober/model.js';
import { type OnceResult, probeOnce } from '../prober/once.js';
import { ProbeFeed } from '../prober/probe-feed.js';
import { readProbes } from '../prober/probe-folder.js';
import { toJson } from '../prober/result-json.js';
import type { Cli, ExitCode, Io } from './io.js';
import { port } from './options.js';

export const PROBE_FORMATS = ['json', 'table'] as const;

export interface ProbeOptions {
  region: string;
  server?: string;
  token?: string;
  probes?: string;
  once?: boolean;
  format: (typeof PROBE_FORMATS)[number];
  spoolDir?: string;
  spoolMaxBytes: number;
  metricsHost: string;
  metricsPort: number;
  pollInterval: number;
  exportCloudMonitoring?: string;
  exportCloudMonitoringEmulator?: { host: string; port: number };
  exportInterval: number;
  /** Absent: sized to the probe rate (heapGrowthFor). */
  heapGrowth?: number;
}

export async function probeCommand(options: ProbeOptions, io: Io): Promise<ExitCode> {
  const token = options.token ?? process.env.VIGIL_PROBER_TOKEN ?? process.env.VIGIL_INGEST_TOKEN;
  if (options.once) {
    heldNewSpace().close();
    return once(options, token, io);
  }
  limitHeapGrowth(options.heapGrowth ?? PROBER_HEAP_GROWTH_PERCENT);
  baselineWasmOnly();
  const logger = createLogger();
  const agent = await startAgent({
    region: options.region,
    server: options.server,
    token,
    probesDir: options.probes,
    spoolDir: options.spoolDir ?? `data/spool-${options.region}`,
    spoolMaxBytes: options.spoolMaxBytes,
    metricsHost: options.metricsHost,
    metricsPort: options.metricsPort,
    pollMs: options.pollInterval,
    exportCloudMonitoring: options.exportCloudMonitoring
      ? { project: options.exportCloudMonitoring, emulator: options.exportCloudMonitoringEmulator, flushIntervalMs: options.exportInterval }
      : undefined,
    logger,
    onProbeRate: (rate) => {
      // Before watch(): the space has not grown yet, so a smaller cap costs nothing to apply.
      heldNewSpace().resize(newSpaceMibFor(rate));
      if (options.heapGrowth === undefined) limitHeapGrowth(heapGrowthFor(rate));
    },
  });
  heldNewSpace().watch();
  io.out(`Vigil probe agent ${options.region}: metrics at ${agent.metricsUrl}/metrics\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: shipping what is left');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await agent.close();
  logger.flush();
  return 0;
}

async function once(options: ProbeOptions, token: string | undefined, io: Io): Promise<ExitCode> {
  let definitions: ProbeDefinition[];
  if (options.probes) definitions = await readProbes(options.probes);
  else if (options.server) {
    const feed = new ProbeFeed({ server: options.server, vantage: options.region, token, logger: createLogger({ level: 'silent' }) });
    const pulled = await feed.pull();
    if (pulled.kind !== 'updated') {
      io.err(`vigil: cannot pull probe definitions from ${options.server}: ${pulled.kind === 'failed' ? pulled.message : 'no answer'}\n`);
      return 1;
    }
    definitions = pulled.definitions;
  } else {
    io.err('vigil: give --probes DIR (or --server URL to pull the definitions)\n');
    return 2;
  }
  const results = await probeOnce(definitions, { vantage: options.region });
  if (options.format === 'json') {
    for (const { result } of results) io.out(`${JSON.stringify(toJson(result))}\n`);
  } else io.out(table(results, options.region));
  return 0;
}

function table(results: readonly OnceResult[], vantage: string): string {
  if (results.length === 0) return `no probe runs from ${vantage}\n`;
  const rows = [
    ['PROBE', 'TARGET', 'REGION', 'RESULT', 'LATENCY', 'STATUS', 'DETAIL'],
    ...results.map(({ result, detail }) => [
      result.probe,
      result.target,
      result.targetRegion,
      result.ok ? 'ok' : (result.failure ?? 'failed'),
      result.latencyMs < 1000 ? `${result.latencyMs.toFixed(1)}ms` : `${(result.latencyMs / 1000).toFixed(2)}s`,
      result.status === null ? '-' : String(result.status),
      detail ?? '',
    ]),
  ];
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd());
  const failed = results.filter((r) => !r.result.ok).length;
  return `${lines.join('\n')}\n${results.length} results from ${vantage}, ${failed} failed\n`;
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

function exportInterval(value: string): number {
  const ms = pollInterval(value);
  if (ms < 5_000) throw new InvalidArgumentError('must be at least 5s (Cloud Monitoring takes one point per series per 5 s)');
  return ms;
}

function heapGrowth(value: string): number {
  const percent = Number(value);
  if (!/^\d+$/.test(value) || percent > MAX_HEAP_GROWTH_PERCENT) {
    throw new InvalidArgumentError(`must be a whole percent from 0 to ${MAX_HEAP_GROWTH_PERCENT} (0: V8 decides)`);
  }
  return percent;
}

function projectId(value: string): string {
  if (!GCP_PROJECT_ID.test(value)) throw new InvalidArgumentError('must be a Google Cloud project ID, e.g. my-project');
  return value;
}

function hostPort(value: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  const portNumber = Number(match?.[2]);
  if (!match?.[1] || portNumber < 1 || portNumber > 65_535) throw new InvalidArgumentError('must be host:port, e.g. 127.0.0.1:8085');
  return { host: match[1], port: portNumber };
}

export function registerProbe(program: Command, { io, setExit }: Cli): void {
  program
    .command('probe')
    .description('run a prober agent for one vantage region, or (--once) every probe once')
    .requiredOption('--region <region>', 'the vantage region this agent probes from')
    .option('--server <url>', 'Vigil server: results go there; definitions come from there unless --probes')
    .option('--token <token>', 'bearer token of a prober identity (default: $VIGIL_PROBER_TOKEN, else $VIGIL_INGEST_TOKEN)')
    .option('--probes <dir>', 'read probe definitions from this folder (watched) instead of the server')
    .option('--once', 'run every probe that runs from --region once, print the results and exit')
    .addOption(new Option('--format <format>', 'output of --once').choices(PROBE_FORMATS).default('table'))
    .option('--spool-dir <dir>', 'where unshipped results wait (default: ./data/spool-<region>)')
    .option('--spool-max-bytes <size>', 'the spool drops its oldest batches past this size, e.g. 64MiB', byteSizeOption, 64 * 1024 ** 2)
    .option('--metrics-host <host>', 'listen address of /metrics and /healthz', '127.0.0.1')
    .option('--metrics-port <port>', 'listen port of /metrics and /healthz, 0 for any free one', port, 9465)
    .option('--poll-interval <duration>', 'how often to pull definitions from the server', pollInterval, 30_000)
    .option('--export-cloud-monitoring <project>', 'also export results to Cloud Monitoring custom metrics in this project (Application Default Credentials)', projectId)
    .option('--export-interval <duration>', 'time between Cloud Monitoring writes, at least 5s', exportInterval, 60_000)
    .option('--export-cloud-monitoring-emulator <host:port>', 'tests and emulators only: a plain-text local Monitoring API, no credentials sent', hostPort)
    .option(
      '--heap-growth <percent>',
      `how far the heap may grow past what is live before a full collection (like GOGC); lower trades CPU for memory, 0 lets V8 decide (default: ${heapGrowthFor(0)} up to 1,000 probes a second, ${heapGrowthFor(Number.POSITIVE_INFINITY)} above)`,
      heapGrowth,
    )
    .action(async (opts: ProbeOptions) => {
      setExit(await probeCommand(opts, io));
    });
}
