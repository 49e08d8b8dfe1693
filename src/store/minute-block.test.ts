import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_MINUTES, decodeHour, emptyHour, encodeHour, type HourCounts, minuteAt } from './minute-block.js';

const minute = fc.oneof(
  fc.constant([0, 0] as const),
  fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })).map(([total, bad]) => [total, Math.min(bad, total)] as const),
  fc.tuple(fc.maxSafeNat(), fc.maxSafeNat()).map(([a, b]) => [Math.max(a, b), Math.max(a, b) - Math.min(a, b)] as const),
);
const hour = fc.array(minute, { minLength: BLOCK_MINUTES, maxLength: BLOCK_MINUTES }).map((minutes): HourCounts => {
  const counts = emptyHour();
  minutes.forEach(([total, bad], i) => {
    counts.total[i] = total;
    counts.good[i] = total - bad;
  });
  return counts;
});

describe('packed hours', () => {
  it('decode to exactly the counts encoded, every minute, up to 2^53', () => {
    fc.assert(
      fc.property(hour, (counts) => {
        const decoded = decodeHour(encodeHour(counts), emptyHour());
        expect([...decoded.good]).toEqual([...counts.good]);
        expect([...decoded.total]).toEqual([...counts.total]);
      }),
      { numRuns: 500 },
    );
  });

  it('read one minute without the rest, the same as a whole decode', () => {
    fc.assert(
      fc.property(hour, fc.integer({ min: 0, max: BLOCK_MINUTES - 1 }), (counts, i) => {
        const data = encodeHour(counts);
        // Inside a larger buffer, as the engine's slabs hold them.
        const padded = Buffer.concat([Buffer.from([255, 255, 255]), data, Buffer.from([7])]);
        const one = { good: -1, total: -1 };
        minuteAt(padded, i, one, 3, 3 + data.length);
        expect(one).toEqual({ good: counts.good[i], total: counts.total[i] });
      }),
      { numRuns: 500 },
    );
  });

  it('take one byte a minute for steady traffic with no errors, two with some, and nothing for an empty tail', () => {
    const steady = emptyHour();
    const flaky = emptyHour();
    for (let i = 0; i < BLOCK_MINUTES; i++) {
      steady.total[i] = 1_000 + (i % 5);
      steady.good[i] = steady.total[i] as number;
      flaky.total[i] = 12;
      flaky.good[i] = 12 - (i % 3);
    }
    // The first minute's delta from 0 takes two bytes (1,000 × 2 ≥ 128).
    expect(encodeHour(steady).length).toBe(2 + 1 + 59 * 2);
    expect(encodeHour(flaky).length).toBe(BLOCK_MINUTES * 2);
    const firstMinutes = emptyHour();
    firstMinutes.total[0] = 3;
    firstMinutes.good[0] = 3;
    firstMinutes.total[1] = 3;
    firstMinutes.good[1] = 2;
    expect(encodeHour(firstMinutes).length).toBe(4);
    expect(encodeHour(emptyHour()).length).toBe(0);
  });

  it.each([
    ['good above total', 5, 4],
    ['a negative count', -1, 3],
    ['a fraction', 1.5, 3],
    ['a count past 2^53', 1, 2 ** 54],
  ])('refuses %s', (_name, good, total) => {
    const counts = emptyHour();
    counts.good[7] = good;
    counts.total[7] = total;
    expect(() => encodeHour(counts)).toThrow(/minute 7/);
  });

  it('says a damaged block is damaged instead of inventing counts', () => {
    expect(() => decodeHour(Buffer.from([0x81]), emptyHour())).toThrow(/damaged/);
  });
});
