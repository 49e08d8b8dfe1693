// Starts Vigil's server process, one part after another, each able to stop what it started:
//   1. configuration: vigil.yaml and the definitions it points at; who may call (refused here, before
//      anything opens, when an open server would listen beyond loopback);
//   2. the store, the SLO engine and its evaluation loop, retention, reloads on file changes;
//   3. the failover orchestrator, deciding after every evaluation;
//   4. the HTTP API and pages; then, for `vigil up`, the in-process probers.
// Everything reads one clock. A start that fails midway stops the parts already running.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type VigilConfig, vantagesOf } from '../config/kinds/vigil-config.js';
import { requireDefinitions } from '../config/load.js';
import { ConfigError, countErrors, type Problem } from '../config/problems.js';
import type { Path, YamlDocument } from '../config/yaml-document.js';
import type { StandIn } from '../demo/stand-ins.js';
import { createFailoverController } from '../failover/controller.js';
import { DrillRunner } from '../failover/drills/runner.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { closeHttpServer } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import { AlertWatch } from '../notify/alert-watch.js';
import { drillNotices } from '../notify/drill-notices.js';
import { notificationsFromConfig } from '../notify/notifications-from-config.js';
import { exporterFromConfig } from '../prober/exporters/schema.js';
import { budgetSpent } from '../slo/budget-spent.js';
import { SloEngine } from '../slo/engine/engine.js';
import { longestPeriodMinutes } from '../slo/math/windows.js';
import { SloMonitor } from '../slo/monitor.js';
import { SourcePuller } from '../slo/sources/puller.js';
import { sourcesFromConfig } from '../slo/sources/sources-from-config.js';
import { AlertStore } from '../store/alert-store.js';
import { AuditLog } from '../store/audit-log.js';
import { BucketStore } from '../store/bucket-store.js';
import { openDatabase } from '../store/database.js';
import { DrillStore } from '../store/drill-store.js';
import { StoreRetention } from '../store/retention.js';
import { SessionStore } from '../store/session-store.js';
import { SilenceStore } from '../store/silence-store.js';
import { SourceProgressStore } from '../store/source-progress-store.js';
import { createApp } from './app.js';
import { type Access, accessFromConfig, isLoopbackHost } from './auth/access.js';
import { Guard } from './auth/guard.js';
import { Sessions } from './auth/sessions.js';
import { UnknownTokenLimit } from './auth/unknown-token-limit.js';
import { Catalog } from './catalog.js';
import { startInProcessProbers } from './in-process-probers.js';
import { ProbeBoard } from './probe-board.js';
import { mountedRoutes } from './routes/mount.js';
import { ServerMetrics } from './server-metrics.js';

export interface StartOptions {
  /** vigil.yaml; when absent, defaults apply and definitions are read from `root`. */
  configFile?: string | undefined;
  root?: string | undefined;
  dataDir?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** The simple setup's one token (prober and imoc); default $VIGIL_INGEST_TOKEN. Ignored once spec.auth exists. */
  ingestToken?: string | undefined;
  /** `vigil up`: also run a prober per vantage region in this process (and spec.demo's stand-ins). */
  inProcessProbers?: boolean;
  /** Where `${NAME}` references in vigil.yaml are looked up (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  /** How callers are identified: tokens (spec.auth), ingest-token, or open (loopback only). */
  accessMode: Access['mode'];
  /** Every route the app answers, as "METHOD /path" (read back from Express, for the access tests). */
  routes: readonly string[];
  close(): Promise<void>;
}

/** The server would be reachable beyond this machine with nobody's identity checked: exit 2, nothing started. */
export class StartRefusedError extends Error {}

interface Configuration {
  config: VigilConfig;
  configFile: string | undefined;
  root: string;
  catalog: Catalog;
  /** A problem at a path of vigil.yaml, for settings only checkable at start (environment references). */
  problemAt: (at: Path, message: string) => Problem;
}

