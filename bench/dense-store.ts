// Fills a store with dense minute data for benchmarks, straight into packed hours (BlockLoader): the same rows
// ingest would write, at a few microseconds an hour instead of an upsert per minute.
import { BlockLoader } from '../src/store/block-table.js';
import type { Db } from '../src/store/database.js';
import { BLOCK_MINUTES, emptyHour } from '../src/store/minute-block.js';

/** Counts of one series in one minute (whole numbers, good ≤ total). */
export type MinuteCounts = (seriesId: number, minute: number) => { good: number; total: number };

/**
 * Every series' minutes in [fromMinute, toMinute) (whole hours), hour-major, a day per transaction; returns the
 * series-minutes written. The store's cache is raised while loading so the series index is not re-read from disk.
 */
export function seedDense(db: Db, seriesIds: readonly number[], fromMinute: number, toMinute: number, countsOf: MinuteCounts, progress?: (done: number) => void): number {
  if (fromMinute % BLOCK_MINUTES !== 0 || toMinute % BLOCK_MINUTES !== 0) throw new RangeError('seedDense takes whole hours');
  const loader = new BlockLoader(db);
  const hour = emptyHour();
  const cache = db.pragma('cache_size', { simple: true });
  db.pragma('cache_size = -1048576');
  let written = 0;
  const firstHour = fromMinute / BLOCK_MINUTES;
  const endHour = toMinute / BLOCK_MINUTES;
  const day = db.transaction((from: number, to: number) => {
    for (let h = from; h < to; h++) {
      for (const id of seriesIds) {
        for (let i = 0; i < BLOCK_MINUTES; i++) {
          const counts = countsOf(id, h * BLOCK_MINUTES + i);
          hour.good[i] = counts.good;
          hour.total[i] = counts.total;
          if (counts.total > 0) written++;
        }
        loader.load(id, h, hour);
      }
    }
  });
  for (let h = firstHour; h < endHour; h += 24) {
    day(h, Math.min(endHour, h + 24));
    progress?.((Math.min(endHour, h + 24) - firstHour) / (endHour - firstHour));
  }
  loader.finish();
  db.pragma(`cache_size = ${cache}`);
  return written;
}

/** Bytes the store's file holds in use (pages in use × page size), after a WAL checkpoint. */
export function storeBytes(db: Db): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
}
