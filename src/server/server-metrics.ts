// The server's GET /metrics: the in-process probers' metrics (blackbox_exporter names) plus a few cheap
// server counters — ingested batches by outcome, refused requests, SLO evaluation time — and Node's process
// metrics.
import type { RequestHandler, Response } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { writeText } from '../lib/http-stream.js';
import { ProberMetrics } from '../prober/metrics.js';

type IngestEndpoint = 'results' | 'events';
type IngestOutcome = 'committed' | 'rejected' | 'failed';

const INGEST_PATHS: ReadonlyMap<string, IngestEndpoint> = new Map([
  ['/results', 'results'],
  ['/events', 'events'],
]);

export class ServerMetrics {
  readonly registry = new Registry();
  readonly probers: ProberMetrics;
  private readonly ingestBatches: Counter<'endpoint' | 'outcome'>;
  private readonly evaluation: Histogram;
  private readonly refused: Counter<'code'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.probers = new ProberMetrics(this.registry);
    this.ingestBatches = new Counter({
      name: 'vigil_ingest_batches_total',
      help: 'Batches POSTed to /api/v1/results and /api/v1/events, by outcome (committed includes repeats of a known batch id)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.refused = new Counter({
      name: 'vigil_http_refused_total',
      help: 'Requests refused before they could change anything: unauthorized (no or unknown token), forbidden (role, squad or CSRF), rate_limited',
      labelNames: ['code'],
      registers,
    });
    this.evaluation = new Histogram({
      name: 'vigil_slo_evaluation_seconds',
      help: 'Time to evaluate every SLO once',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  /** Middleware for /api/v1: counts ingest requests by how they ended. */
  countIngest(): RequestHandler {
    return (req, res, next) => {
      const endpoint = req.method === 'POST' ? INGEST_PATHS.get(req.path.replace(/\/+$/, '')) : undefined;
      if (endpoint) {
        res.once('finish', () => {
          const outcome: IngestOutcome = res.statusCode < 300 ? 'committed' : res.statusCode < 500 ? 'rejected' : 'failed';
          this.ingestBatches.inc({ endpoint, outcome });
        });
      }
      next();
    };
  }

  countRefusal(code: string): void {
    this.refused.inc({ code });
  }

  observeEvaluation(seconds: number): void {
    this.evaluation.observe(Math.max(0, seconds));
  }

  /** Answers GET /metrics. */
  send(res: Response): Promise<void> {
    return writeText(res, this.registry.contentType, this.probers.exposition());
  }
}
