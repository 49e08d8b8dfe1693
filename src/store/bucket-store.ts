// Good/total counts per (SLO, target region, vantage region, minute): the one representation every
// source reduces to. Writes commit before they return; listeners hear of each committed change to a bucket.
import { MINUTE_MS } from '../lib/duration.js';
import type { Db } from './database.js';

export interface SeriesKey {
  slo: string;
  targetRegion: string;
  vantage: string;
}

export interface Series extends SeriesKey {
  id: number;
}

export interface CountRecord extends SeriesKey {
  /** Event time in ms; counted in the minute bucket that contains it. */
  ts: number;
  good: number;
  total: number;
}

/** A committed change to one bucket. */
export interface BucketChange {
  seriesId: number;
  minute: number;
  good: number;
  total: number;
}

export interface BucketRow {
  seriesId: number;
  minute: number;
  good: number;
  total: number;
}

/** One bucket's counts as a pulled source states them (minute number = floor(ms / 60 000)). */
export interface MinuteRecord {
  targetRegion: string;
  vantage: string;
  minute: number;
  good: number;
  total: number;
}

export type ChangeListener = (changes: readonly BucketChange[]) => void;

export interface AddResult {
  /** False when the batch id was seen before: nothing was added again. */
  applied: boolean;
  /** One per bucket the batch touched, with the batch's sums for it. */
  changes: BucketChange[];
}

export class BucketStore {
  /** slo → target region → vantage → id: nested, so a lookup per event builds no key string. */
  private readonly seriesIds = new Map<string, Map<string, Map<string, number>>>();
  private readonly seriesById = new Map<number, Series>();
  private readonly listeners = new Set<ChangeListener>();

  private readonly insertSeries;
  private readonly upsertBucket;
  private readonly insertBatch;
  private readonly findBatch;
  private readonly minuteRange;
  private readonly minuteRangeSums;
  private readonly deleteBefore;
  private readonly deleteBatchesBefore;
  private readonly sloRange;
  private readonly deleteSloRange;

