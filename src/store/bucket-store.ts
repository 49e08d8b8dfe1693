// Good/total counts per (SLO, target region, vantage region, minute): the one representation every
// source reduces to, kept on disk as packed hours (block-table.ts, minute-block.ts). Writes commit before
// they return; listeners hear of each committed change to a minute.
import { MINUTE_MS } from '../lib/duration.js';
import { type Block, BlockTable, type SeriesSums } from './block-table.js';
import type { Db } from './database.js';
import { BLOCK_MINUTES, decodeHour, emptyHour, type HourCounts } from './minute-block.js';
import { MinuteReader } from './minute-reader.js';

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
  private readonly blocks: BlockTable;
  private readonly reader: MinuteReader;
  private readonly hour: HourCounts = emptyHour();

  private readonly insertSeries;
  private readonly insertBatch;
  private readonly findBatch;
  private readonly deleteBatchesBefore;

  constructor(private readonly db: Db) {
    this.blocks = new BlockTable(db);
    this.reader = new MinuteReader(this.blocks);
    this.insertSeries = db.prepare(
      'INSERT INTO series (slo, target_region, vantage) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET slo = slo RETURNING id',
    );
    this.insertBatch = db.prepare('INSERT INTO ingested_batches (id, received_at, events) VALUES (?, ?, ?)');
    this.findBatch = db.prepare('SELECT 1 FROM ingested_batches WHERE id = ?');
    this.deleteBatchesBefore = db.prepare('DELETE FROM ingested_batches WHERE received_at < ?');
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
      // Thousands of events fall into a few hundred minutes of a few dozen hours: one write per hour.
      const bySeries = new Map<number, Map<number, BucketChange>>();
      for (const r of records) {
        // Checked per record, as the table's CHECK did before buckets were summed: a bad record fails the batch.
        checkCounts(r.slo, r);
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
      for (const [seriesId, byMinute] of bySeries) this.addToHours(seriesId, byMinute.values());
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
    if (toMinute <= fromMinute) return [];
    const created = new Map<string, Series>();
    const changes = this.db.transaction(() => {
      const wanted = new Map<number, Map<number, { good: number; total: number }>>();
      for (const r of records) {
        if (r.minute < fromMinute || r.minute >= toMinute || (r.good === 0 && r.total === 0)) continue;
        checkCounts(slo, r);
        const seriesId = this.seriesIdFor({ slo, targetRegion: r.targetRegion, vantage: r.vantage }, created);
        const byMinute = wanted.get(seriesId) ?? new Map<number, { good: number; total: number }>();
        wanted.set(seriesId, byMinute);
        const bucket = byMinute.get(r.minute);
        if (bucket) {
          bucket.good += r.good;
          bucket.total += r.total;
        } else byMinute.set(r.minute, { good: r.good, total: r.total });
      }
      const firstHour = Math.floor(fromMinute / BLOCK_MINUTES);
      const endHour = Math.floor((toMinute - 1) / BLOCK_MINUTES) + 1;
      const ids = new Set([...this.seriesOf(slo), ...wanted.keys()]);
      const deltas: BucketChange[] = [];
      for (const seriesId of ids) {
        const stored = new Map(this.blocks.ofSeries(seriesId, firstHour, endHour).map((b) => [b.hour, b]));
        const next = wanted.get(seriesId);
        const hours = new Set(stored.keys());
        for (const minute of next?.keys() ?? []) hours.add(Math.floor(minute / BLOCK_MINUTES));
        for (const hour of hours) {
          const block = stored.get(hour);
          const counts = this.loaded(block);
          const first = Math.max(fromMinute, hour * BLOCK_MINUTES);
          const end = Math.min(toMinute, (hour + 1) * BLOCK_MINUTES);
          let changed = false;
          for (let minute = first; minute < end; minute++) {
            const i = minute - hour * BLOCK_MINUTES;
            const want = next?.get(minute);
            const good = want?.good ?? 0;
            const total = want?.total ?? 0;
            const had = { good: counts.good[i] as number, total: counts.total[i] as number };
            if (good === had.good && total === had.total) continue;
            deltas.push({ seriesId, minute, good: good - had.good, total: total - had.total });
            counts.good[i] = good;
            counts.total[i] = total;
            changed = true;
          }
          if (changed) this.write(seriesId, hour, counts, block ?? null);
        }
      }
      return deltas;
    })();
    for (const series of created.values()) this.remember(series);
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
    return changes;
  }

  /** Every bucket with minute in [from, to), ordered by minute (then series). */
  rows(fromMinute: number, toMinute: number): BucketRow[] {
    const rows: BucketRow[] = [];
    this.eachRow(fromMinute, toMinute, (row) => rows.push(row));
    return rows;
  }

  /**
   * Visits every bucket with minute in [from, to) in minute order (then series), a day of hours in memory at a
   * time; with `only`, just those series (read through the series index rather than every series' hours).
   */
  eachRow(fromMinute: number, toMinute: number, visit: (row: BucketRow) => void, only?: ReadonlySet<number>): void {
    this.reader.eachRow(fromMinute, toMinute, visit, only);
  }

  /** Per-series sums over minutes in [from, to): day and hour sums inside, minutes only at the edges. */
  sums(fromMinute: number, toMinute: number): BucketRow[] {
    const sums = new Map<number, SeriesSums>();
    const firstWhole = Math.ceil(fromMinute / BLOCK_MINUTES);
    const endWhole = Math.floor(toMinute / BLOCK_MINUTES);
    if (firstWhole >= endWhole) {
      const split = Math.min(toMinute, firstWhole * BLOCK_MINUTES);
      this.reader.addSumsInHour(fromMinute, split, sums);
      this.reader.addSumsInHour(split, toMinute, sums);
    } else {
      this.reader.addSumsInHour(fromMinute, firstWhole * BLOCK_MINUTES, sums);
      this.blocks.sumsOfHours(firstWhole, endWhole, sums);
      this.reader.addSumsInHour(endWhole * BLOCK_MINUTES, toMinute, sums);
    }
    return [...sums.values()].filter((s) => s.total > 0).map((s) => ({ seriesId: s.seriesId, minute: fromMinute, good: s.good, total: s.total }));
  }

  /**
   * One SLO's counts with minute in [from, to), summed over the series that match (one target region and/or
   * one vantage, or all of them: null) and over buckets of `bucketMinutes` starting at `fromMinute`: per
   * bucket with data, its first minute and its sums, in minute order.
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
    return this.reader.bucketSums(ids, fromMinute, toMinute, bucketMinutes);
  }

  /** The first minute an SLO has data for (in a region, or any), or null. */
  firstMinute(slo: string, region: string | null = null): number | null {
    let first: number | null = null;
    for (const s of this.seriesById.values()) {
      if (s.slo !== slo || (region !== null && s.targetRegion !== region)) continue;
      const block = this.blocks.firstOf(s.id);
      if (!block) continue;
      const counts = decodeHour(block.data, this.hour);
      const i = counts.total.findIndex((t) => t > 0);
      const minute = block.hour * BLOCK_MINUTES + i;
      if (i >= 0 && (first === null || minute < first)) first = minute;
    }
    return first;
  }

  /** Drops buckets older than `minute`; returns how many. */
  pruneBefore(minute: number): number {
    const removed = this.db.transaction(() => {
      let count = 0;
      const hour = Math.floor(minute / BLOCK_MINUTES);
      this.blocks.removeBefore(hour, (block) => {
        count += decodeHour(block.data, this.hour).total.filter((t) => t > 0).length;
      });
      // The hour the cut falls in keeps its later minutes.
      const cut = minute - hour * BLOCK_MINUTES;
      for (const block of cut > 0 ? this.blocks.inHours(hour, hour + 1) : []) {
        const counts = this.loaded(block);
        let dropped = 0;
        for (let i = 0; i < cut; i++) {
          if (counts.total[i] === 0) continue;
          counts.good[i] = 0;
          counts.total[i] = 0;
          dropped++;
        }
        if (dropped > 0) this.write(block.seriesId, hour, counts, block);
        count += dropped;
      }
      return count;
    })();
    this.reader.forgetAll();
    return removed;
  }

  /** Forgets the ids of batches received before `ms`: a retry of one of them would count again. */
  forgetBatchesBefore(ms: number): number {
    return this.deleteBatchesBefore.run(ms).changes;
  }

  /** Adds one series' summed minutes to the hours they fall in: one read and one write per hour. */
  private addToHours(seriesId: number, changes: Iterable<BucketChange>): void {
    const byHour = new Map<number, BucketChange[]>();
    for (const change of changes) {
      const hour = Math.floor(change.minute / BLOCK_MINUTES);
      const list = byHour.get(hour);
      if (list) list.push(change);
      else byHour.set(hour, [change]);
    }
    for (const [hour, list] of byHour) {
      const counts = this.hour;
      const before = this.blocks.read(seriesId, hour, counts);
      if (before === null) {
        counts.good.fill(0);
        counts.total.fill(0);
      }
      for (const change of list) {
        const i = change.minute - hour * BLOCK_MINUTES;
        counts.good[i] = (counts.good[i] as number) + change.good;
        counts.total[i] = (counts.total[i] as number) + change.total;
      }
      this.write(seriesId, hour, counts, before);
    }
  }

  private write(seriesId: number, hour: number, counts: HourCounts, before: { good: number; total: number } | null): void {
    this.blocks.write(seriesId, hour, counts, before);
    this.reader.forget(hour);
  }

  /** A stored block decoded into the scratch hour, or the scratch hour emptied. */
  private loaded(block: Block | undefined): HourCounts {
    if (block) return decodeHour(block.data, this.hour);
    this.hour.good.fill(0);
    this.hour.total.fill(0);
    return this.hour;
  }

  private seriesOf(slo: string): number[] {
    return [...this.seriesById.values()].filter((s) => s.slo === slo).map((s) => s.id);
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

function checkCounts(slo: string, r: { good: number; total: number }): void {
  if (!(Number.isSafeInteger(r.good) && Number.isSafeInteger(r.total) && r.good >= 0 && r.good <= r.total)) {
    throw new RangeError(`bad counts for ${slo}: good ${r.good}, total ${r.total} (need whole numbers, 0 ≤ good ≤ total)`);
  }
}

function seriesKeyText(key: SeriesKey): string {
  return `${key.slo}\u0000${key.targetRegion}\u0000${key.vantage}`;
}
