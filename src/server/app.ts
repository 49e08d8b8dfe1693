// The HTTP server: the routes of routes/table.ts (JSON API under /api/v1, the pages, /healthz, /metrics),
// each behind the guard, with security headers on every answer and no caching of anything but assets.
// One error middleware turns every failure into a JSON error (or, on a page, an HTML one).
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import type { StandIn } from '../demo/stand-ins.js';
import type { FailoverController } from '../failover/controller.js';
import type { DrillRunner } from '../failover/drills/runner.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SloMonitor } from '../slo/monitor.js';
import { withSilences } from '../slo/silences.js';
import type { SloSourceStatus } from '../slo/sources/puller.js';
import type { AlertStore } from '../store/alert-store.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BucketStore } from '../store/bucket-store.js';
import type { DrillStore } from '../store/drill-store.js';
import type { SilenceStore } from '../store/silence-store.js';
import type { Caller, Guard } from './auth/guard.js';
import type { Sessions } from './auth/sessions.js';
import type { Catalog } from './catalog.js';
import { HttpError, MethodNotAllowedError, MissingCredentialsError, NotFoundError, TooManyRequestsError } from './errors.js';
import { assetNamed } from './pages/assets.js';
import { escapeHtml } from './pages/html.js';
import { renderPage } from './pages/layout.js';
import { renderForbidden, renderSignIn } from './pages/sign-in.js';
import type { ProbeBoard } from './probe-board.js';
import { adminHandlers } from './routes/admin.js';
import { drillHandlers } from './routes/drills.js';
import { eventHandlers } from './routes/events.js';
import { failoverHandlers } from './routes/failover.js';
import { mountRoutes, PAGE_LOCAL, type RouteHandlers } from './routes/mount.js';
import { openApiHandlers } from './routes/openapi.js';
import { pageHandlers, viewerOf } from './routes/pages.js';
import { pathParam } from './routes/parse.js';
import { probeHandlers } from './routes/probes.js';
import { reportHandlers } from './routes/reports.js';
import { resultHandlers } from './routes/results.js';
import { sessionHandlers } from './routes/session.js';
import { silenceHandlers } from './routes/silences.js';
import { sloHandlers } from './routes/slos.js';
import { Runbooks } from './runbooks.js';
import type { ServerMetrics } from './server-metrics.js';
import { Views } from './views.js';

export interface AppOptions {
  monitor: SloMonitor;
  store: BucketStore;
  catalog: Catalog;
  guard: Guard;
  sessions: Sessions;
  silences: SilenceStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  metrics: ServerMetrics;
  /** The failover orchestrator, when vigil.yaml has spec.failover. */
  failover: FailoverController | null;
  /** The drill runner, when vigil.yaml has spec.drills. */
  drills: DrillRunner | null;
  /** `vigil up`'s demo stand-ins, once started. */
  standIns: () => readonly StandIn[];
  /** Recent probe results, for the probes page. */
  board: ProbeBoard;
  alerts: AlertStore;
  drillRuns: DrillStore;
  /** Where vigil.yaml is: runbooks/ is read from here. */
  root: string;
  /** The configured regions and their full weights. */
  regions: Readonly<Record<string, { weight: number }>>;
  /** How a ratio SLO's metric source is doing (last error, how far it is read), when spec.sources pulls it. */
  sourceStatus?: (slo: string) => SloSourceStatus | null;
}

const REFUSALS = new Set([401, 403, 429]);

const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
});

function handlers(options: AppOptions): RouteHandlers {
  const { monitor, store, catalog, clock } = options;
  const knownSlos = () => new Set(catalog.snapshot().slos.map((s) => s.name));
  const silenced = (report: Parameters<typeof withSilences>[0]) => withSilences(report, options.silences.active(clock.now()));
  const runbooks = new Runbooks(options.root);
  const events = { alerts: options.alerts, audit: options.audit, drillRuns: options.drillRuns };
  const sourceStatus = options.sourceStatus ?? (() => null);
  const views = new Views({ ...events, monitor, store, catalog, clock, board: options.board, runbooks, root: options.root, failover: options.failover, drills: options.drills, regions: options.regions, silenced, sourceStatus });
  return {
    'GET /healthz': (_req, res) => {
      res.json({ status: 'ok' });
    },
    'GET /assets/:file': (req, res) => {
      const name = pathParam(req, 'file');
      const asset = assetNamed(name);
      if (!asset) throw new NotFoundError(`no asset named "${name}"`);
      res.set('cache-control', 'no-cache').type(asset.type).send(asset.body);
    },
    'GET /metrics': (_req, res) => options.metrics.send(res),
    ...pageHandlers(views, runbooks, options.drills, () => clock.now()),
    ...openApiHandlers(),
    ...sessionHandlers(options.guard, options.sessions),
    ...sloHandlers({ monitor, silenced, views, store, events, clock, sourceStatus }),
    ...reportHandlers(views, clock),
    ...probeHandlers(catalog, () => views.probeSummary()),
    ...resultHandlers(store, () => catalog.snapshot().probeIndex, options.board),
    ...eventHandlers(store, knownSlos),
    ...failoverHandlers(options.failover),
    ...drillHandlers(options.drills),
    ...silenceHandlers({ store: options.silences, slos: () => catalog.snapshot().slos, clock }),
    ...adminHandlers({ catalog, audit: options.audit, clock, standIns: options.standIns }),
  };
}

/** What an error answers: status, error code and message, and any header it needs. */
function describeError(error: unknown): { status: number; code: string; message: string; details?: unknown; headers: Record<string, string> } {
  if (error instanceof HttpError) {
    const headers: Record<string, string> = {};
    if (error instanceof TooManyRequestsError) headers['retry-after'] = String(error.retryAfterSeconds);
    if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
    return { status: error.status, code: error.code, message: error.message, details: error.details, headers };
  }
  // body-parser marks its own failures (bad JSON, too large, unsupported charset) with a status.
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return { status, code, message: error instanceof Error ? error.message : 'bad request', headers: {} };
  }
  return { status: 500, code: 'internal', message: 'internal error', headers: {} };
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  app.use('/api/v1', options.metrics.countIngest());
  mountRoutes(app, handlers(options), options.guard);
  app.use('/api', () => {
    throw new NotFoundError('no such API endpoint');
  });
  app.use((req, res) => {
    res.status(404).type('html').send(`<!doctype html><title>Not found — Vigil</title><h1>Not found</h1><p>Nothing at ${escapeHtml(req.path)}. <a href="/">Overview</a></p>`);
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const { status, code, message, details, headers } = describeError(error);
    if (status === 500) options.logger.error({ err: error }, 'request failed');
    if (REFUSALS.has(status)) options.metrics.countRefusal(code);
    res.status(status).set(headers);
    if (res.locals[PAGE_LOCAL] === true) {
      const caller = res.locals.caller as Caller | null | undefined;
      if (status === 401 || status === 403) {
        const invitation = error instanceof MissingCredentialsError ? 'Sign in with your Vigil token to see this page.' : message;
        res.type('html').send(status === 401 ? renderSignIn(invitation) : renderForbidden(message, caller?.identity.name ?? null));
      } else {
        res.type('html').send(renderPage({ title: status === 404 ? 'Not found' : 'Error', nav: null, viewer: viewerOf(caller ?? null), body: `<h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1><p>${escapeHtml(message)}</p><p><a href="/">Overview</a></p>` }));
      }
      return;
    }
    res.json({ error: details === undefined ? { code, message } : { code, message, details } });
  };
  app.use(onError);
  return app;
}