  constructor(private readonly db: Db) {
    this.insertSeries = db.prepare(
      'INSERT INTO series (slo, target_region, vantage) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET slo = slo RETURNING id',
    );
    this.upsertBucket = db.prepare(
      `INSERT INTO buckets (minute, series_id, good, total) VALUES (?, ?, ?, ?)
       ON CONFLICT (minute, series_id) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`,
    );
    this.insertBatch = db.prepare('INSERT INTO ingested_batches (id, received_at, events) VALUES (?, ?, ?)');
    this.findBatch = db.prepare('SELECT 1 FROM ingested_batches WHERE id = ?');
    this.minuteRange = db
      .prepare('SELECT series_id AS seriesId, minute, good, total FROM buckets WHERE minute >= ? AND minute < ? ORDER BY minute')
      .raw(false);
    this.minuteRangeSums = db.prepare(
      `SELECT series_id AS seriesId, SUM(good) AS good, SUM(total) AS total
       FROM buckets WHERE minute >= ? AND minute < ? GROUP BY series_id`,
    );
    this.deleteBefore = db.prepare('DELETE FROM buckets WHERE minute < ?');
    this.deleteBatchesBefore = db.prepare('DELETE FROM ingested_batches WHERE received_at < ?');
    this.sloRange = db.prepare(
      `SELECT b.series_id AS seriesId, b.minute, b.good, b.total FROM buckets b JOIN series s ON s.id = b.series_id
       WHERE s.slo = ? AND b.minute >= ? AND b.minute < ?`,
    );
    this.deleteSloRange = db.prepare('DELETE FROM buckets WHERE series_id IN (SELECT id FROM series WHERE slo = ?) AND minute >= ? AND minute < ?');
    for (const row of db.prepare('SELECT id, slo, target_region AS targetRegion, vantage FROM series').all() as Series[]) {
      this.remember(row);
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  series(id: number): Series | undefined {
    return this.seriesById.get(id);
  }

  allSeries(): Series[] {
    return [...this.seriesById.values()];
  }

  /**
   * Adds counts in one transaction. With a batch id, a batch already committed is skipped, so a client
   * that retries after a lost acknowledgement never counts twice. Returns once the data is on disk.
   */
  add(records: readonly CountRecord[], batchId?: string): AddResult {
    const changes: BucketChange[] = [];
    const created = new Map<string, Series>();
    const applied = this.db.transaction(() => {
      if (batchId !== undefined) {
        if (this.findBatch.get(batchId)) return false;
        this.insertBatch.run(batchId, Date.now(), records.length);
      }
      // Thousands of events fall into a few hundred buckets: one upsert (and one change) per bucket.
      const bySeries = new Map<number, Map<number, BucketChange>>();
      for (const r of records) {
        // Checked per record, as the table's CHECK did before buckets were summed: a bad record fails the batch.
        if (!(r.good >= 0 && r.good <= r.total)) throw new RangeError(`bad counts for ${r.slo}: good ${r.good}, total ${r.total} (need 0 ≤ good ≤ total)`);
        const seriesId = this.seriesIdFor(r, created);
        const minute = Math.floor(r.ts / MINUTE_MS);
        let byMinute = bySeries.get(seriesId);
        if (byMinute === undefined) {
          byMinute = new Map();
          bySeries.set(seriesId, byMinute);
        }
        const bucket = byMinute.get(minute);
        if (bucket === undefined) {
          const change = { seriesId, minute, good: r.good, total: r.total };
          byMinute.set(minute, change);
          changes.push(change);
        } else {
          bucket.good += r.good;
          bucket.total += r.total;
        }
      }
      for (const c of changes) this.upsertBucket.run(c.minute, c.seriesId, c.good, c.total);
      return true;
    })();
    // Only now is a new series known to exist: a rolled-back transaction leaves the cache untouched.
    for (const series of created.values()) this.remember(series);
    if (applied && changes.length > 0) for (const listener of this.listeners) listener(changes);
    return { applied, changes };
  }

  /**
   * Makes one SLO's buckets in minutes [from, to) exactly what `records` say, in one transaction: a pulled
   * source restates minutes it read before (late samples, a re-read after an outage), so they replace
   * rather than add. Minutes and series absent from `records` become empty. Listeners hear the deltas
   * (new − old), which is what keeps running sums right.
   */
  replaceRange(slo: string, fromMinute: number, toMinute: number, records: readonly MinuteRecord[]): BucketChange[] {
    const created = new Map<string, Series>();
    const changes = this.db.transaction(() => {
      const next = new Map<string, BucketChange>();
      for (const r of records) {
        if (r.minute < fromMinute || r.minute >= toMinute || (r.good === 0 && r.total === 0)) continue;
        const seriesId = this.seriesIdFor({ slo, targetRegion: r.targetRegion, vantage: r.vantage }, created);
        const key = `${seriesId}:${r.minute}`;
        const bucket = next.get(key);
        if (bucket) {
          bucket.good += r.good;
          bucket.total += r.total;
        } else next.set(key, { seriesId, minute: r.minute, good: r.good, total: r.total });
      }
      const deltas = new Map<string, BucketChange>();
      for (const old of this.sloRange.all(slo, fromMinute, toMinute) as BucketRow[]) {
        deltas.set(`${old.seriesId}:${old.minute}`, { seriesId: old.seriesId, minute: old.minute, good: -old.good, total: -old.total });
      }
      this.deleteSloRange.run(slo, fromMinute, toMinute);
      for (const [key, bucket] of next) {
        this.upsertBucket.run(bucket.minute, bucket.seriesId, bucket.good, bucket.total);
        const delta = deltas.get(key);
        if (delta) {
          delta.good += bucket.good;
          delta.total += bucket.total;
        } else deltas.set(key, { ...bucket });
      }
      return [...deltas.values()].filter((d) => d.good !== 0 || d.total !== 0);
    })();
    for (const series of created.values()) this.remember(series);
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
    return changes;
  }

  /** Every bucket with minute in [from, to), ordered by minute. */
  rows(fromMinute: number, toMinute: number): BucketRow[] {
    return this.minuteRange.all(fromMinute, toMinute) as BucketRow[];
  }

  /** Streams every bucket with minute in [from, to) in minute order, without holding them all in memory. */
  eachRow(fromMinute: number, toMinute: number, visit: (row: BucketRow) => void): void {
    for (const row of this.minuteRange.iterate(fromMinute, toMinute)) visit(row as BucketRow);
  }

  /** Per-series sums over minutes in [from, to). */
  sums(fromMinute: number, toMinute: number): BucketRow[] {
    return (this.minuteRangeSums.all(fromMinute, toMinute) as Omit<BucketRow, 'minute'>[]).map((r) => ({ ...r, minute: fromMinute }));
  }

  /**
   * One SLO's counts with minute in [from, to), summed over the series that match (one target region and/or
   * one vantage, or all of them: null) and over buckets of `bucketMinutes` starting at `fromMinute`: per
   * bucket with data, its first minute and its sums, in minute order. Summing in SQLite keeps a 28-day read
   * at 5-minute buckets to a fifth of the rows a minute read hands to JavaScript. (better-sqlite3 binds
   * numbers as REAL: the casts keep the division whole.)
   */
  sloBuckets(
    slo: string,
    filter: { targetRegion: string | null; vantage: string | null },
    fromMinute: number,
    toMinute: number,
    bucketMinutes = 1,
  ): { minutes: Float64Array; good: Float64Array; total: Float64Array } {
    const ids = [...this.seriesById.values()]
      .filter((s) => s.slo === slo && (filter.targetRegion === null || s.targetRegion === filter.targetRegion) && (filter.vantage === null || s.vantage === filter.vantage))
      .map((s) => s.id);
    if (ids.length === 0) return { minutes: new Float64Array(0), good: new Float64Array(0), total: new Float64Array(0) };
    const rows = this.db
      .prepare(
        `SELECT (minute - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, SUM(good), SUM(total) FROM buckets
         WHERE series_id IN (${ids.map(() => '?').join(',')}) AND minute >= ? AND minute < ?
         GROUP BY bucket ORDER BY bucket`,
      )
      .raw(true)
      .all(fromMinute, bucketMinutes, ...ids, fromMinute, toMinute) as Array<[number, number, number]>;
    const minutes = new Float64Array(rows.length);
    const good = new Float64Array(rows.length);
    const total = new Float64Array(rows.length);
    rows.forEach(([bucket, g, t], i) => {
      minutes[i] = fromMinute + bucket * bucketMinutes;
      good[i] = g;
      total[i] = t;
    });
    return { minutes, good, total };
  }

  /** The first minute an SLO has data for (in a region, or any), or null. */
  firstMinute(slo: string, region: string | null = null): number | null {
    let first: number | null = null;
    const query = this.db.prepare('SELECT MIN(minute) AS minute FROM buckets WHERE series_id = ?');
    for (const s of this.seriesById.values()) {
      if (s.slo !== slo || (region !== null && s.targetRegion !== region)) continue;
      const row = query.get(s.id) as { minute: number | null };
      if (row.minute !== null && (first === null || row.minute < first)) first = row.minute;
    }
    return first;
  }

  /** Drops buckets older than `minute`; returns how many. */
  pruneBefore(minute: number): number {
    return this.deleteBefore.run(minute).changes;
  }

  /** Forgets the ids of batches received before `ms`: a retry of one of them would count again. */
  forgetBatchesBefore(ms: number): number {
    return this.deleteBatchesBefore.run(ms).changes;
  }

  private seriesIdFor(key: SeriesKey, created: Map<string, Series>): number {
    const cached = this.seriesIds.get(key.slo)?.get(key.targetRegion)?.get(key.vantage);
    if (cached !== undefined) return cached;
    const text = seriesKeyText(key);
    const known = created.get(text)?.id;
    if (known !== undefined) return known;
    const { id } = this.insertSeries.get(key.slo, key.targetRegion, key.vantage) as { id: number };
    created.set(text, { id, slo: key.slo, targetRegion: key.targetRegion, vantage: key.vantage });
    return id;
  }

  private remember(series: Series): void {
    let byRegion = this.seriesIds.get(series.slo);
    if (byRegion === undefined) {
      byRegion = new Map();
      this.seriesIds.set(series.slo, byRegion);
    }
    let byVantage = byRegion.get(series.targetRegion);
    if (byVantage === undefined) {
      byVantage = new Map();
      byRegion.set(series.targetRegion, byVantage);
    }
    byVantage.set(series.vantage, series.id);
    this.seriesById.set(series.id, series);
  }
}

function seriesKeyText(key: SeriesKey): string {
  return `${key.slo}\u0000${key.targetRegion}\u0000${key.vantage}`;
}
