// Which minute buckets (or timeslices) a window covers at a given instant, and how long an SLO period is.
// A bucket belongs to a window when its start lies in [windowStart, at). Buckets are "units": one minute
// for occurrence SLOs, one timeslice for timeslice SLOs.
import { DateTime } from 'luxon';
import { MINUTE_MS } from '../../lib/duration.js';
import type { SloDefinition, SloWindow } from '../model.js';

/** An inclusive range of unit indices (unit index = floor(ms / unitMs)), with a stable key per window shape. */
export interface UnitWindow {
  key: string;
  firstUnit: number;
  lastUnit: number;
}

export function unitMinutes(def: SloDefinition): number {
  return def.budgeting.method === 'timeslices' ? def.budgeting.sliceMinutes : 1;
}

/** The last unit whose start is before `atMs`. */
export function lastUnitBefore(atMs: number, unitMin: number): number {
  return Math.ceil(atMs / (unitMin * MINUTE_MS)) - 1;
}

/** How many units a rolling window of `minutes` spans (a window shorter than a slice covers one slice). */
export function rollingUnits(minutes: number, unitMin: number): number {
  return Math.ceil(minutes / unitMin);
}

export function rollingWindow(minutes: number, atMs: number, unitMin: number): UnitWindow {
  const units = rollingUnits(minutes, unitMin);
  const lastUnit = lastUnitBefore(atMs, unitMin);
  return { key: `r${units}`, firstUnit: lastUnit - units + 1, lastUnit };
}

/** The longest period of an SLO's window (a calendar month can be 31 days, a quarter 92). */
export function longestPeriodMinutes(def: SloDefinition): number {
  if (def.window.kind === 'rolling') return def.window.minutes;
  return { week: 7, month: 31, quarter: 92 }[def.window.unit] * 1440;
}

/** The shortest period of an SLO's window (a calendar month can be 28 days, a quarter 90). */
export function shortestPeriodMinutes(def: SloDefinition): number {
  if (def.window.kind === 'rolling') return def.window.minutes;
  return { week: 7, month: 28, quarter: 90 }[def.window.unit] * 1440;
}

export interface Period {
  startMs: number;
  /** Full length of the period: the rolling window, or the whole current calendar period. */
  minutes: number;
}

/** The SLO period containing `atMs`: [at − W, at) for rolling windows, the calendar period otherwise. */
export function periodAt(window: SloWindow, atMs: number): Period {
  if (window.kind === 'rolling') {
    return { startMs: atMs - window.minutes * MINUTE_MS, minutes: window.minutes };
  }
  // `at` itself belongs to the period that starts at or before it; an instant exactly on a boundary starts a new period.
  const local = DateTime.fromMillis(atMs, { zone: window.timeZone });
  const start = local.startOf(window.unit);
  const end = start.plus({ [`${window.unit}s`]: 1 });
  return { startMs: start.toMillis(), minutes: Math.round((end.toMillis() - start.toMillis()) / MINUTE_MS) };
}

export function sloWindow(def: SloDefinition, atMs: number): UnitWindow {
  const unitMin = unitMinutes(def);
  if (def.window.kind === 'rolling') return rollingWindow(def.window.minutes, atMs, unitMin);
  const { startMs } = periodAt(def.window, atMs);
  return {
    key: 'calendar',
    firstUnit: Math.ceil(startMs / (unitMin * MINUTE_MS)),
    lastUnit: lastUnitBefore(atMs, unitMin),
  };
}
