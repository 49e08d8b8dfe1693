import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventWithSchema } from './events-file.js';

const SLOS = new Set(['api', 'web']);

/** Field values that are right, and every way they are commonly wrong. */
const value = fc.oneof(
  fc.constantFrom<unknown>('api', 'web', 'nope', '', 'eu-west1', '2026-11-01T00:00:00.123Z', '2026-11-01T02:00:00+02:00', '2026-02-30T00:00:00Z', 'soon'),
  fc.constantFrom<unknown>(0, 1, 7, 10, -1, 1.5, 1e20, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -0, null, true, [], {}),
  fc.integer({ min: 0, max: 20 }),
  fc.string({ maxLength: 8 }),
);

/** Mostly right, so that both accepted records and each kind of refusal come up often. */
const mostly = (right: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: right, weight: 6 }, { arbitrary: value, weight: 1 });

const event = fc
  .record(
    {
      slo: mostly(fc.constantFrom('api', 'web')),
      ts: mostly(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).map((ms) => new Date(ms).toISOString())),
      good: mostly(fc.integer({ min: 0, max: 10 })),
      total: mostly(fc.integer({ min: 10, max: 20 })),
      region: mostly(fc.constantFrom('eu-west1', 'us-central1')),
      vantage: mostly(fc.constantFrom('eu-west1')),
    },
    { requiredKeys: ['slo', 'ts', 'good', 'total'] },
  )
  .chain((fields) => fc.option(value, { freq: 8 }).map((extra) => (extra === null ? fields : { ...fields, extra })));

describe('parseEvent', () => {
  it('answers exactly as the schema does, record or message, for any event-shaped value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: event, weight: 8 }, value, fc.jsonValue({ maxDepth: 2 })), (json) => {
        const expected = parseEventWithSchema(json, SLOS);
        if (typeof expected !== 'string') accepted++;
        expect(parseEvent(json, SLOS)).toEqual(expected);
      }),
      { numRuns: 20_000 },
    );
    // The comparison means something only if valid events, the fast path's case, were among them.
    expect(accepted).toBeGreaterThan(500);
  });

  it.each([
    ['an unknown SLO is named', { slo: 'nope', ts: '2026-11-01T00:00:00Z', good: 1, total: 1 }, 'unknown SLO "nope"'],
    [
      'a time that is not one is quoted',
      { slo: 'api', ts: 'soon', good: 1, total: 1 },
      'ts: "soon" is not an ISO 8601 time with an offset (e.g. 2026-11-01T00:00:00Z)',
    ],
    ['more good than total is refused on good', { slo: 'api', ts: '2026-11-01T00:00:00Z', good: 2, total: 1 }, 'good: must not exceed total'],
    ['an unknown field is named', { slo: 'api', ts: '2026-11-01T00:00:00Z', good: 1, total: 1, count: 1 }, 'unknown field "count"'],
    ['a fractional count is refused', { slo: 'api', ts: '2026-11-01T00:00:00Z', good: 0.5, total: 1 }, 'good: must be a whole number'],
  ])('%s', (_name, json, message) => {
    expect(parseEvent(json, SLOS)).toBe(message);
  });

  it('reads a good event into a record, regions defaulting to none', () => {
    expect(parseEvent({ slo: 'api', ts: '2026-11-01T00:00:00.250Z', good: 9, total: 10, region: 'eu-west1' }, SLOS)).toEqual({
      slo: 'api',
      ts: Date.UTC(2026, 10, 1, 0, 0, 0, 250),
      good: 9,
      total: 10,
      targetRegion: 'eu-west1',
      vantage: '',
    });
  });
});
