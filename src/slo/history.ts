// An SLO over time: its status at every step of a span, from minute counts, with the same exact math as
// the report (evaluateWindow over prefix sums), so the point at T is what `vigil report --at T` says for
// the same data. Points fall on whole minutes, where a minute's bucket is wholly before or after T; a
// timeslice that T cuts counts only its minutes before T, as the report at T saw it.
import { MINUTE_MS } from '../lib/duration.js';
import { evaluateWindow, type WindowSums } from './evaluate.js';
import { sumsOf, toUnitSeries } from './event-report.js';
import type { Counts } from './math/budget.js';
import { REPORTED_BURN_WINDOWS } from './math/default-windows.js';
import { unitCounts } from './math/timeslices.js';
import { longestPeriodMinutes, unitMinutes } from './math/windows.js';
import type { SloDefinition } from './model.js';

export const MAX_HISTORY_POINTS = 10_000;

export interface HistoryPoint {
  t: string;
  good: number;
  total: number;
  sli: number | null;
  errorBudget: { consumed: number; remaining: number };
  burnRates: Record<string, number>;
  /** The alerts firing at that instant, as "page 1h/5m". */
  firing: string[];
}

/** How far before the first point the minutes must reach: the SLO's longest period and every window it reads. */
export function lookbackMinutes(def: SloDefinition): number {
  const windows = [...REPORTED_BURN_WINDOWS.map(([, m]) => m), ...def.alertWindows.map((a) => a.longMinutes)];
  return Math.max(longestPeriodMinutes(def), ...windows);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * How many minutes the store may sum into one bucket for a history at `stepMinutes` without changing any
 * number: every window a point reads (the SLO's, the reported burn windows, the alert windows) starts and
 * ends on a step, so buckets aligned on the first point that divide the step and every window length are
 * exact. 1 (minutes) for timeslices (a slice is judged from its own minutes) and calendar windows (periods
 * start at local midnight, off the steps).
 */
export function bucketMinutesFor(def: SloDefinition, stepMinutes: number): number {
  if (def.budgeting.method === 'timeslices' || def.window.kind !== 'rolling') return 1;
  const windows = [def.window.minutes, ...REPORTED_BURN_WINDOWS.map(([, m]) => m), ...def.alertWindows.flatMap((a) => [a.longMinutes, a.shortMinutes])];
  return windows.reduce(gcd, stepMinutes);
}

/** Window sums as they were at an instant (a timeslice in progress then counts only its minutes before it). */
export type SumsAt = (atMs: number) => WindowSums;

/** Window sums over minute counts keyed by minute number (the way `vigil report` reads an events file). */
export function minuteSums(def: SloDefinition, minutes: ReadonlyMap<number, Counts>): SumsAt {
  const sums = sumsOf(toUnitSeries(def, minutes));
  const unitMin = unitMinutes(def);
  if (unitMin === 1) return () => sums;
  return (atMs) => {
    const atMinute = Math.floor(atMs / MINUTE_MS);
    const current = Math.floor(atMinute / unitMin);
    if (current * unitMin === atMinute) return sums;
    const raw = { good: 0, total: 0 };
    let seen = false;
    for (let m = current * unitMin; m < atMinute; m++) {
      const c = minutes.get(m);
      if (!c) continue;
      seen = true;
      raw.good += c.good;
      raw.total += c.total;
    }
    // A slice with no minute held is absent, as in the unit series.
    const partial = seen ? unitCounts(raw, def.budgeting) : { good: 0, total: 0 };
    return (w) => {
      if (w.lastUnit !== current) return sums(w);
      const before = sums({ ...w, lastUnit: current - 1 });
      return { good: before.good + partial.good, total: before.total + partial.total };
    };
  };
}

/** Points from `fromMs` to `toMs` (both whole minutes) every `stepMs` (whole minutes). */
export function historyPoints(def: SloDefinition, sumsAt: SumsAt, fromMs: number, toMs: number, stepMs: number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let t = fromMs; t <= toMs && points.length < MAX_HISTORY_POINTS; t += stepMs) {
    const status = evaluateWindow(def, t, sumsAt(t));
    points.push({
      t: new Date(t).toISOString(),
      good: status.good,
      total: status.total,
      sli: status.sli,
      errorBudget: status.errorBudget,
      burnRates: status.burnRates,
      firing: status.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long}/${a.short}`),
    });
  }
  return points;
}

/** Rounds an instant down to its minute. */
export const toMinute = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
