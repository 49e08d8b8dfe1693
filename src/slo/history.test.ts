import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSlo } from '../../test/helpers/definitions.js';
import { MINUTE_MS } from '../lib/duration.js';
import { EventReport, sumsOf } from './event-report.js';
import { bucketMinutesFor, historyPoints, lookbackMinutes, minuteSums } from './history.js';
import type { Counts } from './math/budget.js';
import type { EventRecord } from './sources/events-file.js';
import { UnitSeries } from './unit-series.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');

function minutesOf(events: readonly EventRecord[]): Map<number, Counts> {
  const minutes = new Map<number, Counts>();
  for (const e of events) {
    const m = Math.floor(e.ts / MINUTE_MS);
    const c = minutes.get(m) ?? { good: 0, total: 0 };
    c.good += e.good;
    c.total += e.total;
    minutes.set(m, c);
  }
  return minutes;
}

describe('SLO history', () => {
  it.each([
    ['a rolling 7-day SLO', { window: '7d', objective: 99 }],
    ['a calendar month in Stockholm', { window: { calendar: 'month', timeZone: 'Europe/Stockholm' }, objective: 99.5 }],
    ['5-minute timeslices over 28 days', { window: '28d', objective: 99, budgetingMethod: 'timeslices' as const, timeslice: { window: '5m', target: 0.95 } }],
  ])('for %s, the point at T is exactly what vigil report --at T says for the same events', (_what, spec) => {
    const def = defineSlo({ name: 'api', ...spec });
    fc.assert(
      fc.property(
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 20 * 1440 }), second: fc.integer({ min: 0, max: 59 }), total: fc.integer({ min: 1, max: 50 }), bad: fc.integer({ min: 0, max: 50 }) }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 * 1440 }),
        (raw, atMinute) => {
          const events: EventRecord[] = raw.map((r) => ({ slo: 'api', ts: T0 + r.minute * MINUTE_MS + r.second * 1000, good: r.total - Math.min(r.bad, r.total), total: r.total, targetRegion: '', vantage: '' }));
          const at = T0 + atMinute * MINUTE_MS;
          const report = new EventReport([def], at);
          for (const e of events) report.add(e);
          const [expected] = report.statuses();
          const [point] = historyPoints(def, minuteSums(def, minutesOf(events)), at, at, 5 * MINUTE_MS);
          expect(point).toMatchObject({ good: expected?.good, total: expected?.total, sli: expected?.sli, errorBudget: expected?.errorBudget, burnRates: expected?.burnRates });
          expect(point?.firing).toEqual(expected?.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long}/${a.short}`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('steps from the first instant to the last inclusive, at most 10,000 points', () => {
    const def = defineSlo({ name: 'api', window: '7d' });
    const points = historyPoints(def, minuteSums(def, new Map()), T0, T0 + 60 * MINUTE_MS, 5 * MINUTE_MS);
    expect(points.map((p) => p.t.slice(11, 16))).toEqual(['00:00', '00:05', '00:10', '00:15', '00:20', '00:25', '00:30', '00:35', '00:40', '00:45', '00:50', '00:55', '01:00']);
    expect(points[0]).toMatchObject({ total: 0, sli: null, errorBudget: { consumed: 0, remaining: 1 } });
    expect(historyPoints(def, minuteSums(def, new Map()), T0, T0 + 20_000 * MINUTE_MS, MINUTE_MS)).toHaveLength(10_000);
  });

  it('sums the store in buckets of the gcd of the step and every window, with the same numbers as minutes', () => {
    const def = defineSlo({ name: 'api', window: '7d', objective: 99.5 });
    expect(bucketMinutesFor(def, 60)).toBe(5);
    expect(bucketMinutesFor(def, 7)).toBe(1);
    expect(bucketMinutesFor(defineSlo({ name: 'cal', window: { calendar: 'month' } }), 60)).toBe(1);
    fc.assert(
      fc.property(fc.array(fc.record({ minute: fc.integer({ min: 0, max: 9 * 1440 }), total: fc.integer({ min: 1, max: 50 }), bad: fc.integer({ min: 0, max: 50 }) }), { maxLength: 300 }), fc.integer({ min: 0, max: 59 }), (raw, offset) => {
        const minutes = new Map<number, Counts>();
        for (const r of raw) {
          const m = T0 / MINUTE_MS + r.minute;
          const c = minutes.get(m) ?? { good: 0, total: 0 };
          minutes.set(m, { good: c.good + r.total - Math.min(r.bad, r.total), total: c.total + r.total });
        }
        const from = T0 + (7 * 1440 + offset) * MINUTE_MS;
        const to = from + 2 * 1440 * MINUTE_MS;
        const step = 60 * MINUTE_MS;
        const bucket = bucketMinutesFor(def, 60);
        // Buckets aligned on the first point, as the server reads them from the store.
        const base = from / MINUTE_MS - Math.ceil(lookbackMinutes(def) / bucket) * bucket;
        const coarse = new Map<number, Counts>();
        for (const [m, c] of minutes) {
          const first = base + Math.floor((m - base) / bucket) * bucket;
          const b = coarse.get(first) ?? { good: 0, total: 0 };
          coarse.set(first, { good: b.good + c.good, total: b.total + c.total });
        }
        const keys = [...coarse.keys()].sort((a, b) => a - b);
        const series = UnitSeries.fromSorted(Float64Array.from(keys), Float64Array.from(keys.map((k) => coarse.get(k)?.good ?? 0)), Float64Array.from(keys.map((k) => coarse.get(k)?.total ?? 0)));
        const exact = sumsOf(series);
        expect(historyPoints(def, () => exact, from, to, step)).toEqual(historyPoints(def, minuteSums(def, minutes), from, to, step));
      }),
      { numRuns: 40 },
    );
  });
});
