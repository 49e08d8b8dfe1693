// `vigil probe`: run a prober agent for one vantage region until Ctrl-C / SIGTERM, or (--once) run every
// probe once and print the results.
import { createLogger } from '../lib/logger.js';
import { startAgent } from '../prober/agent.js';
import type { ProbeDefinition } from '../prober/model.js';
import { type OnceResult, probeOnce } from '../prober/once.js';
import { ProbeFeed } from '../prober/probe-feed.js';
import { readProbes } from '../prober/probe-folder.js';
import { toJson } from '../prober/result-json.js';
import type { ExitCode, Io } from './io.js';

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
}

export async function probeCommand(options: ProbeOptions, io: Io): Promise<ExitCode> {
  const token = options.token ?? process.env.VIGIL_INGEST_TOKEN;
  if (options.once) return once(options, token, io);
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
    logger,
  });
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
