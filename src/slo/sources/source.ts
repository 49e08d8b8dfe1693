// Metric SLI sources (Prometheus, Cloud Monitoring, …) behind one interface. A source turns an SLO's
// good/total queries into exact counts per (target region, vantage, minute); the puller writes them into
// the bucket store with replace semantics, so re-reading a minute never counts it twice.
// Adding a source = a folder under src/slo/sources/<name>/ with its schema, implementation and tests, and
// one line in ./index.ts.
import type { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';

/** What an SLO asks of a metric source (`indicator.ratio` in its YAML). */
export interface RatioQuery {
  slo: string;
  /** Counter selectors (Prometheus) or monitoring filters (Cloud Monitoring), as written in the SLO. */
  good: string;
  total: string;
  /** Label whose value is the target region; null: one series for the whole SLO (target region ''). */
  regionLabel: string | null;
  /** Label whose value is the vantage that measured; null: vantage '' (server side; never a failover quorum). */
  vantageLabel: string | null;
}

/** Exact counts of one minute (minute number = floor(ms / 60 000)) for one target region and vantage. */
export interface MinuteCount {
  targetRegion: string;
  vantage: string;
  minute: number;
  good: number;
  total: number;
}

export interface ReadResult {
  /**
   * Every minute in [fromMinute, toMinute) that the source could read, including those with no traffic
   * (omit a minute only when it could not be read). Counts for a minute replace what this source wrote
   * for it before.
   */
  counts: MinuteCount[];
  /** Minutes in [fromMinute, toMinute) that are complete at the source: the puller will not re-read before this. */
  completeBefore: number;
}

export interface MetricSource {
  readonly kind: string;
  /** Counts of one SLO for minutes [fromMinute, toMinute). Throws SourceError on any failure. */
  read(query: RatioQuery, fromMinute: number, toMinute: number, signal: AbortSignal): Promise<ReadResult>;
  /** How far back the source holds data, in ms, if it can tell (Prometheus: storage.tsdb.retention). */
  retentionMs?(signal: AbortSignal): Promise<number | null>;
  /** The longest span (minutes) one read may ask for; the puller splits backfills into chunks of it. */
  readonly maxChunkMinutes: number;
  close(): Promise<void>;
}

/** A failure to read from a source: unreachable, HTTP/gRPC error, bad query, timeout. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly reason: 'unreachable' | 'http' | 'query' | 'timeout' | 'response',
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface SourceContext {
  logger: Logger;
  /** What "now" is for completeBefore (default: the system clock). */
  clock?: Clock;
  /** Environment for ${VAR} references already expanded by config loading; kept for sources that need more. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface SourceKind<Config> {
  /** The name used in `spec.sources.<kind>` and in `indicator.ratio.source`. */
  kind: string;
  /** Schema of `spec.sources.<kind>`, used by `vigil validate`. */
  schema: z.ZodType<Config>;
  /** The retention `vigil validate` can know without calling the source (a documented limit or a config field). */
  declaredRetentionMs?(config: Config): number | null;
  create(config: Config, context: SourceContext): MetricSource;
}

/** A source kind as the registry holds it: its config is only known to be schema-valid. */
export interface AnySourceKind {
  kind: string;
  schema: z.ZodType;
  declaredRetentionMs(config: unknown): number | null;
  create(config: unknown, context: SourceContext): MetricSource;
}

export function defineSource<Config>(kind: SourceKind<Config>): AnySourceKind {
  return {
    kind: kind.kind,
    schema: kind.schema,
    declaredRetentionMs: (config) => kind.declaredRetentionMs?.(config as Config) ?? null,
    create: (config, context) => kind.create(config as Config, context),
  };
}
