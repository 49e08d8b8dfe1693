import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSlo } from '../../test/helpers/definitions.js';
import { SloEngine } from '../slo/engine/engine.js';
import type { WindowStatus } from '../slo/evaluate.js';
import { type BucketChange, BucketStore, type MinuteRecord } from './bucket-store.js';
import { type Db, openDatabase } from './database.js';
import { SourceProgressStore } from './source-progress-store.js';

const T0 = Date.parse('2026-11-16T00:00:00Z');
const M0 = T0 / 60_000;
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function fresh(): { db: Db; store: BucketStore } {
  const db = openDatabase(':memory:');
  open.push(db);
  return { db, store: new BucketStore(db) };
}

const at = (minute: number, good: number, total: number, targetRegion = 'eu', vantage = ''): MinuteRecord => ({
  targetRegion,
  vantage,
  minute: M0 + minute,
  good,
  total,
});

function sums(store: BucketStore, slo: string) {
  const b = store.sloBuckets(slo, { targetRegion: null, vantage: null }, M0 - 100, M0 + 1000);
  return { good: b.good.reduce((a, x) => a + x, 0), total: b.total.reduce((a, x) => a + x, 0), minutes: [...b.minutes].map((m) => m - M0) };
}

describe('replacing pulled minutes', () => {
  it('re-reading a minute never counts it twice', () => {
    const { store } = fresh();
    store.replaceRange('api', M0, M0 + 3, [at(0, 59, 60), at(1, 10, 10)]);
    store.replaceRange('api', M0, M0 + 3, [at(0, 59, 60), at(1, 10, 10)]);
    expect(sums(store, 'api')).toEqual({ good: 69, total: 70, minutes: [0, 1] });
  });

  it('minutes and series absent from the records become empty, and other SLOs and minutes are untouched', () => {
    const { store } = fresh();
    store.replaceRange('api', M0, M0 + 5, [at(0, 1, 2), at(1, 3, 3, 'us'), at(4, 5, 5)]);
    store.replaceRange('web', M0, M0 + 5, [at(1, 7, 7)]);
    store.replaceRange('api', M0 + 1, M0 + 4, [at(2, 4, 4)]);
    expect(sums(store, 'api')).toEqual({ good: 10, total: 11, minutes: [0, 2, 4] });
    expect(sums(store, 'web')).toEqual({ good: 7, total: 7, minutes: [1] });
  });

  it('tells listeners the deltas, new minus old, and nothing for minutes that did not change', () => {
    const { store } = fresh();
    store.replaceRange('api', M0, M0 + 3, [at(0, 5, 6), at(1, 2, 2)]);
    const heard: BucketChange[] = [];
    store.onChange((changes) => heard.push(...changes));
    store.replaceRange('api', M0, M0 + 3, [at(0, 6, 6), at(1, 2, 2), at(2, 0, 1)]);
    expect(heard.map((c) => ({ minute: c.minute - M0, good: c.good, total: c.total }))).toEqual([
      { minute: 0, good: 1, total: 0 },
      { minute: 2, good: 0, total: 1 },
    ]);
  });

  it('adds duplicate records of one bucket, and ignores records outside the range', () => {
    const { store } = fresh();
    store.replaceRange('api', M0, M0 + 2, [at(0, 1, 1), at(0, 2, 3), at(5, 9, 9)]);
    expect(sums(store, 'api')).toEqual({ good: 3, total: 4, minutes: [0] });
  });
});

describe('the engine after replaced minutes', () => {
  const shapes = [
    defineSlo({ name: 'occ', objective: 99, window: '2h', regions: ['eu', 'us'] }),
    defineSlo({ name: 'slices', objective: 90, window: '3h', budgetingMethod: 'timeslices', timeslice: { window: '5m', target: 0.75 }, regions: ['eu', 'us'] }),
  ];
  const replaceArb = fc.record({
    slo: fc.constantFrom('occ', 'slices'),
    from: fc.integer({ min: -60, max: 200 }),
    span: fc.integer({ min: 1, max: 40 }),
    counts: fc.array(
      fc.record({ offset: fc.integer({ min: 0, max: 39 }), total: fc.integer({ min: 0, max: 5 }), bad: fc.integer({ min: 0, max: 5 }), region: fc.constantFrom('eu', 'us'), vantage: fc.constantFrom('', 'v1') }),
      { maxLength: 30 },
    ),
    evalMinute: fc.integer({ min: 0, max: 240 }),
  });
  const comparable = (s: WindowStatus) => ({ good: s.good, total: s.total, burnRates: Object.fromEntries(Object.entries(s.burnRates).map(([k, v]) => [k, Number(v.toPrecision(12))])) });

  it('equal a fresh engine reading the same store, for any sequence of replacements and evaluations', () => {
    fc.assert(
      fc.property(fc.array(replaceArb, { minLength: 1, maxLength: 12 }), (steps) => {
        const { store } = fresh();
        const live = new SloEngine({ store, definitions: shapes });
        let evalAt = T0;
        for (const step of steps) {
          const records = step.counts
            .filter((c) => c.offset < step.span)
            .map((c) => at(step.from + c.offset, Math.max(0, c.total - c.bad), c.total, c.region, c.vantage));
          store.replaceRange(step.slo, M0 + step.from, M0 + step.from + step.span, records);
          evalAt = Math.max(evalAt, T0 + step.evalMinute * 60_000 + 30_000);
          const got = live.evaluate(evalAt);
          const reference = new SloEngine({ store, definitions: shapes });
          const want = reference.evaluate(evalAt);
          reference.close();
          for (const [i, status] of got.entries()) {
            const expected = want[i] as typeof status;
            expect(comparable(status)).toEqual(comparable(expected));
            for (const region of ['eu', 'us']) {
              const mine = status.regions[region];
              const theirs = expected.regions[region];
              expect(mine && comparable(mine)).toEqual(theirs && comparable(theirs));
            }
          }
        }
        live.close();
      }),
      { numRuns: 120 },
    );
  });
});

describe('source progress', () => {
  it('keeps the mark across errors, clears the error on success, and starts over when the source or query changes', () => {
    const { db } = fresh();
    const progress = new SourceProgressStore(db);
    progress.recordError('api', 'prometheus', 'q1', 100, 'connection refused', 5);
    expect(progress.get('api')).toEqual({ slo: 'api', source: 'prometheus', query: 'q1', completeBefore: 100, lastSuccessAt: null, lastError: 'connection refused', lastErrorAt: 5 });
    progress.recordSuccess('api', 'prometheus', 'q1', 160, 6);
    progress.recordError('api', 'prometheus', 'q1', 100, 'timeout', 7);
    expect(progress.get('api')).toMatchObject({ completeBefore: 160, lastSuccessAt: 6, lastError: 'timeout', lastErrorAt: 7 });
    progress.recordSuccess('api', 'prometheus', 'q1', 170, 8);
    expect(progress.get('api')).toMatchObject({ completeBefore: 170, lastError: null, lastErrorAt: null });
    progress.recordError('api', 'prometheus', 'q2', 110, 'bad_data', 9);
    expect(progress.get('api')).toMatchObject({ query: 'q2', completeBefore: 110 });
    progress.recordError('api', 'cloud-monitoring', 'q2', 120, 'denied', 10);
    expect(progress.get('api')).toMatchObject({ source: 'cloud-monitoring', completeBefore: 120 });
    expect(progress.all().map((p) => p.slo)).toEqual(['api']);
  });
});
