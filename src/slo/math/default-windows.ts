// The default multi-window, multi-burn-rate alerts of the Google SRE workbook (as Sloth ships them):
// each is "this share of the budget spent within the long window", so thresholds follow the SLO period.
import type { AlertWindowSpec } from '../model.js';

export const DEFAULT_ALERT_WINDOWS: readonly AlertWindowSpec[] = [
  { severity: 'page', longMinutes: 60, shortMinutes: 5, threshold: { kind: 'budgetShare', percent: 2 } },
  { severity: 'page', longMinutes: 360, shortMinutes: 30, threshold: { kind: 'budgetShare', percent: 5 } },
  { severity: 'ticket', longMinutes: 1440, shortMinutes: 120, threshold: { kind: 'budgetShare', percent: 10 } },
  { severity: 'ticket', longMinutes: 4320, shortMinutes: 360, threshold: { kind: 'budgetShare', percent: 10 } },
];

/** The burn-rate windows every report shows, whatever alerts are configured. */
export const REPORTED_BURN_WINDOWS: ReadonlyArray<readonly [string, number]> = [
  ['5m', 5],
  ['30m', 30],
  ['1h', 60],
  ['2h', 120],
  ['6h', 360],
  ['1d', 1440],
  ['3d', 4320],
];
