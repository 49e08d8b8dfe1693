// One series' hour of minute counts packed into a few bytes, the store's unit on disk. Per minute: the change
// of total since the previous minute (signed varint: steady traffic gives 1 byte) and, when total > 0, the bad
// count (varint: usually 0, 1 byte). Empty minutes at the end of the hour are left out, so the hour being
// written holds only the minutes that have passed. Counts are whole numbers up to 2^53 (arithmetic, not bit
// operations, past 2^31; the sign rides in the first byte so no value ever needs 54 bits).

export const BLOCK_MINUTES = 60;

/** One hour's counts, minute i of the hour at index i. */
export interface HourCounts {
  good: Float64Array;
  total: Float64Array;
}

export function emptyHour(): HourCounts {
  return { good: new Float64Array(BLOCK_MINUTES), total: new Float64Array(BLOCK_MINUTES) };
}

const scratch = new Uint8Array(BLOCK_MINUTES * 2 * 8);

/** Packs an hour; an hour with no counts packs to an empty buffer. */
export function encodeHour(hour: HourCounts): Buffer {
  let last = BLOCK_MINUTES - 1;
  while (last >= 0 && hour.total[last] === 0) last--;
  let at = 0;
  let previous = 0;
  for (let i = 0; i <= last; i++) {
    const total = hour.total[i] as number;
    const good = hour.good[i] as number;
    if (!(Number.isSafeInteger(total) && Number.isSafeInteger(good) && good >= 0 && good <= total)) {
      throw new RangeError(`bad counts in minute ${i} of an hour: good ${good}, total ${total} (need whole numbers, 0 ≤ good ≤ total)`);
    }
    at = writeSigned(total - previous, at);
    if (total > 0) at = writeVarint(total - good, at);
    previous = total;
  }
  return Buffer.from(scratch.subarray(0, at));
}

/** Unpacks `data` into `into` (every minute is written, the empty ones as 0). */
export function decodeHour(data: Uint8Array, into: HourCounts): HourCounts {
  into.good.fill(0);
  into.total.fill(0);
  const cursor = { at: 0 };
  let total = 0;
  for (let i = 0; i < BLOCK_MINUTES && cursor.at < data.length; i++) {
    total += readSigned(data, cursor);
    into.total[i] = total;
    into.good[i] = total > 0 ? total - readVarint(data, cursor) : 0;
  }
  return into;
}

/** Sums of an hour's minutes. */
export function hourSums(hour: HourCounts): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (let i = 0; i < BLOCK_MINUTES; i++) {
    good += hour.good[i] as number;
    total += hour.total[i] as number;
  }
  return { good, total };
}

/** First byte: 6 bits of |value|, the sign, a continuation bit; then |value| / 64 as a varint. */
function writeSigned(value: number, at: number): number {
  const magnitude = Math.abs(value);
  const first = (magnitude % 64) * 2 + (value < 0 ? 1 : 0);
  if (magnitude < 64) {
    scratch[at] = first;
    return at + 1;
  }
  scratch[at] = first | 128;
  return writeVarint(Math.floor(magnitude / 64), at + 1);
}

function readSigned(data: Uint8Array, cursor: { at: number }): number {
  if (cursor.at >= data.length) throw new RangeError('a packed hour ends inside a number: the block is damaged');
  const first = data[cursor.at++] as number;
  const magnitude = (first & 127) >> 1;
  const value = first < 128 ? magnitude : magnitude + readVarint(data, cursor) * 64;
  return first & 1 ? -value : value;
}

function writeVarint(value: number, at: number): number {
  let v = value;
  while (v >= 128) {
    scratch[at++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  scratch[at++] = v;
  return at;
}

function readVarint(data: Uint8Array, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (cursor.at >= data.length) throw new RangeError('a packed hour ends inside a number: the block is damaged');
    const byte = data[cursor.at++] as number;
    value += (byte & 127) * scale;
    if (byte < 128) return value;
    scale *= 128;
  }
}

/**
 * Counts of minute `i` of the packed hour in data[start, end), decoding no further than it. Inlined varints:
 * the engine calls this once per series for every minute leaving a window.
 */
export function minuteAt(data: Uint8Array, i: number, into: { good: number; total: number }, start = 0, end = data.length): void {
  let at = start;
  let total = 0;
  let good = 0;
  for (let m = 0; m <= i; m++) {
    if (at >= end) {
      total = 0;
      good = 0;
      break;
    }
    const first = data[at++] as number;
    let delta = (first & 127) >> 1;
    if (first >= 128) {
      for (let scale = 64; ; scale *= 128) {
        const byte = data[at++] as number;
        delta += (byte & 127) * scale;
        if (byte < 128) break;
      }
    }
    total += first & 1 ? -delta : delta;
    let bad = 0;
    if (total > 0) {
      for (let scale = 1; ; scale *= 128) {
        const byte = data[at++] as number;
        bad += (byte & 127) * scale;
        if (byte < 128) break;
      }
    }
    good = total - bad;
  }
  into.good = good;
  into.total = total;
}
