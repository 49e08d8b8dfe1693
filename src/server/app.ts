// The HTTP server: JSON API under /api/v1, the overview page at /, /healthz. Routes stay thin;
// one error middleware turns every failure into a JSON error.
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { FailoverController } from '../failover/controller.js';
import type { Logger } from '../lib/logger.js';
import type { SloMonitor } from '../slo/monitor.js';
import type { BucketStore } from '../store/bucket-store.js';
import type { Catalog } from './catalog.js';
import { HttpError, NotFoundError, UnauthorizedError } from './errors.js';
import { renderOverview } from './pages/overview.js';
import { eventsRouter } from './routes/events.js';
import { failoverRouter } from './routes/failover.js';
import { probesRouter } from './routes/probes.js';
import { resultsRouter } from './routes/results.js';
import { slosRouter } from './routes/slos.js';
import type { ServerMetrics } from './server-metrics.js';

export interface AppOptions {
  monitor: SloMonitor;
  store: BucketStore;
  catalog: Catalog;
  logger: Logger;
  /** When set, agents and writers need `Authorization: Bearer <token>` (results, events, probes). */
  ingestToken?: string | undefined;
  /** Serves GET /metrics and counts ingest requests. */
  metrics?: ServerMetrics | undefined;
  /** The failover orchestrator, when vigil.yaml has spec.failover. */
  failover?: FailoverController | null;
}

function requireToken(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (token !== undefined && req.get('authorization') !== `Bearer ${token}`) {
      throw new UnauthorizedError('missing or wrong bearer token');
    }
    next();
  };
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (options.metrics) app.get('/metrics', options.metrics.handler());
  app.get('/', (_req, res) => {
    res.type('html').send(renderOverview(options.monitor.latest()));
  });
  if (options.metrics) app.use('/api/v1', options.metrics.countIngest());
  app.use('/api/v1', express.json({ limit: '32mb' }));
  app.use('/api/v1/slos', slosRouter(options.monitor));
  const { catalog, store } = options;
  const knownSlos = () => new Set(catalog.snapshot().slos.map((s) => s.name));
  const agentsOnly = requireToken(options.ingestToken);
  app.use('/api/v1/events', agentsOnly, eventsRouter(store, knownSlos));
  app.use('/api/v1/results', agentsOnly, resultsRouter(store, () => catalog.snapshot().probeIndex));
  app.use('/api/v1/probes', agentsOnly, probesRouter(catalog));
  // IMOC commands are writes: the same token as ingest; status and audit are readable like the SLO report.
  app.use('/api/v1/failover', failoverRouter(options.failover ?? null, requireToken(options.ingestToken)));
  app.use('/api', () => {
    throw new NotFoundError('no such API endpoint');
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    // body-parser marks its own failures (bad JSON, too large) with a status.
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'bad request';
      res.status(status).json({ error: { code: status === 413 ? 'too_large' : 'bad_request', message } });
      return;
    }
    options.logger.error({ err: error }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
  app.use(onError);
  return app;
}
