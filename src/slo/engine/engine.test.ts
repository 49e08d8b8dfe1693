import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSlo, type SloSpecInput } from '../../../test/helpers/definitions.js';
import { BucketStore } from '../../store/bucket-store.js';
import { type Db, openDatabase } from '../../store/database.js';
import type { WindowStatus } from '../evaluate.js';
import { EventReport } from '../event-report.js';
import type { SloDefinition } from '../model.js';
import type { EventRecord } from '../sources/events-file.js';
import { SloEngine } from './engine.js';
import { vantageGroup } from './slo-state.js';

const T0 = Date.parse('2026-11-16T00:00:00Z');
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function engineFor(defs: SloDefinition[]): { engine: SloEngine; store: BucketStore } {
  const db = openDatabase(':memory:');
  open.push(db);
  const store = new BucketStore(db);
  return { engine: new SloEngine({ store, definitions: defs }), store };
}

function reference(defs: SloDefinition[], events: readonly EventRecord[], at: number) {
  const report = new EventReport(defs, at);
  for (const e of events) report.add(e);
  return report.statuses();
}

function comparable(s: WindowStatus) {
  return {
    good: s.good,
    total: s.total,
    consumed: Number(s.errorBudget.consumed.toPrecision(12)),
    burnRates: Object.fromEntries(Object.entries(s.burnRates).map(([k, v]) => [k, Number(v.toPrecision(12))])),
    firing: s.alerts.map((a) => a.firing),
  };
}

const SLO_SHAPES: SloSpecInput[] = [
  { objective: 99.9, window: '2h', regions: ['eu', 'us'] },
  { objective: 95, window: '1d', regions: ['eu'] },
  { objective: 99, window: '3h', budgetingMethod: 'timeslices', timeslice: { window: '1m', target: 0.9 }, regions: ['us'] },
  { objective: 90, window: '6h', budgetingMethod: 'timeslices', timeslice: { window: '5m', target: 0.75 } },
  { objective: 99.5, window: { calendar: 'week', timeZone: 'Europe/Stockholm' }, regions: ['eu', 'us'] },
  {
    objective: 98,
    window: '4h',
    alerting: { windows: [{ severity: 'page', long: '30m', short: '5m', burnRate: 2 }] },
  },
];

const eventArb = fc.record({
  // Dense enough that late events often land in a minute or slice that already has data.
  minute: fc.oneof(fc.integer({ min: -120, max: 360 }), fc.integer({ min: 0, max: 30 })),
  second: fc.integer({ min: 0, max: 59 }),
  total: fc.integer({ min: 0, max: 6 }),
  badShare: fc.double({ min: 0, max: 1, noNaN: true }),
  region: fc.constantFrom('eu', 'us'),
  vantage: fc.constantFrom('v1', 'v2'),
  /** How long after it happened the event reaches the store. */
  delayMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 240 })),
});

