// The result text an agent writes as each attempt ends is the text the object path would give, character for
// character, and the server's schema reads it back into the same result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBE_TYPES } from './kinds/kind.js';
import { FAILURE_KINDS, type Outcome, type Phases } from './outcome.js';
import { encodeResult, probeResultSchema, toJson, toResult } from './result-json.js';
import type { TargetLabels } from './scheduler.js';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const labels: fc.Arbitrary<TargetLabels> = fc.record({
  probe: text,
  type: fc.constantFrom(...PROBE_TYPES),
  target: text,
  targetRegion: text,
  vantage: text,
});
// Milliseconds as attempts give them, and the awkward ones: negatives (a clock step), halves of a microsecond,
// whole numbers, huge values.
const ms = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.double({ min: -10, max: 1e13, noNaN: true }),
  fc.integer({ min: 0, max: 2_000_000_000 }).map((micros) => micros / 1000),
  fc.integer({ min: 0, max: 2_000_000 }).map((micros) => micros / 1000 + 0.0005),
);
const phases: fc.Arbitrary<Phases> = fc.record(
  { dns: ms, connect: ms, tls: ms, ttfb: ms, transfer: ms },
  { requiredKeys: [] },
);
const outcome: fc.Arbitrary<Outcome> = fc
  .record(
    {
      ok: fc.boolean(),
      latencyMs: ms,
      failure: fc.constantFrom(...FAILURE_KINDS),
      status: fc.integer({ min: 100, max: 599 }),
      phases,
      certExpiresAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      detail: fc.string({ unit: 'binary', maxLength: 700 }),
    },
    { requiredKeys: ['ok', 'latencyMs', 'failure'] },
  )
  .map((o) => ({ ...o, failure: o.ok ? null : o.failure }));
// Any time from 1970 to 2100, with its milliseconds, and fractions that the result drops.
const startedAt = fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true });

describe('encodeResult', () => {
  it('writes exactly the text of the result object, for any labels, outcome and start time', () => {
    fc.assert(
      fc.property(labels, startedAt, outcome, (l, at, o) => {
        expect(encodeResult(l, at, o)).toBe(JSON.stringify(toJson(toResult(l, at, o))));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes results the server reads back as the same result', () => {
    fc.assert(
      fc.property(labels, startedAt, outcome, (l, at, o) => {
        fc.pre(l.probe !== '' && l.target !== '' && l.targetRegion !== '' && l.vantage !== '');
        const read = probeResultSchema.parse(JSON.parse(encodeResult(l, at, o)));
        expect(read).toEqual(toResult(l, at, o));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['the first millisecond of a second', Date.parse('2026-12-07T19:01:30.000Z')],
    ['a millisecond under 10', Date.parse('2026-12-07T19:01:30.007Z')],
    ['a millisecond under 100', Date.parse('2026-12-07T19:01:30.042Z')],
    ['the last millisecond of a year', Date.parse('2026-12-31T23:59:59.999Z')],
    ['a time before 1970', Date.parse('1969-12-31T23:59:59.999Z')],
  ])('writes the ISO time of %s as toISOString does', (_name, at) => {
    const l: TargetLabels = { probe: 'p', type: 'http', target: 't', targetRegion: 'r', vantage: 'v' };
    const o: Outcome = { ok: true, latencyMs: 1, failure: null };
    expect(JSON.parse(encodeResult(l, at, o)).ts).toBe(new Date(at).toISOString());
  });
});
