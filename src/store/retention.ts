// Keeps the store from growing without bound: every hour, buckets older than the retention go, and so do
// the ids of batches received longer ago than batch ids are kept. The retention never cuts into the
// longest SLO period (plus a day): the engine's running sums subtract the minutes that leave a window.
import type { Clock } from '../lib/clock.js';
import { DAY_MS, MINUTE_MS } from '../lib/duration.js';
import type { Logger } from '../lib/logger.js';
import type { BucketStore } from './bucket-store.js';

export interface StoreRetentionOptions {
  store: BucketStore;
  clock: Clock;
  logger: Logger;
  /** How long minute buckets are kept (spec.retention). */
  retentionMs: number;
  /** The longest period of the SLOs defined now, in minutes (definitions reload). */
  longestPeriodMinutes: () => number;
  /** How long batch ids are remembered for de-duplication. */
  batchIdsMs?: number;
  intervalMs?: number;
}

export interface PruneResult {
  buckets: number;
  batchIds: number;
  /** The retention in effect, raised to the longest SLO period + 1 day when that is longer. */
  retentionMs: number;
}

export const BATCH_IDS_KEPT_MS = 35 * DAY_MS;

export class StoreRetention {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: StoreRetentionOptions) {}

  prune(): PruneResult {
    const { store, clock, retentionMs } = this.options;
    const now = clock.now();
    const effective = Math.max(retentionMs, this.options.longestPeriodMinutes() * MINUTE_MS + DAY_MS);
    const buckets = store.pruneBefore(Math.floor((now - effective) / MINUTE_MS));
    const batchIds = store.forgetBatchesBefore(now - (this.options.batchIdsMs ?? BATCH_IDS_KEPT_MS));
    if (buckets > 0 || batchIds > 0) this.options.logger.info({ buckets, batchIds, retentionDays: effective / DAY_MS }, 'pruned the store');
    return { buckets, batchIds, retentionMs: effective };
  }

  /** Prunes a minute after start (not in the way of start-up), then every interval. */
  start(): void {
    const every = this.options.intervalMs ?? 3_600_000;
    this.timer = setTimeout(() => {
      this.run();
      this.timer = setInterval(() => this.run(), every);
      this.timer.unref();
    }, Math.min(every, 60_000));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    try {
      this.prune();
    } catch (error) {
      this.options.logger.error({ err: error }, 'pruning the store failed');
    }
  }
}
