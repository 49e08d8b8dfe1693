// The bucket store's tables: one row per series and hour holding its packed minutes and their sums (`blocks`),
// and per series and day the sums of its hours (`day_sums`), kept in the same transaction as every block
// write, so a window's sums are a few day rows plus the hours and minutes at its edges, never a scan of it.
import type { Db } from './database.js';
import { decodeHour, encodeHour, type HourCounts, hourSums } from './minute-block.js';

export const HOURS_PER_DAY = 24;

/** One stored hour of one series. */
export interface Block {
  seriesId: number;
  hour: number;
  good: number;
  total: number;
  data: Buffer;
}

export interface SeriesSums {
  seriesId: number;
  good: number;
  total: number;
}

export class BlockTable {
  private readonly selectBlock;
  private readonly upsertBlock;
  private readonly deleteBlock;
  private readonly addToDay;
  private readonly blocksInHours;
  private readonly blocksOfSeries;
  private readonly firstBlockOfSeries;
  private readonly hourSums;
  private readonly daySums;
  private readonly deleteDaysBefore;
  private readonly deleteHours;
  private readonly firstHourFrom;

  constructor(db: Db) {
    this.selectBlock = db.prepare('SELECT good, total, data FROM blocks WHERE hour = ? AND series_id = ?');
    this.upsertBlock = db.prepare(
      `INSERT INTO blocks (hour, series_id, good, total, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hour, series_id) DO UPDATE SET good = excluded.good, total = excluded.total, data = excluded.data`,
    );
    this.deleteBlock = db.prepare('DELETE FROM blocks WHERE hour = ? AND series_id = ?');
    this.addToDay = db.prepare(
      `INSERT INTO day_sums (day, series_id, good, total) VALUES (?, ?, ?, ?)
       ON CONFLICT (day, series_id) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`,
    );
    this.blocksInHours = db.prepare(
      'SELECT series_id AS seriesId, hour, good, total, data FROM blocks WHERE hour >= ? AND hour < ? ORDER BY hour, series_id',
    );
    this.blocksOfSeries = db.prepare(
      'SELECT series_id AS seriesId, hour, good, total, data FROM blocks WHERE series_id = ? AND hour >= ? AND hour < ? ORDER BY hour',
    );
    this.firstBlockOfSeries = db.prepare(
      'SELECT series_id AS seriesId, hour, good, total, data FROM blocks WHERE series_id = ? ORDER BY hour LIMIT 1',
    );
    this.hourSums = db.prepare(
      `SELECT series_id AS seriesId, SUM(good) AS good, SUM(total) AS total FROM blocks
       WHERE hour >= ? AND hour < ? GROUP BY series_id`,
    );
    this.daySums = db.prepare(
      `SELECT series_id AS seriesId, SUM(good) AS good, SUM(total) AS total FROM day_sums
       WHERE day >= ? AND day < ? GROUP BY series_id`,
    );
    this.deleteDaysBefore = db.prepare('DELETE FROM day_sums WHERE day < ?');
    this.deleteHours = db.prepare('DELETE FROM blocks WHERE hour >= ? AND hour < ?');
    this.firstHourFrom = db.prepare('SELECT MIN(hour) AS hour FROM blocks WHERE hour >= ?');
  }

  /** One stored hour decoded into `into`, with its sums; null (and `into` untouched) when none is stored. */
  read(seriesId: number, hour: number, into: HourCounts): { good: number; total: number } | null {
    const row = this.selectBlock.get(hour, seriesId) as { good: number; total: number; data: Buffer } | undefined;
    if (!row) return null;
    decodeHour(row.data, into);
    return { good: row.good, total: row.total };
  }

  /**
   * Stores an hour's counts (removing the row when they are all empty) and moves its day's sums by the
   * difference from what was stored before (`before`, null when nothing was). Call inside a transaction.
   */
  write(seriesId: number, hour: number, counts: HourCounts, before: { good: number; total: number } | null): void {
    const sums = hourSums(counts);
    if (sums.total === 0) {
      if (before) this.deleteBlock.run(hour, seriesId);
    } else {
      this.upsertBlock.run(hour, seriesId, sums.good, sums.total, encodeHour(counts));
    }
    const good = sums.good - (before?.good ?? 0);
    const total = sums.total - (before?.total ?? 0);
    if (good !== 0 || total !== 0) this.addToDay.run(Math.floor(hour / HOURS_PER_DAY), seriesId, good, total);
  }

