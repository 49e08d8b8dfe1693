// Minute rows out of the packed hours, in minute order: what the engine steps through and what reports sum.
// Hours read a minute at a time (the minute leaving each window walks one hour for an hour) are kept as
// slabs between reads; a write to an hour drops its slab.
import type { Block, BlockTable, SeriesSums } from './block-table.js';
import type { BucketRow } from './bucket-store.js';
import { HourSlab } from './hour-slab.js';
import { BLOCK_MINUTES, decodeHour, emptyHour, type HourCounts } from './minute-block.js';

/** Hours kept as slabs: one per distinct window length plus the newest; more would only hold memory. */
const CACHED_HOURS = 16;
/** Long reads go a day of hours at a time. */
const HOURS_PER_READ = 24;

export class MinuteReader {
  private readonly slabs = new Map<number, HourSlab>();

  constructor(private readonly blocks: BlockTable) {}

  /** An hour was written: its slab is stale. */
  forget(hour: number): void {
    this.slabs.delete(hour);
  }

  forgetAll(): void {
    this.slabs.clear();
  }

  /**
   * Visits every bucket with minute in [from, to) in minute order (then series), a day of hours in memory at a
   * time; with `only`, just those series (read through the series index rather than every series' hours).
   */
  eachRow(fromMinute: number, toMinute: number, visit: (row: BucketRow) => void, only?: ReadonlySet<number>): void {
    if (toMinute <= fromMinute) return;
    const endHour = Math.floor((toMinute - 1) / BLOCK_MINUTES) + 1;
    let hour = Math.floor(fromMinute / BLOCK_MINUTES);
    if (hour + 1 === endHour && only === undefined) {
      this.visitSlab(this.slab(hour), fromMinute, toMinute, visit);
      return;
    }
    for (;;) {
      const next = only === undefined ? this.blocks.firstHour(hour) : hour;
      if (next === null || next >= endHour) return;
      const to = Math.min(endHour, next + HOURS_PER_READ);
      const blocks = only === undefined ? this.blocks.inHours(next, to) : this.blocksOf(only, next, to);
      for (let i = 0; i < blocks.length; ) {
        let j = i;
        while (j < blocks.length && (blocks[j] as Block).hour === (blocks[i] as Block).hour) j++;
        this.visitHour(blocks.slice(i, j), fromMinute, toMinute, visit);
        i = j;
      }
      hour = to;
    }
  }

  private slab(hour: number): HourSlab {
    let slab = this.slabs.get(hour);
    if (slab) this.slabs.delete(hour);
    else slab = new HourSlab(hour, this.blocks.inHours(hour, hour + 1));
    this.slabs.set(hour, slab);
    if (this.slabs.size > CACHED_HOURS) this.slabs.delete(this.slabs.keys().next().value as number);
    return slab;
  }

  private visitSlab(slab: HourSlab, fromMinute: number, toMinute: number, visit: (row: BucketRow) => void): void {
    const base = slab.hour * BLOCK_MINUTES;
    const first = Math.max(fromMinute, base);
    const end = Math.min(toMinute, base + BLOCK_MINUTES);
    if (end - first === 1) slab.eachAt(first - base, (seriesId, good, total) => visit({ seriesId, minute: first, good, total }));
    else visitDecoded(slab.decodeAll(), base, first - base, end - base, visit);
  }

  /** One hour's blocks (in series order) as minute rows in minute order. */
  private visitHour(blocks: readonly Block[], fromMinute: number, toMinute: number, visit: (row: BucketRow) => void): void {
    const base = (blocks[0] as Block).hour * BLOCK_MINUTES;
    const decoded = blocks.map((block) => ({ seriesId: block.seriesId, counts: decodeHour(block.data, emptyHour()) }));
    visitDecoded(decoded, base, Math.max(fromMinute, base) - base, Math.min(toMinute, base + BLOCK_MINUTES) - base, visit);
  }

  /** Adds per-series sums over minutes [from, to), which lie within one hour, to `into`. */
  addSumsInHour(fromMinute: number, toMinute: number, into: Map<number, SeriesSums>): void {
    if (toMinute <= fromMinute) return;
    const hour = Math.floor(fromMinute / BLOCK_MINUTES);
    if (Math.floor((toMinute - 1) / BLOCK_MINUTES) !== hour) throw new RangeError('addSumsInHour takes minutes of one hour');
    this.slab(hour).addSums(fromMinute - hour * BLOCK_MINUTES, toMinute - hour * BLOCK_MINUTES, into);
  }

  /** The blocks of some series in hours [from, to), by hour then series. */
  private blocksOf(only: ReadonlySet<number>, fromHour: number, toHour: number): Block[] {
    return [...only].flatMap((id) => this.blocks.ofSeries(id, fromHour, toHour)).sort((a, b) => a.hour - b.hour || a.seriesId - b.seriesId);
  }

  /** Sums of some series' minutes in [from, to) per bucket of `bucketMinutes` from `fromMinute`: the buckets with data. */
  bucketSums(seriesIds: readonly number[], fromMinute: number, toMinute: number, bucketMinutes: number): { minutes: Float64Array; good: Float64Array; total: Float64Array } {
    const count = Math.max(0, Math.ceil((toMinute - fromMinute) / bucketMinutes));
    const good = new Float64Array(count);
    const total = new Float64Array(count);
    const firstHour = Math.floor(fromMinute / BLOCK_MINUTES);
    const endHour = Math.floor((toMinute - 1) / BLOCK_MINUTES) + 1;
    const hour = emptyHour();
    for (const id of count === 0 ? [] : seriesIds) {
      for (const block of this.blocks.ofSeries(id, firstHour, endHour)) {
        const counts = decodeHour(block.data, hour);
        const base = block.hour * BLOCK_MINUTES;
        for (let i = 0; i < BLOCK_MINUTES; i++) {
          const t = counts.total[i] as number;
          const minute = base + i;
          if (t === 0 || minute < fromMinute || minute >= toMinute) continue;
          const b = Math.floor((minute - fromMinute) / bucketMinutes);
          good[b] = (good[b] as number) + (counts.good[i] as number);
          total[b] = (total[b] as number) + t;
        }
      }
    }
    const kept: number[] = [];
    for (let b = 0; b < count; b++) if ((total[b] as number) > 0) kept.push(b);
    return {
      minutes: Float64Array.from(kept, (b) => fromMinute + b * bucketMinutes),
      good: Float64Array.from(kept, (b) => good[b] as number),
      total: Float64Array.from(kept, (b) => total[b] as number),
    };
  }
}

/** Minutes [first, end) of an hour's decoded series, minute by minute, each in series order. */
function visitDecoded(decoded: ReadonlyArray<{ seriesId: number; counts: HourCounts }>, base: number, first: number, end: number, visit: (row: BucketRow) => void): void {
  for (let i = first; i < end; i++) {
    for (const { seriesId, counts } of decoded) {
      const total = counts.total[i] as number;
      if (total > 0) visit({ seriesId, minute: base + i, good: counts.good[i] as number, total });
    }
  }
}
