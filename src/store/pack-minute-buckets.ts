// Schema 9: the minute rows of schema 1 (`buckets`, one row per series and minute) packed into hours, then
// dropped. Runs inside the migration's transaction, so a crash midway leaves the old store as it was.
import { BlockLoader } from './block-table.js';
import type { Db } from './database.js';
import { BLOCK_MINUTES, emptyHour } from './minute-block.js';

export function packMinuteBuckets(db: Db): void {
  const loader = new BlockLoader(db);
  const hour = emptyHour();
  // Series by series through the series index (schema 7): rows come in minute order, memory stays one series.
  const ofSeries = db.prepare('SELECT minute, good, total FROM buckets WHERE series_id = ? ORDER BY minute').raw(true);
  const seriesIds = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  for (const seriesId of seriesIds) {
    let current: number | null = null;
    for (const [minute, good, total] of ofSeries.all(seriesId) as Array<[number, number, number]>) {
      const h = Math.floor(minute / BLOCK_MINUTES);
      if (h !== current) {
        if (current !== null) loader.load(seriesId, current, hour);
        hour.good.fill(0);
        hour.total.fill(0);
        current = h;
      }
      const i = minute - h * BLOCK_MINUTES;
      hour.good[i] = (hour.good[i] as number) + good;
      hour.total[i] = (hour.total[i] as number) + total;
    }
    if (current !== null) loader.load(seriesId, current, hour);
  }
  loader.finish();
  db.exec('DROP INDEX buckets_by_series; DROP TABLE buckets;');
}