  /** Every stored hour in [fromHour, toHour), by hour then series. */
  inHours(fromHour: number, toHour: number): Block[] {
    return this.blocksInHours.all(fromHour, toHour) as Block[];
  }

  ofSeries(seriesId: number, fromHour: number, toHour: number): Block[] {
    return this.blocksOfSeries.all(seriesId, fromHour, toHour) as Block[];
  }

  firstOf(seriesId: number): Block | undefined {
    return this.firstBlockOfSeries.get(seriesId) as Block | undefined;
  }

  /** Per-series sums of whole hours [fromHour, toHour), through day rows for the whole days inside. */
  sumsOfHours(fromHour: number, toHour: number, into: Map<number, SeriesSums>): void {
    if (fromHour >= toHour) return;
    const firstDay = Math.ceil(fromHour / HOURS_PER_DAY);
    const endDay = Math.floor(toHour / HOURS_PER_DAY);
    if (firstDay >= endDay) {
      addSums(this.hourSums.all(fromHour, toHour) as SeriesSums[], into);
      return;
    }
    addSums(this.hourSums.all(fromHour, firstDay * HOURS_PER_DAY) as SeriesSums[], into);
    addSums(this.daySums.all(firstDay, endDay) as SeriesSums[], into);
    addSums(this.hourSums.all(endDay * HOURS_PER_DAY, toHour) as SeriesSums[], into);
  }

  /**
   * Removes every hour before `hour`, a day at a time, handing each to `visit` first (the caller counts its
   * minutes); day sums of days wholly before it go, a day cut in two keeps the sums of its remaining hours.
   * Call inside a transaction.
   */
  removeBefore(hour: number, visit: (block: Block) => void): void {
    const cutDay = Math.floor(hour / HOURS_PER_DAY);
    for (let from = this.firstHour(); from !== null && from < hour; from = this.firstHour()) {
      const to = Math.min(hour, (Math.floor(from / HOURS_PER_DAY) + 1) * HOURS_PER_DAY);
      for (const block of this.inHours(from, to)) {
        visit(block);
        if (Math.floor(block.hour / HOURS_PER_DAY) === cutDay) this.addToDay.run(cutDay, block.seriesId, -block.good, -block.total);
      }
      this.deleteHours.run(from, to);
    }
    this.deleteDaysBefore.run(cutDay);
  }

  /** The first stored hour at or after `hour` (any, when omitted), or null. */
  firstHour(hour = Number.MIN_SAFE_INTEGER): number | null {
    return (this.firstHourFrom.get(hour) as { hour: number | null }).hour;
  }
}

/** Writes hours straight into the tables, for loading a store in bulk (a migration, a benchmark's fixture). */
export class BlockLoader {
  private readonly insertBlock;
  private readonly addToDay;
  private readonly days = new Map<string, SeriesSums & { day: number }>();

  constructor(private readonly db: Db) {
    this.insertBlock = db.prepare('INSERT INTO blocks (hour, series_id, good, total, data) VALUES (?, ?, ?, ?, ?)');
    this.addToDay = db.prepare(
      `INSERT INTO day_sums (day, series_id, good, total) VALUES (?, ?, ?, ?)
       ON CONFLICT (day, series_id) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`,
    );
  }

  /** Adds an hour that is not stored yet; its day's sums are written by finish(). */
  load(seriesId: number, hour: number, counts: HourCounts): void {
    const sums = hourSums(counts);
    if (sums.total === 0) return;
    this.insertBlock.run(hour, seriesId, sums.good, sums.total, encodeHour(counts));
    const day = Math.floor(hour / HOURS_PER_DAY);
    const key = `${day}:${seriesId}`;
    const entry = this.days.get(key);
    if (entry) {
      entry.good += sums.good;
      entry.total += sums.total;
    } else this.days.set(key, { day, seriesId, good: sums.good, total: sums.total });
  }

  finish(): void {
    this.db.transaction(() => {
      for (const d of this.days.values()) this.addToDay.run(d.day, d.seriesId, d.good, d.total);
    })();
    this.days.clear();
  }
}

function addSums(rows: readonly SeriesSums[], into: Map<number, SeriesSums>): void {
  for (const row of rows) {
    const sums = into.get(row.seriesId);
    if (sums) {
      sums.good += row.good;
      sums.total += row.total;
    } else into.set(row.seriesId, { seriesId: row.seriesId, good: row.good, total: row.total });
  }
}
