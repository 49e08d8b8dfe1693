import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/clock.js';
import { DAY_MS, MINUTE_MS } from '../lib/duration.js';
import { silentLogger } from '../lib/logger.js';
import { BucketStore } from './bucket-store.js';
import { openDatabase } from './database.js';
import { StoreRetention } from './retention.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');

function storeWithHistory() {
  const db = openDatabase(':memory:');
  const store = new BucketStore(db);
  // One event a day for 200 days, each in a batch received that day.
  for (let day = 1; day <= 200; day++) {
    const ts = NOW - day * DAY_MS;
    store.add([{ slo: 'api', targetRegion: 'eu', vantage: 'us', ts, good: 1, total: 1 }], `batch-${day}`);
    db.prepare('UPDATE ingested_batches SET received_at = ? WHERE id = ?').run(ts, `batch-${day}`);
  }
  return { db, store };
}

const days = (store: BucketStore) => store.rows(0, Math.floor(NOW / MINUTE_MS)).length;

describe('store retention', () => {
  it('drops buckets older than the retention and batch ids older than 35 days', () => {
    const { db, store } = storeWithHistory();
    const retention = new StoreRetention({ store, clock: new ManualClock(NOW), logger: silentLogger(), retentionMs: 100 * DAY_MS, longestPeriodMinutes: () => 28 * 1440 });
    expect(retention.prune()).toEqual({ buckets: 100, batchIds: 165, retentionMs: 100 * DAY_MS });
    expect(days(store)).toBe(100);
    // A batch id still remembered is still refused; a forgotten one would count again.
    expect(store.add([{ slo: 'api', targetRegion: 'eu', vantage: 'us', ts: NOW - DAY_MS, good: 1, total: 1 }], 'batch-1').applied).toBe(false);
    expect(store.add([{ slo: 'api', targetRegion: 'eu', vantage: 'us', ts: NOW - DAY_MS, good: 1, total: 1 }], 'batch-36').applied).toBe(true);
    db.close();
  });

  it('never cuts into the longest SLO period, plus a day', () => {
    const { db, store } = storeWithHistory();
    const retention = new StoreRetention({ store, clock: new ManualClock(NOW), logger: silentLogger(), retentionMs: 30 * DAY_MS, longestPeriodMinutes: () => 92 * 1440 });
    expect(retention.prune()).toMatchObject({ buckets: 107, retentionMs: 93 * DAY_MS });
    expect(days(store)).toBe(93);
    db.close();
  });
});