async function loadConfiguration(options: StartOptions): Promise<Configuration> {
  const configFile = options.configFile ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
  const root = options.root ?? (configFile ? path.dirname(path.resolve(configFile)) : process.cwd());
  const fromRoot = (p: string) => path.resolve(root, p);
  const { config, items } = await requireDefinitions(configFile ? [configFile] : [], { root });
  const { catalog, problems } = await Catalog.load([fromRoot(config.definitions.slos), fromRoot(config.definitions.probes)], root, options.logger);
  if (countErrors(problems) > 0) throw new ConfigError(problems.filter((p) => p.severity === 'error'));
  const configDoc: YamlDocument | undefined = items.find((i) => i.type === 'config')?.doc;
  const problemAt = (at: Path, message: string): Problem =>
    configDoc?.problem(at, message) ?? { file: configFile ?? 'vigil.yaml', line: 1, col: 1, severity: 'error', message };
  return { config, configFile, root, catalog, problemAt };
}

function decideAccess(configuration: Configuration, options: StartOptions, host: string): Access {
  const env = options.env ?? process.env;
  const ingestToken = options.ingestToken ?? env.VIGIL_INGEST_TOKEN;
  const access = accessFromConfig({ auth: configuration.config.auth, ingestToken, env, problemAt: configuration.problemAt });
  if (access.mode === 'open' && !isLoopbackHost(host)) {
    throw new StartRefusedError(
      `refusing to listen on ${host} without authentication: anyone who can reach it could move traffic. ` +
        'Configure spec.auth in vigil.yaml (identities and roles; vigil token new NAME --role ROLE makes a token) ' +
        'or set VIGIL_INGEST_TOKEN (one token for probers and the IMOC), or listen on 127.0.0.1.',
    );
  }
  const { logger } = options;
  if (access.mode === 'open') logger.warn('no authentication configured: anyone on this machine can read everything and move traffic (set spec.auth or VIGIL_INGEST_TOKEN)');
  if (access.mode === 'tokens' && ingestToken) logger.warn('VIGIL_INGEST_TOKEN is ignored: spec.auth lists who may call');
  logger.info({ mode: access.mode, identities: access.tokens.size }, 'access control');
  return access;
}

/** Runs stop functions in the reverse order of their starts. */
class Parts {
  private readonly stops: Array<() => void | Promise<void>> = [];

