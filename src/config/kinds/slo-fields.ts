// Pieces of the SLO schema shared by the vigil/v1 and openslo/v1 dialects.
import { DEFAULT_ALERT_WINDOWS } from '../../slo/math/default-windows.js';
import { fromDecimal, type Rational, rational } from '../../slo/math/rational.js';
import type { AlertWindowSpec, Budgeting, SloWindow } from '../../slo/model.js';

export const CALENDAR_UNITS = ['week', 'month', 'quarter'] as const;

export function calendarWindow(unit: (typeof CALENDAR_UNITS)[number], zone: string | undefined): SloWindow {
  return { kind: 'calendar', unit, timeZone: zone ?? 'UTC', text: unit };
}

/** Objective percent → exact fraction and budget: 99.9 → 999/1000 and 1/1000. */
export function objectiveOf(percent: number): { objective: Rational; budget: Rational; objectiveValue: number } {
  const exact = fromDecimal(percent);
  const objective = rational(exact.num, exact.den * 100n);
  const budget = rational(objective.den - objective.num, objective.den);
  return { objective, budget, objectiveValue: Number(objective.num) / Number(objective.den) };
}

/** Slice lengths that tile an hour, so slices line up with clock minutes and hours in every zone. */
export function isValidSliceMinutes(value: number): boolean {
  return value >= 1 && value <= 60 && 60 % value === 0;
}

export function timeslices(sliceMinutes: number, target: number): Budgeting {
  return { method: 'timeslices', sliceMinutes, target: fromDecimal(target), targetValue: target };
}

export function defaultAlertWindows(): AlertWindowSpec[] {
  return DEFAULT_ALERT_WINDOWS.map((w) => ({ ...w }));
}
