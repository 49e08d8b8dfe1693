import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type BucketRow, BucketStore } from './bucket-store.js';
import { type Db, openDatabase } from './database.js';

// Minutes around an hour and a day boundary, so every read crosses packed hours and day sums.
const M0 = Date.parse('2026-11-16T22:30:00Z') / 60_000;
const SPAN = 3 * 1440;
const SLOS = ['api', 'web'];
const REGIONS = ['eu', 'us'];
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

type Model = Map<string, { slo: string; region: string; vantage: string; minute: number; good: number; total: number }>;
const keyOf = (slo: string, region: string, vantage: string, minute: number) => `${slo}|${region}|${vantage}|${minute}`;

const event = fc.record({
  slo: fc.constantFrom(...SLOS),
  targetRegion: fc.constantFrom(...REGIONS),
  vantage: fc.constantFrom('a', 'b'),
  minute: fc.integer({ min: 0, max: SPAN }),
  total: fc.integer({ min: 0, max: 50 }),
  bad: fc.integer({ min: 0, max: 3 }),
});
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), events: fc.array(event, { minLength: 1, maxLength: 30 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      slo: fc.constantFrom(...SLOS),
      from: fc.integer({ min: 0, max: SPAN }),
      length: fc.integer({ min: 1, max: 200 }),
      events: fc.array(event, { maxLength: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), before: fc.integer({ min: 0, max: SPAN / 2 }) }) },
);

describe('the packed store', () => {
  it('reads back exactly what a minute-per-row model holds, after any adds, replacements and prunes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 1, max: SPAN }), (ops, a, b) => {
        const db = openDatabase(':memory:');
        open.push(db);
        const store = new BucketStore(db);
        const model: Model = new Map();
        for (const o of ops) {
          if (o.kind === 'add') {
            store.add(
              o.events.map((e) => ({ slo: e.slo, targetRegion: e.targetRegion, vantage: e.vantage, ts: (M0 + e.minute) * 60_000 + 59_999, good: e.total - Math.min(e.bad, e.total), total: e.total })),
            );
            for (const e of o.events) addTo(model, e.slo, e.targetRegion, e.vantage, M0 + e.minute, e.total - Math.min(e.bad, e.total), e.total);
          } else if (o.kind === 'replace') {
            const from = M0 + o.from;
            const to = from + o.length;
            const records = o.events.map((e) => ({ targetRegion: e.targetRegion, vantage: e.vantage, minute: M0 + e.minute, good: e.total - Math.min(e.bad, e.total), total: e.total }));
            store.replaceRange(o.slo, from, to, records);
            for (const [key, v] of model) if (v.slo === o.slo && v.minute >= from && v.minute < to) model.delete(key);
            for (const r of records) if (r.minute >= from && r.minute < to) addTo(model, o.slo, r.targetRegion, r.vantage, r.minute, r.good, r.total);
          } else {
            const removed = store.pruneBefore(M0 + o.before);
            let expected = 0;
            for (const [key, v] of model) {
              if (v.minute < M0 + o.before) {
                model.delete(key);
                expected++;
              }
            }
            expect(removed).toBe(expected);
          }
        }
        const from = M0 + Math.min(a, b);
        const to = M0 + Math.max(a, b) + 1;
        const inRange = [...model.values()].filter((v) => v.minute >= from && v.minute < to);
        const seriesId = (v: { slo: string; region: string; vantage: string }) =>
          store.allSeries().find((s) => s.slo === v.slo && s.targetRegion === v.region && s.vantage === v.vantage)?.id as number;
        // Rows: minute order, then series.
        const expectedRows: BucketRow[] = inRange
          .map((v) => ({ seriesId: seriesId(v), minute: v.minute, good: v.good, total: v.total }))
          .sort((x, y) => x.minute - y.minute || x.seriesId - y.seriesId);
        expect(store.rows(from, to)).toEqual(expectedRows);
        // Sums per series, through day and hour sums.
        const sums = new Map<number, { good: number; total: number }>();
        for (const r of expectedRows) {
          const s = sums.get(r.seriesId) ?? { good: 0, total: 0 };
          s.good += r.good;
          s.total += r.total;
          sums.set(r.seriesId, s);
        }
        const bySeries = (rows: BucketRow[]) => Object.fromEntries(rows.map((r) => [r.seriesId, { good: r.good, total: r.total }]));
        expect(bySeries(store.sums(from, to))).toEqual(Object.fromEntries(sums));
        // One SLO's 7-minute buckets in one region, and its first minute.
        const api = inRange.filter((v) => v.slo === 'api' && v.region === 'eu');
        const buckets = store.sloBuckets('api', { targetRegion: 'eu', vantage: null }, from, to, 7);
        const expectedBuckets = new Map<number, [number, number]>();
        for (const v of api) {
          const start = from + Math.floor((v.minute - from) / 7) * 7;
          const b = expectedBuckets.get(start) ?? [0, 0];
          expectedBuckets.set(start, [b[0] + v.good, b[1] + v.total]);
        }
        const sorted = [...expectedBuckets].sort((x, y) => x[0] - y[0]);
        expect([...buckets.minutes]).toEqual(sorted.map(([m]) => m));
        expect([...buckets.good]).toEqual(sorted.map(([, [g]]) => g));
        expect([...buckets.total]).toEqual(sorted.map(([, [, t]]) => t));
        const apiMinutes = [...model.values()].filter((v) => v.slo === 'api').map((v) => v.minute);
        expect(store.firstMinute('api')).toBe(apiMinutes.length === 0 ? null : Math.min(...apiMinutes));
        // The day sums agree with the hours they sum.
        const days = db.prepare('SELECT series_id, day, good, total FROM day_sums WHERE total > 0 ORDER BY series_id, day').all();
        const fromHours = db
          .prepare('SELECT series_id, hour / 24 AS day, SUM(good) AS good, SUM(total) AS total FROM blocks GROUP BY series_id, day ORDER BY series_id, day')
          .all();
        expect(days).toEqual(fromHours);
        // A store opened again on the same tables reads the same.
        expect(new BucketStore(db).rows(from, to)).toEqual(expectedRows);
      }),
      { numRuns: 150 },
    );
  });
});

function addTo(model: Model, slo: string, region: string, vantage: string, minute: number, good: number, total: number): void {
  if (total === 0) return;
  const key = keyOf(slo, region, vantage, minute);
  const v = model.get(key);
  if (v) {
    v.good += good;
    v.total += total;
  } else model.set(key, { slo, region, vantage, minute, good, total });
}