describe('the live engine agrees with a full recomputation', () => {
  it('for any events, arrival order and evaluation times, including late data', () => {
    fc.assert(
      fc.property(
        fc.subarray(SLO_SHAPES.map((_, i) => i), { minLength: 1 }),
        fc.array(eventArb, { maxLength: 150 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 400 * 60 }), { minLength: 1, maxLength: 12 }),
        (shapeIndexes, raw, evalSeconds) => {
          const defs = shapeIndexes.map((i) => defineSlo({ ...SLO_SHAPES[i], name: `slo-${i}` }));
          const { engine, store } = engineFor(defs);
          const events = raw.flatMap((r) =>
            defs.map((def) => {
              const ts = T0 + r.minute * 60_000 + r.second * 1000;
              const total = r.total;
              return {
                event: { slo: def.name, ts, good: total - Math.round(total * r.badShare), total, targetRegion: r.region, vantage: r.vantage },
                arrives: ts + 1 + r.delayMinutes * 60_000,
              };
            }),
          );
          const times = [...evalSeconds].sort((a, b) => a - b).map((s) => T0 + s * 1000);
          const delivered: EventRecord[] = [];
          let pending = [...events].sort((a, b) => a.arrives - b.arrives);
          for (const at of times) {
            const now = pending.filter((p) => p.arrives <= at);
            pending = pending.filter((p) => p.arrives > at);
            if (now.length) store.add(now.map((p) => p.event));
            delivered.push(...now.map((p) => p.event));
            const live = engine.evaluate(at);
            const expected = reference(defs, delivered, at);
            for (const [i, status] of live.entries()) {
              const ref = expected[i];
              if (!ref) throw new Error('missing reference');
              expect(comparable(status)).toEqual(comparable(ref));
              for (const region of Object.keys(ref.regions)) {
                expect(comparable(status.regions[region] as WindowStatus)).toEqual(comparable(ref.regions[region] as WindowStatus));
              }
              // Per (target region, vantage): the groups failover decides on.
              const pair = reference(
                [defs[i] as SloDefinition],
                delivered.filter((e) => e.slo === status.name && e.targetRegion === 'eu' && e.vantage === 'v1'),
                at,
              )[0] as WindowStatus;
              const group = engine.groupStatus(status.name, vantageGroup('eu', 'v1'));
              expect(comparable(group as WindowStatus)).toEqual(comparable(pair));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('budget consumption does not depend on how events are bucketed', () => {
  it('splitting, merging or reordering events within their minutes gives the same report', () => {
    const def = defineSlo({ name: 'api', objective: 99.5, window: '1d', regions: ['eu'] });
    const at = T0 + 12 * 3600_000;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 24 * 60 }),
            good: fc.integer({ min: 0, max: 50 }),
            bad: fc.integer({ min: 0, max: 5 }),
            parts: fc.integer({ min: 1, max: 4 }),
          }),
          { maxLength: 80 },
        ),
        fc.integer(),
        (raw, seed) => {
          const minuteStart = (m: number) => at - 24 * 3600_000 + m * 60_000;
          const whole: EventRecord[] = raw.map((r) => ({
            slo: 'api', ts: minuteStart(r.minute), good: r.good, total: r.good + r.bad, targetRegion: 'eu', vantage: '',
          }));
          // The same counts, cut into `parts` events spread over the same minute, in shuffled order.
          const pieces: EventRecord[] = raw.flatMap((r) =>
            Array.from({ length: r.parts }, (_, p) => {
              const share = (n: number) => Math.floor(n / r.parts) + (p < n % r.parts ? 1 : 0);
              const good = share(r.good);
              return { slo: 'api', ts: minuteStart(r.minute) + p * 7_000, good, total: good + share(r.bad), targetRegion: 'eu', vantage: '' };
            }),
          );
          const shuffled = [...pieces].sort((a, b) => ((a.ts * 31 + seed) % 97) - ((b.ts * 31 + seed) % 97));
          const a = reference([def], whole, at)[0] as WindowStatus;
          const b = reference([def], shuffled, at)[0] as WindowStatus;
          expect(comparable(b)).toEqual(comparable(a));
          const { engine, store } = engineFor([def]);
          store.add(shuffled);
          expect(comparable(engine.evaluate(at)[0] as WindowStatus)).toEqual(comparable(a));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('engine steps', () => {
  it('drops a minute from a window exactly when the window moves past it', () => {
    const def = defineSlo({ name: 'api', objective: 99, window: '1h' });
    const { engine, store } = engineFor([def]);
    engine.evaluate(T0);
    store.add([{ slo: 'api', ts: T0 + 30_000, good: 0, total: 10, targetRegion: 'eu', vantage: 'v' }]);
    const totalAt = (ms: number) => engine.evaluate(ms)[0]?.total;
    expect(totalAt(T0 + 60_000)).toBe(10);
    expect(totalAt(T0 + 3600_000)).toBe(10);
    expect(totalAt(T0 + 3600_001)).toBe(0);
  });

  it('restarts from the store: a new engine on the same data sees the same numbers', () => {
    const def = defineSlo({ name: 'api', objective: 99, window: '1d' });
    const { engine, store } = engineFor([def]);
    store.add([
      { slo: 'api', ts: T0 - 7200_000, good: 5, total: 10, targetRegion: 'eu', vantage: 'v' },
      { slo: 'api', ts: T0 - 60_000, good: 9, total: 10, targetRegion: 'us', vantage: 'v' },
    ]);
    const first = engine.evaluate(T0);
    const second = new SloEngine({ store, definitions: [def] }).evaluate(T0);
    expect(second).toEqual(first);
    expect(first[0]).toMatchObject({ good: 14, total: 20 });
  });
});

describe('an SLO that cannot be evaluated', () => {
  it('reports its error in its own status and never takes the other SLOs down', () => {
    const db = openDatabase(':memory:');
    const store = new BucketStore(db);
    const good = defineSlo({ name: 'good' });
    const base = defineSlo({ name: 'broken' });
    // A threshold no YAML could declare (validation refuses it): evaluating it throws.
    const broken: SloDefinition = { ...base, alertWindows: base.alertWindows.map((a) => ({ ...a, threshold: { kind: 'budgetShare', percent: Number.NaN } })) };
    const engine = new SloEngine({ store, definitions: [good, broken] });
    store.add([{ slo: 'good', targetRegion: '', vantage: '', ts: Date.parse('2026-11-01T00:00:00Z'), good: 9, total: 10 }]);
    const statuses = engine.evaluate(Date.parse('2026-11-01T01:00:00Z'));
    expect(statuses.find((s) => s.name === 'good')).toMatchObject({ good: 9, total: 10 });
    expect(statuses.find((s) => s.name === 'good')?.error).toBeUndefined();
    expect(statuses.find((s) => s.name === 'broken')).toMatchObject({ total: 0, alerts: [], error: expect.any(String) });
    engine.close();
    db.close();
  });
});
