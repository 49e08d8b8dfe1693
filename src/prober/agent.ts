// `vigil probe`: a prober agent for one vantage region. Definitions come from the server (pulled and
// re-polled) or from a local folder (watched); results go to the server's ingest API through a bounded
// on-disk spool; /metrics and /healthz are served on their own port.
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MonitoringEmulator } from '../lib/cloud-monitoring-client.js';
import type { Logger } from '../lib/logger.js';
import { CloudMonitoringExporter } from './exporters/cloud-monitoring.js';
import { collectGarbageNow } from './heap.js';
import { ProberMetrics } from './metrics.js';
import { type RunningMetricsServer, serveMetrics } from './metrics-server.js';
import type { ProbeDefinition } from './model.js';
import { ProbeFeed } from './probe-feed.js';
import { ProbeFolder } from './probe-folder.js';
import { httpSink } from './sinks.js';
import { Spool } from './spool.js';
import { type ProberTally, VantageProber } from './vantage-prober.js';

export const DEFAULT_METRICS_PORT = 9465;

export interface AgentOptions {
  region: string;
  /** Base URL of the Vigil server: where results go and, without `probesDir`, where definitions come from. */
  server?: string | undefined;
  token?: string | undefined;
  /** Read definitions from this folder (watched) instead of pulling them from the server. */
  probesDir?: string | undefined;
  /** Holds the spool file (and the last pulled definitions). */
  spoolDir: string;
  /** Bound on the spool (default 64 MiB). */
  spoolMaxBytes?: number;
  metricsHost: string;
  metricsPort: number;
  /** Time between definition pulls (default 30 s). */
  pollMs?: number;
  /** A batch is sealed at most this long after its first result (default 2 s). */
  batchAgeMs?: number;
  /** Also export results to Cloud Monitoring as custom metrics (custom.googleapis.com/vigil/probe/…). */
  exportCloudMonitoring?: { project: string; emulator?: MonitoringEmulator | undefined; flushIntervalMs?: number } | undefined;
  logger: Logger;
  /** Hears the probe rate (attempts a second) whenever definitions are applied: `vigil probe` sizes its heap to it. */
  onProbeRate?: (probesPerSecond: number) => void;
}

export interface RunningAgent {
  metricsUrl: string;
  prober: VantageProber;
  /** Stops probing, ships or spools what is left (for up to `graceMs`), and says what was done. */
  close(graceMs?: number): Promise<ProberTally>;
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger, region, server } = options;
  if (!server && !options.probesDir) throw new Error('give --server URL (to pull definitions and ship results) or --probes DIR');
  // Invalid local definitions refuse to start before anything is opened.
  const folder = options.probesDir ? await ProbeFolder.load(options.probesDir, logger) : null;

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new ProberMetrics(registry);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    let prober: VantageProber | null = null;
    const metricsServer: RunningMetricsServer = await serveMetrics({
      exposition: () => metrics.exposition(),
      host: options.metricsHost,
      port: options.metricsPort,
      health: () => ({ vantage: region, targets: prober?.targets().length ?? 0, ...(prober ? { tally: prober.summary() } : {}) }),
    }).catch((error: unknown) => {
      throw new Error(`cannot serve /metrics on ${options.metricsHost}:${options.metricsPort}: ${error instanceof Error ? error.message : String(error)}`);
    });
    cleanups.push(() => metricsServer.close());

    const spool = server
      ? await Spool.open({ path: path.join(options.spoolDir, 'spool.jsonl'), maxBytes: options.spoolMaxBytes, logger })
      : null;
    if (spool) cleanups.push(() => spool.close());
    if (!server) logger.warn({ vantage: region }, 'no --server: results are only exposed in /metrics');
    const exporter = options.exportCloudMonitoring ? new CloudMonitoringExporter({ ...options.exportCloudMonitoring, registry, logger }) : null;
    if (exporter) cleanups.push(() => exporter.close());
    const running = new VantageProber({
      vantage: region,
      sink: server ? httpSink({ server, token: options.token }) : null,
      spool,
      metrics,
      logger,
      batchAgeMs: options.batchAgeMs,
      exporter,
    });
    prober = running;
    cleanups.push(() => running.close(0));

    const apply = (definitions: ProbeDefinition[]): void => {
      // What reading the definitions left behind goes before the targets are built, not seconds into probing
      // on top of them.
      collectGarbageNow();
      running.setProbes(definitions);
      options.onProbeRate?.(running.probesPerSecond());
    };
    let feed: ProbeFeed | null = null;
    if (folder) {
      apply(folder.definitions());
      await folder.watch(apply);
    } else if (server) {
      feed = new ProbeFeed({
        server,
        vantage: region,
        token: options.token,
        pollMs: options.pollMs,
        cacheFile: path.join(options.spoolDir, 'probes.json'),
        logger,
      });
      apply(await feed.start(apply));
    }
    const spooled = running.summary().spooledBatches;
    logger.info({ vantage: region, targets: running.targets().length, metrics: metricsServer.url, spooled }, 'probe agent started');
    return {
      metricsUrl: metricsServer.url,
      prober: running,
      async close(graceMs = 5000) {
        await folder?.close();
        feed?.close();
        const tally = await running.close(graceMs);
        await exporter?.close();
        await metricsServer.close();
        logger.info({ vantage: region, ...tally }, 'probe agent stopped');
        return tally;
      },
    };
  } catch (error) {
    await folder?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
