// Turns window sums into an SLO status at one instant: SLI, error budget, burn rates and alerts.
// Pure: where the sums come from (prefix sums over imported events, or the engine's running sums) is the caller's.
import { formatDuration, MINUTE_MS } from '../lib/duration.js';
import { alertThreshold, burnRate, burnsAtLeast, type Counts, type ErrorBudget, errorBudget, sli } from './math/budget.js';
import { REPORTED_BURN_WINDOWS } from './math/default-windows.js';
import { type Rational, toNumber } from './math/rational.js';
import { periodAt, rollingWindow, sloWindow, type UnitWindow, unitMinutes } from './math/windows.js';
import type { AlertWindowSpec, Severity, SloDefinition } from './model.js';

/** Sums of good/total units (events, or timeslices) over a window of one group of series. */
export type WindowSums = (window: UnitWindow) => Counts;

export interface AlertStatus {
  severity: Severity;
  long: string;
  short: string;
  threshold: number;
  firing: boolean;
  /** A silence in effect on this alert (notifications skip it; failover decisions do not look at silences). */
  silenced?: SilenceMark;
}

export interface SilenceMark {
  id: number;
  by: string;
  until: string;
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
  /** Why this SLO could not be evaluated (its numbers are then empty); the others are not affected. */
  error?: string;
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

interface AlertRule {
  spec: AlertWindowSpec;
  long: string;
  short: string;
  threshold: Rational;
  thresholdValue: number;
}

/** Alert thresholds only change with the period length (calendar months differ): compute each once. */
const alertRules = new WeakMap<SloDefinition, Map<number, AlertRule[]>>();

function alertRulesFor(def: SloDefinition, periodMinutes: number): AlertRule[] {
  let byPeriod = alertRules.get(def);
  if (!byPeriod) {
    byPeriod = new Map<number, AlertRule[]>();
    alertRules.set(def, byPeriod);
  }
  let rules = byPeriod.get(periodMinutes);
  if (!rules) {
    rules = def.alertWindows.map((spec) => {
      const threshold = alertThreshold(spec, periodMinutes);
      return {
        spec,
        long: formatDuration(spec.longMinutes * MINUTE_MS),
        short: formatDuration(spec.shortMinutes * MINUTE_MS),
        threshold,
        thresholdValue: toNumber(threshold),
      };
    });
    byPeriod.set(periodMinutes, rules);
  }
  return rules;
}

export function evaluateWindow(def: SloDefinition, atMs: number, sums: WindowSums): WindowStatus {
  const unitMin = unitMinutes(def);
  const counts = sums(sloWindow(def, atMs));
  const burnOver = (minutes: number) => sums(rollingWindow(minutes, atMs, unitMin));
  const burnRates: Record<string, number> = {};
  for (const [label, minutes] of REPORTED_BURN_WINDOWS) burnRates[label] = burnRate(burnOver(minutes), def.budget);
  const alerts = alertRulesFor(def, periodAt(def.window, atMs).minutes).map(
    (rule): AlertStatus => ({
      severity: rule.spec.severity,
      long: rule.long,
      short: rule.short,
      threshold: rule.thresholdValue,
      firing:
        burnsAtLeast(burnOver(rule.spec.longMinutes), def.budget, rule.threshold) &&
        burnsAtLeast(burnOver(rule.spec.shortMinutes), def.budget, rule.threshold),
    }),
  );
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

/** What an SLO that failed to evaluate reports: no numbers, the error, nothing firing. */
export function failedStatus(def: SloDefinition, error: unknown): SloStatus {
  const empty: WindowStatus = { objective: def.objectiveValue, window: def.window.text, good: 0, total: 0, sli: null, errorBudget: { consumed: 0, remaining: 1 }, burnRates: {}, alerts: [] };
  return { name: def.name, squad: def.squad, ...empty, regions: {}, error: error instanceof Error ? error.message : String(error) };
}
