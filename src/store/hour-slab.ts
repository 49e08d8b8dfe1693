// Every series' packed minutes of one hour in one buffer: what the engine reads a minute at a time (the minute
// leaving each window moves through the same hour for an hour), kept between reads at ~1 KiB per 8 series.
import type { Block } from './block-table.js';
import { decodeHour, emptyHour, type HourCounts, minuteAt } from './minute-block.js';

export class HourSlab {
  private readonly seriesIds: Int32Array;
  private readonly offsets: Int32Array;
  private readonly bytes: Buffer;

  constructor(
    readonly hour: number,
    blocks: readonly Block[],
  ) {
    this.seriesIds = new Int32Array(blocks.length);
    this.offsets = new Int32Array(blocks.length + 1);
    let size = 0;
    blocks.forEach((block, i) => {
      this.seriesIds[i] = block.seriesId;
      this.offsets[i] = size;
      size += block.data.length;
    });
    this.offsets[blocks.length] = size;
    this.bytes = Buffer.allocUnsafe(size);
    blocks.forEach((block, i) => {
      block.data.copy(this.bytes, this.offsets[i] as number);
    });
  }

  get size(): number {
    return this.seriesIds.length;
  }

  /** Counts of every series with data in minute `i` of the hour, in series order. */
  eachAt(i: number, visit: (seriesId: number, good: number, total: number) => void): void {
    const counts = { good: 0, total: 0 };
    for (let s = 0; s < this.seriesIds.length; s++) {
      minuteAt(this.bytes, i, counts, this.offsets[s] as number, this.offsets[s + 1] as number);
      if (counts.total > 0) visit(this.seriesIds[s] as number, counts.good, counts.total);
    }
  }

  /** Every series' hour decoded once: for reads of more than one minute (one minute at a time would decode each block 60 times). */
  decodeAll(): Array<{ seriesId: number; counts: HourCounts }> {
    return Array.from(this.seriesIds, (seriesId, s) => ({
      seriesId,
      counts: decodeHour(this.bytes.subarray(this.offsets[s] as number, this.offsets[s + 1] as number), emptyHour()),
    }));
  }

  /** Adds each series' sums over minutes [first, end) of the hour to `into`, without a row per minute. */
  addSums(first: number, end: number, into: Map<number, { seriesId: number; good: number; total: number }>): void {
    const hour = emptyHour();
    for (let s = 0; s < this.seriesIds.length; s++) {
      decodeHour(this.bytes.subarray(this.offsets[s] as number, this.offsets[s + 1] as number), hour);
      let good = 0;
      let total = 0;
      for (let i = first; i < end; i++) {
        good += hour.good[i] as number;
        total += hour.total[i] as number;
      }
      if (total === 0) continue;
      const seriesId = this.seriesIds[s] as number;
      const sums = into.get(seriesId);
      if (sums) {
        sums.good += good;
        sums.total += total;
      } else into.set(seriesId, { seriesId, good, total });
    }
  }
}
