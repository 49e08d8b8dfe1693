// Checks that need more than one document or the file system: unique names, runbooks that exist,
// alerts that can fire, windows that fit their SLO.
import { DateTime } from 'luxon';
import { formatDuration, MINUTE_MS } from '../lib/duration.js';
import { alertCanFire, alertThreshold } from '../slo/math/budget.js';
import { toNumber } from '../slo/math/rational.js';
import { longestPeriodMinutes, shortestPeriodMinutes } from '../slo/math/windows.js';
import { authProblems } from './auth-checks.js';
import { failoverProblems } from './failover-checks.js';
import type { LoadedItem } from './kinds/index.js';
import type { Problem } from './problems.js';
import { runbookProblems } from './runbook-checks.js';
import { didYouMean } from './schema-problems.js';
import { sourceProblems } from './source-checks.js';

function alertProblems(item: Extract<LoadedItem, { type: 'slo' }>): Problem[] {
  const { definition: def, doc } = item;
  const problems: Problem[] = [];
  def.alertWindows.forEach((alert, index) => {
    const where = item.alertPaths[index] ?? [];
    const name = `${alert.severity} alert ${formatDuration(alert.longMinutes * MINUTE_MS)}/${formatDuration(alert.shortMinutes * MINUTE_MS)}`;
    const threshold = alertThreshold(alert, longestPeriodMinutes(def));
    if (!alertCanFire(threshold, def.budget)) {
      const needed = toNumber(threshold) * toNumber(def.budget) * 100;
      problems.push(
        doc.problem(
          where,
          `${name} can never fire: burn rate ${+toNumber(threshold).toFixed(4)} × error budget ${+(toNumber(def.budget) * 100).toFixed(6)}% needs ${+needed.toFixed(2)}% errors`,
          { severity: 'warning' },
        ),
      );
    }
    if (alert.longMinutes > shortestPeriodMinutes(def)) {
      problems.push(doc.problem(where, `${name} looks back further than the SLO window ${def.window.text}`, { severity: 'warning' }));
    }
  });
  return problems;
}

function sliceProblems(item: Extract<LoadedItem, { type: 'slo' }>): Problem[] {
  const { definition: def, doc } = item;
  if (def.budgeting.method !== 'timeslices') return [];
  const slice = def.budgeting.sliceMinutes;
  if (def.window.kind === 'calendar') {
    // Slices line up with UTC; a period starts at local midnight, which must fall on a slice boundary
    // (Asia/Kathmandu is UTC+05:45: 30m slices would straddle the start of every period).
    const offsets = zoneOffsets(def.window.timeZone).filter((offset) => offset % slice !== 0);
    if (offsets.length === 0) return [];
    const shown = offsets.map((o) => `UTC${o < 0 ? '−' : '+'}${String(Math.floor(Math.abs(o) / 60)).padStart(2, '0')}:${String(Math.abs(o) % 60).padStart(2, '0')}`);
    return [doc.problem(['spec', 'window'], `${slice}m timeslices do not line up with midnight in ${def.window.timeZone} (${shown.join(', ')}): use slices that divide the offset, e.g. 15m or 5m`)];
  }
  if (def.window.minutes % slice === 0) return [];
  return [doc.problem(['spec', 'window'], `window ${def.window.text} is not a whole number of ${slice}m timeslices`)];
}

/** The UTC offsets (minutes) a time zone uses this year and next: standard and daylight time. */
function zoneOffsets(zone: string): number[] {
  const year = DateTime.utc().year;
  const samples = [year, year + 1].flatMap((y) => [1, 4, 7, 10].map((month) => DateTime.fromObject({ year: y, month, day: 1 }, { zone }).offset));
  return [...new Set(samples)];
}

/** A paging SLO should say where to look when it pages. */
function runbookMissing(item: Extract<LoadedItem, { type: 'slo' }>): Problem[] {
  if (item.definition.runbook !== null) return [];
  const pages = item.definition.alertWindows.some((a) => a.severity === 'page');
  return pages ? [item.doc.problem(['metadata', 'name'], 'pages without a runbook: set spec.alerting.runbook', { severity: 'warning' })] : [];
}

/** Probe names are unique, and an SLO's probe exists (checked when any probe definitions were loaded). */
function probeProblems(items: readonly LoadedItem[]): Problem[] {
  const problems: Problem[] = [];
  const probes = new Map<string, Extract<LoadedItem, { type: 'probe' }>>();
  for (const item of items) {
    if (item.type !== 'probe') continue;
    const first = probes.get(item.definition.name);
    if (first) {
      const { file, line, col } = first.definition.source;
      problems.push(
        item.doc.problem(['metadata', 'name'], `duplicate probe name "${item.definition.name}" (first defined at ${file}:${line}:${col})`),
      );
    } else probes.set(item.definition.name, item);
  }
  if (probes.size === 0) return problems;
  for (const item of items) {
    if (item.type !== 'slo' || item.definition.indicator.kind !== 'probe') continue;
    const name = item.definition.indicator.probe;
    if (!probes.has(name)) {
      problems.push(
        item.doc.problem(['spec', 'indicator', 'probe', 'name'], `unknown probe "${name}"${didYouMean(name, [...probes.keys()])}`),
      );
    }
  }
  return problems;
}

export async function crossChecks(items: readonly LoadedItem[], root: string): Promise<Problem[]> {
  const problems: Problem[] = [...probeProblems(items), ...failoverProblems(items), ...authProblems(items), ...sourceProblems(items)];
  const seen = new Map<string, Extract<LoadedItem, { type: 'slo' }>>();
  for (const item of items) {
    if (item.type !== 'slo') continue;
    const name = item.definition.name;
    const first = seen.get(name);
    if (first) {
      const { file, line, col } = first.definition.source;
      problems.push(item.doc.problem(['metadata', 'name'], `duplicate SLO name "${name}" (first defined at ${file}:${line}:${col})`));
    } else seen.set(name, item);
    problems.push(...alertProblems(item), ...sliceProblems(item), ...runbookMissing(item));
  }
  problems.push(...(await runbookProblems(items, root)));
  return problems;
}
