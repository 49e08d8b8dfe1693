// An SLO over time: its status at every step of a span, from minute counts, with the same exact math as
// the report (evaluateWindow over prefix sums), so the point at T is what `vigil report --at T` says for
// the same data. Points fall on whole minutes, where a minute's bucket is wholly before or after T.
import { MINUTE_MS } from '../lib/duration.js';
import { evaluateWindow } from './evaluate.js';
import { sumsOf, toUnitSeries } from './event-report.js';
import type { Counts } from './math/budget.js';
import { REPORTED_BURN_WINDOWS } from './math/default-windows.js';
import { longestPeriodMinutes } from './math/windows.js';
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

/** Points from `fromMs` to `toMs` (both whole minutes) every `stepMs` (whole minutes). */
export function historyPoints(def: SloDefinition, minutes: ReadonlyMap<number, Counts>, fromMs: number, toMs: number, stepMs: number): HistoryPoint[] {
  const sums = sumsOf(toUnitSeries(def, minutes));
  const points: HistoryPoint[] = [];
  for (let t = fromMs; t <= toMs && points.length < MAX_HISTORY_POINTS; t += stepMs) {
    const status = evaluateWindow(def, t, sums);
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
