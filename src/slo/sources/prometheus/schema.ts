// `spec.sources.prometheus` in vigil.yaml: where the Prometheus HTTP API is and how to call it.
import { z } from 'zod';
import { duration } from '../../../config/fields.js';
import { urlWithEnv, withEnv } from '../../../lib/env-reference.js';

export const prometheusSchema = z.strictObject({
  /** The Prometheus (or Thanos / Mimir query frontend) base URL; its API is under /api/v1. */
  url: urlWithEnv('http://127.0.0.1:9090'),
  /** Per request: a read that takes longer fails with reason timeout and is retried next interval. */
  timeout: duration({ min: 100 }).default(30_000),
  /** Sent with every request (authorization, X-Scope-OrgID for Mimir); values may be ${NAME} references. */
  headers: z.record(z.string().min(1), withEnv()).default({}),
  /**
   * How far before a read's first minute to look for each series' previous sample: at least one scrape
   * interval, and as long as the longest run of missed scrapes whose events should still count.
   */
  lookback: duration({ min: 1000 }).default(15 * 60_000),
  /** How long after the fact a minute is final at Prometheus (samples arrive up to a scrape later). */
  settle: duration({ min: 0 }).default(2 * 60_000),
  /** Longest span one read asks for: bounds the raw samples in one response (6h of 15s scrapes: 1,440 a series). */
  maxChunk: duration({ min: 60_000, wholeMinutes: true }).default(6 * 3_600_000),
  /**
   * What the server keeps (its --storage.tsdb.retention.time), for `vigil validate` to warn about windows
   * longer than that; at run time the server's own answer is used.
   */
  retention: duration({ min: 60_000 }).optional(),
});

export type PrometheusConfig = z.output<typeof prometheusSchema>;
