// SLO definitions written back as native vigil/v1 YAML, the target of every import: the document
// `vigil validate` loads into the same definition.
import { stringify } from 'yaml';
import { alertThreshold } from '../slo/math/budget.js';
import { DEFAULT_ALERT_WINDOWS } from '../slo/math/default-windows.js';
import { toNumber } from '../slo/math/rational.js';
import type { AlertWindowSpec, SloDefinition } from '../slo/model.js';
import { promDuration } from './prometheus-rules.js';

/** A fraction as the percentage users write (0.999 → 99.9), without binary noise. */
export function percentOf(fraction: number): number {
  return Number((fraction * 100).toPrecision(12));
}

export function usesDefaultAlertWindows(windows: readonly AlertWindowSpec[]): boolean {
  return (
    windows.length === DEFAULT_ALERT_WINDOWS.length &&
    windows.every((w, i) => {
      const d = DEFAULT_ALERT_WINDOWS[i] as AlertWindowSpec;
      return (
        w.severity === d.severity &&
        w.longMinutes === d.longMinutes &&
        w.shortMinutes === d.shortMinutes &&
        w.threshold.kind === 'budgetShare' &&
        d.threshold.kind === 'budgetShare' &&
        w.threshold.percent === d.threshold.percent
      );
    })
  );
}

function indicatorYaml(def: SloDefinition): Record<string, unknown> {
  const ind = def.indicator;
  if (ind.kind === 'probe') {
    return { probe: { name: ind.probe, ...(ind.latencyThresholdMs === null ? {} : { latencyThreshold: `${ind.latencyThresholdMs}ms` }) } };
  }
  if (ind.kind === 'events') return { events: {} };
  return {
    ratio: {
      source: ind.source,
      good: ind.good,
      total: ind.total,
      ...(ind.regionLabel === null ? {} : { regionLabel: ind.regionLabel }),
      ...(ind.vantageLabel === null ? {} : { vantageLabel: ind.vantageLabel }),
    },
  };
}

/** Alert windows as vigil/v1 writes them; budget shares become the burn rate they mean over the SLO period. */
function alertingYaml(def: SloDefinition, periodMinutes: number): Record<string, unknown> | undefined {
  const windows = usesDefaultAlertWindows(def.alertWindows)
    ? undefined
    : def.alertWindows.map((w) => ({
        severity: w.severity,
        long: promDuration(w.longMinutes),
        short: promDuration(w.shortMinutes),
        burnRate: toNumber(alertThreshold(w, periodMinutes)),
      }));
  if (!windows && def.runbook === null) return undefined;
  return { ...(windows ? { windows } : {}), ...(def.runbook === null ? {} : { runbook: def.runbook }) };
}

export function vigilSloDocument(def: SloDefinition, periodMinutes: number): Record<string, unknown> {
  const alerting = alertingYaml(def, periodMinutes);
  return {
    apiVersion: 'vigil/v1',
    kind: 'SLO',
    metadata: { name: def.name, squad: def.squad, ...(Object.keys(def.labels).length > 0 ? { labels: def.labels } : {}) },
    spec: {
      service: def.service,
      ...(def.description ? { description: def.description } : {}),
      objective: percentOf(def.objectiveValue),
      window: def.window.kind === 'rolling' ? def.window.text : { calendar: def.window.unit, timeZone: def.window.timeZone },
      ...(def.budgeting.method === 'timeslices'
        ? {
            budgetingMethod: 'timeslices',
            timeslice: { window: promDuration(def.budgeting.sliceMinutes), target: def.budgeting.targetValue },
          }
        : {}),
      ...(def.regions.length > 0 ? { regions: def.regions } : {}),
      indicator: indicatorYaml(def),
      ...(alerting ? { alerting } : {}),
    },
  };
}

/** One YAML document per SLO, each preceded by a comment saying where it came from. */
export function formatVigilSlos(entries: ReadonlyArray<{ doc: Record<string, unknown>; origin: string }>): string {
  return entries.map(({ doc, origin }) => `# Imported from ${origin}\n${stringify(doc, { lineWidth: 0 })}`).join('---\n');
}
