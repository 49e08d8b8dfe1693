// Starts Vigil's server process: definitions, store, SLO engine, evaluation loop and HTTP API.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { vantagesOf } from '../config/kinds/vigil-config.js';
import { requireDefinitions } from '../config/load.js';
import { ConfigError, countErrors } from '../config/problems.js';
import { createFailoverController } from '../failover/controller.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { closeHttpServer } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import { notificationsFromConfig } from '../notify/notifications-from-config.js';
import { SloEngine } from '../slo/engine/engine.js';
import { longestPeriodMinutes } from '../slo/math/windows.js';
import { SloMonitor } from '../slo/monitor.js';
import { BucketStore } from '../store/bucket-store.js';
import { openDatabase } from '../store/database.js';
import { StoreRetention } from '../store/retention.js';
import { createApp } from './app.js';
import { Catalog } from './catalog.js';
import { startInProcessProbers } from './in-process-probers.js';
import { ServerMetrics } from './server-metrics.js';

export interface StartOptions {
  /** vigil.yaml; when absent, defaults apply and definitions are read from `root`. */
  configFile?: string | undefined;
  root?: string | undefined;
  dataDir?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  ingestToken?: string | undefined;
  /** `vigil up`: also run a prober per vantage region in this process (and spec.demo's stand-ins). */
  inProcessProbers?: boolean;
  clock?: Clock;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const configFile = options.configFile ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
  const root = options.root ?? (configFile ? path.dirname(path.resolve(configFile)) : process.cwd());
  const fromRoot = (p: string) => path.resolve(root, p);
  const { config, items } = await requireDefinitions(configFile ? [configFile] : [], { root });
  const { catalog, problems } = await Catalog.load(
    [fromRoot(config.definitions.slos), fromRoot(config.definitions.probes)],
    root,
    options.logger,
  );
  if (countErrors(problems) > 0) throw new ConfigError(problems.filter((p) => p.severity === 'error'));
  const metrics = new ServerMetrics();
  // spec.notify: ${NAME} references are expanded now, so an unset secret stops the start with file:line:col.
  const configDoc = items.find((i) => i.type === 'config')?.doc;
  const notifications = notificationsFromConfig(config.notify, {
    env: process.env,
    problemAt: (at, message) => configDoc?.problem(at, message) ?? { file: configFile ?? 'vigil.yaml', line: 1, col: 1, severity: 'error', message },
    clock: options.clock ?? systemClock,
    logger: options.logger,
    registry: metrics.registry,
  });

  const dataDir = options.dataDir ?? process.env.VIGIL_DATA_DIR ?? fromRoot(config.dataDir);
  const db = openDatabase(dataDir);
  const store = new BucketStore(db);
  const engine = new SloEngine({ store, definitions: catalog.snapshot().slos, logger: options.logger });
  const retention = new StoreRetention({
    store,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    retentionMs: config.retention,
    longestPeriodMinutes: () => Math.max(0, ...catalog.snapshot().slos.map(longestPeriodMinutes)),
  });
  retention.start();
  catalog.onChange((snapshot) => engine.setDefinitions(snapshot.slos));
  // Edits made once start-up returns are seen.
  await catalog.watch();
  const monitor = new SloMonitor({
    engine,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    intervalMs: config.engine.evaluationInterval,
  });
  // With spec.failover: a decision round after every evaluation; the reconcile of a change a crash left
  // pending runs first (not awaited: an unreachable provider must not keep the server from starting).
  const failover = createFailoverController({
    config,
    root,
    db,
    engine,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    notices: notifications,
  });
  if (failover) {
    void failover.start();
    monitor.onEvaluated(() => failover.afterEvaluation());
  }
  monitor.onEvaluated((_report, ms) => metrics.observeEvaluation(ms / 1000));
  monitor.start();
  const app = createApp({
    monitor,
    store,
    catalog,
    logger: options.logger,
    ingestToken: options.ingestToken ?? process.env.VIGIL_INGEST_TOKEN,
    metrics,
    failover,
  });

  const host = options.host ?? config.server.host;
  const server = app.listen(options.port ?? config.server.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger.info({ url, dataDir, slos: catalog.snapshot().slos.length }, 'vigil server listening');
  notifications.setServer(url);
  const probers = options.inProcessProbers
    ? await startInProcessProbers({
        vantages: vantagesOf(config),
        demoServices: config.demo?.services,
        catalog,
        store,
        metrics: metrics.probers,
        logger: options.logger,
      })
    : null;

  return {
    url,
    async close() {
      await probers?.close();
      monitor.stop();
      retention.stop();
      await failover?.close();
      await notifications.close();
      await catalog.close();
      await closeHttpServer(server);
      engine.close();
      db.close();
    },
  };
}
