// Turns window sums into an SLO status at one instant: SLI, error budget, burn rates and alerts.
// Pure: where the sums come from (prefix sums over imported events, or the engine's running sums) is the caller's.
import { formatDuration, MINUTE_MS } from '../lib/duration.js';
import { REPORTED_BURN_WINDOWS } from './math/default-windows.js';
import { alertThreshold, burnRate, burnsAtLeast, type Counts, type ErrorBudget, errorBudget, sli } from './math/budget.js';
import { toNumber } from './math/rational.js';
import { periodAt, rollingWindow, sloWindow, type UnitWindow, unitMinutes } from './math/windows.js';
import type { Severity, SloDefinition } from './model.js';

/** Sums of good/total units (events, or timeslices) over a window of one group of series. */
export type WindowSums = (window: UnitWindow) => Counts;

export interface AlertStatus {
  severity: Severity;
  long: string;
  short: string;
  threshold: number;
  firing: boolean;
}

export interface WindowStatus {
  objective: number;
  window: string;
  good: number;
  total: number;
  sli: number | null;
  errorBudget: ErrorBudget;
  burnRates: Record<string, number>;
  alerts: AlertStatus[];
}

export interface SloStatus extends WindowStatus {
  name: string;
  squad: string;
  regions: Record<string, WindowStatus>;
}

/** Every window an SLO needs at `atMs`: its own window, the reported burn windows and its alert windows. */
export function windowsAt(def: SloDefinition, atMs: number): UnitWindow[] {
  const unitMin = unitMinutes(def);
  const windows = new Map<string, UnitWindow>();
  const slo = sloWindow(def, atMs);
  windows.set(slo.key, slo);
  const spans = [
    ...REPORTED_BURN_WINDOWS.map(([, minutes]) => minutes),
    ...def.alertWindows.flatMap((a) => [a.longMinutes, a.shortMinutes]),
  ];
  for (const minutes of spans) {
    const w = rollingWindow(minutes, atMs, unitMin);
    windows.set(w.key, w);
  }
  return [...windows.values()];
}

export function evaluateWindow(def: SloDefinition, atMs: number, sums: WindowSums): WindowStatus {
  const unitMin = unitMinutes(def);
  const counts = sums(sloWindow(def, atMs));
  const burnOver = (minutes: number) => sums(rollingWindow(minutes, atMs, unitMin));
  const burnRates: Record<string, number> = {};
  for (const [label, minutes] of REPORTED_BURN_WINDOWS) burnRates[label] = burnRate(burnOver(minutes), def.budget);
  const period = periodAt(def.window, atMs);
  const alerts = def.alertWindows.map((spec): AlertStatus => {
    const threshold = alertThreshold(spec, period.minutes);
    const firing =
      burnsAtLeast(burnOver(spec.longMinutes), def.budget, threshold) &&
      burnsAtLeast(burnOver(spec.shortMinutes), def.budget, threshold);
    return {
      severity: spec.severity,
      long: formatDuration(spec.longMinutes * MINUTE_MS),
      short: formatDuration(spec.shortMinutes * MINUTE_MS),
      threshold: toNumber(threshold),
      firing,
    };
  });
  return {
    objective: def.objectiveValue,
    window: def.window.text,
    good: counts.good,
    total: counts.total,
    sli: sli(counts),
    errorBudget: errorBudget(counts, def.budget),
    burnRates,
    alerts,
  };
}

/** Sums for the SLO as a whole (`null`) or for one target region. */
export type GroupSums = (targetRegion: string | null) => WindowSums;

export function evaluateSlo(def: SloDefinition, atMs: number, groups: GroupSums): SloStatus {
  const regions: Record<string, WindowStatus> = {};
  for (const region of def.regions) regions[region] = evaluateWindow(def, atMs, groups(region));
  return { name: def.name, squad: def.squad, ...evaluateWindow(def, atMs, groups(null)), regions };
}
