import { describe, expect, it } from 'vitest';
import { defineSlo } from '../../test/helpers/definitions.js';
import { EventReport } from './event-report.js';
import type { SloDefinition } from './model.js';
import type { EventRecord } from './sources/events-file.js';

const T0 = Date.parse('2026-11-10T12:00:00Z');

/** One probe result per second; bad from `outageFrom` on. */
function perSecond(slo: string, fromMs: number, toMs: number, outageFrom: number): EventRecord[] {
  const events: EventRecord[] = [];
  for (let ts = fromMs; ts < toMs; ts += 1000) {
    events.push({ slo, ts, good: ts >= outageFrom ? 0 : 1, total: 1, targetRegion: 'eu-west1', vantage: '' });
  }
  return events;
}

function firstFiring(def: SloDefinition, onset: number, alert: { long: string; short: string }): number | null {
  const events = perSecond(def.name, onset - 2 * 3600_000, onset + 300_000, onset);
  for (let s = 0; s <= 300; s++) {
    const report = new EventReport([def], onset + s * 1000);
    for (const e of events) report.add(e);
    const status = report.statuses()[0];
    if (status?.alerts.find((a) => a.long === alert.long && a.short === alert.short)?.firing) return s;
  }
  return null;
}

describe('detection time of a 100 % outage on a 99.9 % SLO (probes every second)', () => {
  it.each([
    ['30d: the 1h/5m page fires 52 s after onset (51.8 s of errors needed)', '30d', 51.84, 52],
    ['28d: the 1h/5m page fires 49 s after onset (48.4 s of errors needed)', '28d', 48.384, 49],
  ])('%s', (_sentence, window, theory, exact) => {
    const def = defineSlo({ objective: 99.9, window });
    const fired = firstFiring(def, T0, { long: '1h', short: '5m' });
    expect(fired).toBe(exact);
    expect(Math.abs((fired as number) - theory)).toBeLessThanOrEqual(60);
  });

  it('fires within one minute bucket of theory when the outage starts mid-minute', () => {
    const def = defineSlo({ objective: 99.9, window: '30d' });
    const fired = firstFiring(def, T0 + 37_000, { long: '1h', short: '5m' });
    expect(fired).not.toBeNull();
    expect(Math.abs((fired as number) - 51.84)).toBeLessThanOrEqual(60);
  });

  it('fires the 6h/30m page once 5 % of a 30-day budget is gone: 130 s of a full outage', () => {
    const def = defineSlo({ objective: 99.9, window: '30d' });
    const onset = T0;
    const events = perSecond(def.name, onset - 7 * 3600_000, onset + 30 * 60_000, onset);
    const at = (s: number) => {
      const report = new EventReport([def], onset + s * 1000);
      for (const e of events) report.add(e);
      return report.statuses()[0]?.alerts.find((a) => a.long === '6h')?.firing;
    };
    // 6 × 0.1 % of 6 h is 21.6 s of errors per hour of window: 129.6 s over the 6 h window.
    expect(at(129)).toBe(false);
    expect(at(131)).toBe(true);
  });
});

describe('report of imported events', () => {
  const def = defineSlo({ name: 'api', objective: 99, window: '7d', regions: ['eu-west1', 'us-central1'] });
  const events: EventRecord[] = [
    { slo: 'api', ts: T0 - 3600_000, good: 97, total: 100, targetRegion: 'eu-west1', vantage: '' },
    { slo: 'api', ts: T0 - 60_000, good: 100, total: 100, targetRegion: 'us-central1', vantage: '' },
    { slo: 'api', ts: T0 - 8 * 86_400_000, good: 0, total: 100, targetRegion: 'eu-west1', vantage: '' },
    { slo: 'api', ts: T0, good: 0, total: 100, targetRegion: 'eu-west1', vantage: '' },
    { slo: 'api', ts: T0 - 30_000, good: 50, total: 50, targetRegion: '', vantage: '' },
  ];
  const report = new EventReport([def], T0);
  for (const e of events) report.add(e);
  const [status] = report.statuses();

  it('sums the window, ignoring events older than the window and at or after `at`', () => {
    expect(status).toMatchObject({ name: 'api', squad: 'test', objective: 0.99, window: '7d', good: 247, total: 250 });
    expect(status?.sli).toBeCloseTo(0.988, 12);
    expect(status?.errorBudget.consumed).toBeCloseTo(1.2, 12);
    expect(status?.errorBudget.remaining).toBeCloseTo(-0.2, 12);
  });

  it('splits by target region, counting events without a region only in the total', () => {
    expect(status?.regions['eu-west1']).toMatchObject({ good: 97, total: 100 });
    expect(status?.regions['us-central1']).toMatchObject({ good: 100, total: 100, sli: 1 });
    expect(Object.keys(status?.regions ?? {})).toEqual(['eu-west1', 'us-central1']);
  });

  it('reports burn rates over every standard window', () => {
    expect(Object.keys(status?.burnRates ?? {})).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    expect(status?.burnRates['5m']).toBe(0);
    // 1h window: eu-west1 at T0−1h is in it ([T0−1h, T0)), 3 bad of 250.
    expect(status?.burnRates['1h']).toBeCloseTo(1.2, 12);
  });
});

describe('timeslice budgeting', () => {
  const def = defineSlo({
    name: 'sla',
    objective: 99,
    window: '1d',
    budgetingMethod: 'timeslices',
    timeslice: { window: '1m', target: 0.95 },
  });

  it('counts a minute good when its own ratio reaches the slice target, and skips empty minutes', () => {
    const report = new EventReport([def], T0);
    report.add({ slo: 'sla', ts: T0 - 180_000, good: 95, total: 100, targetRegion: '', vantage: '' });
    report.add({ slo: 'sla', ts: T0 - 120_000, good: 94, total: 100, targetRegion: '', vantage: '' });
    report.add({ slo: 'sla', ts: T0 - 119_000, good: 1, total: 1, targetRegion: '', vantage: '' });
    report.add({ slo: 'sla', ts: T0 - 60_000, good: 0, total: 0, targetRegion: '', vantage: '' });
    const [status] = report.statuses();
    // Minute −3: 95/100 good. Minute −2: 95/101 = 94.06 % bad. Minute −1: no events, not counted.
    expect(status).toMatchObject({ good: 1, total: 2, sli: 0.5 });
    expect(status?.errorBudget.consumed).toBeCloseTo(50, 12);
  });
});