  add(stop: () => void | Promise<void>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const configuration = await loadConfiguration(options);
  const { config, root, catalog } = configuration;
  const host = options.host ?? config.server.host;
  const access = decideAccess(configuration, options, host);
  const parts = new Parts();
  try {
    return await startParts();
  } catch (error) {
    await parts.stopAll();
    throw error;
  }

  async function startParts(): Promise<RunningServer> {
    parts.add(() => catalog.close());
    const metrics = new ServerMetrics();
    // spec.notify: ${NAME} references are expanded now, so an unset secret stops the start with file:line:col.
    const notifications = notificationsFromConfig(config.notify, {
      env: options.env ?? process.env,
      problemAt: configuration.problemAt,
      clock,
      logger,
      registry: metrics.registry,
    });
    parts.add(() => notifications.close());

    const dataDir = options.dataDir ?? process.env.VIGIL_DATA_DIR ?? path.resolve(root, config.dataDir);
    const db = openDatabase(dataDir);
    parts.add(() => {
      db.close();
    });
    const store = new BucketStore(db);
    const engine = new SloEngine({ store, definitions: catalog.snapshot().slos, logger });
    parts.add(() => engine.close());
    const retention = new StoreRetention({
      store,
      clock,
      logger,
      retentionMs: config.retention,
      longestPeriodMinutes: () => Math.max(0, ...catalog.snapshot().slos.map(longestPeriodMinutes)),
    });
    retention.start();
    parts.add(() => retention.stop());
    catalog.onChange((snapshot) => engine.setDefinitions(snapshot.slos));
    // spec.sources: ratio SLOs' counts pulled (and backfilled) into the store beside evaluation, never in its way.
    const puller = new SourcePuller({
      store,
      progress: new SourceProgressStore(db),
      sources: sourcesFromConfig(config.sources, { env: options.env ?? process.env, problemAt: configuration.problemAt, clock, logger }),
      definitions: catalog.snapshot().slos,
      clock,
      logger,
      intervalMs: config.engine.evaluationInterval,
      registry: metrics.registry,
    });
    parts.add(() => puller.close());
    catalog.onChange((snapshot) => puller.setDefinitions(snapshot.slos));
    puller.start();
    // Edits made once start-up returns are seen.
    await catalog.watch();
    const monitor = new SloMonitor({ engine, clock, logger, intervalMs: config.engine.evaluationInterval });
    const silences = new SilenceStore(db);
    // SLO alerts firing and resolving reach the notifiers that route them (squads, severities).
    const alerts = new AlertStore(db);
    const drillRuns = new DrillStore(db);
    const alertWatch = new AlertWatch({
      store: alerts,
      notices: notifications,
      silences: (at) => silences.active(at),
      runbookOf: (slo) => catalog.snapshot().slos.find((s) => s.name === slo)?.runbook ?? null,
    });
    monitor.onEvaluated((report) => alertWatch.afterEvaluation(report));

    // With spec.failover: a decision round after every evaluation; the reconcile of a change a crash left
    // pending runs first (not awaited: an unreachable provider must not keep the server from starting).
    const failover = createFailoverController({ config, root, db, engine, clock, logger, notices: notifications });
    if (failover) {
      parts.add(() => failover.close());
      void failover.start();
    }
    // Drills: after each round, so a drill sees the weights that round set.
    const drills =
      failover && config.failover && config.drills.length > 0
        ? new DrillRunner({
            drills: config.drills,
            blackouts: config.drillBlackouts,
            policy: { regions: config.regions, failover: config.failover },
            failover,
            store: drillRuns,
            audit: new AuditLog(db),
            clock,
            logger,
            report: () => monitor.latest(),
            budgetSpent: (from, to) => budgetSpent(store, catalog.snapshot().slos, monitor.latest(), from, to),
            onChange: (run, previous) => {
              const runbook = config.drills.find((d) => d.name === run.drill)?.runbook ?? null;
              notifications.announce(drillNotices(run, previous, runbook, clock.now()));
            },
          })
        : null;
    if (failover) {
      monitor.onEvaluated(() => {
        void failover.afterEvaluation().then(() => drills?.tick());
      });
    }
    monitor.onEvaluated((_report, ms) => metrics.observeEvaluation(ms / 1000));
    monitor.start();
    // New definitions are reported at once, not at the next interval.
    catalog.onChange(() => {
      try {
        monitor.tick();
      } catch (error) {
        logger.error({ err: error }, 'SLO evaluation after a reload failed');
      }
    });
    parts.add(() => monitor.stop());

    let standIns: readonly StandIn[] = [];
    const board = new ProbeBoard();
    const { unknownTokenLimit } = config.server;
    const sessions = new Sessions({ store: new SessionStore(db), clock, ttlMs: access.sessionTtlMs });
    const app = createApp({
      monitor,
      store,
      catalog,
      guard: new Guard({ access, sessions, limit: new UnknownTokenLimit(unknownTokenLimit.count, unknownTokenLimit.per) }),
      sessions,
      silences,
      audit: new AuditLog(db),
      clock,
      logger,
      metrics,
      failover,
      drills,
      standIns: () => standIns,
      board,
      alerts,
      drillRuns,
      root,
      regions: config.regions,
      sourceStatus: (slo) => puller.status(slo),
    });
    const server = app.listen(options.port ?? config.server.port, host);
    parts.add(() => closeHttpServer(server));
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const bound = server.address() as AddressInfo;
    // A name that resolved beyond loopback is caught here, before anyone is answered.
    if (access.mode === 'open' && !isLoopbackHost(bound.address)) {
      throw new StartRefusedError(`refusing to serve on ${bound.address} (from --host ${host}) without authentication: configure spec.auth or VIGIL_INGEST_TOKEN`);
    }
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
    logger.info({ url, dataDir, slos: catalog.snapshot().slos.length }, 'vigil server listening');
    notifications.setServer(url);

    if (options.inProcessProbers) {
      const exportConfig = config.export['cloud-monitoring'];
      const exporter = exportConfig ? exporterFromConfig(exportConfig, { registry: metrics.registry, logger }) : null;
      // The exporter's last write carries what the probers produced: it closes after them.
      if (exporter) {
        parts.add(async () => {
          await exporter.close();
        });
      }
      const probers = await startInProcessProbers({
        exporter,
        vantages: vantagesOf(config),
        demoServices: config.demo?.services,
        catalog,
        store,
        metrics: metrics.probers,
        logger,
        onResults: (results) => board.record(results),
      });
      // Probers commit into the store: they stop before it closes.
      parts.add(() => probers.close());
      standIns = probers.standIns;
    }
    return { url, accessMode: access.mode, routes: mountedRoutes(app), close: () => parts.stopAll() };
  }
}
