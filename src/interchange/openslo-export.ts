// Vigil SLOs as openslo/v1 SLO documents. What OpenSLO has no field for (squad, regions, the region and
// vantage labels, probe indicators) travels in labels, annotations and a `Vigil` metric source, which
// `vigil import openslo` and the openslo/v1 loader read back into the same definition.
import { stringify } from 'yaml';
import { alertThreshold } from '../slo/math/budget.js';
import { toNumber } from '../slo/math/rational.js';
import type { SloDefinition } from '../slo/model.js';
import { periodMinutesOf, promDuration } from './prometheus-rules.js';
import { usesDefaultAlertWindows } from './vigil-yaml.js';

const SOURCE_TYPE = { prometheus: 'Prometheus', 'cloud-monitoring': 'CloudMonitoring' } as const;

/** Any fixed instant works as the start of a calendar window: only its time zone and unit matter. */
const CALENDAR_START = '2020-01-06 00:00:00';

function indicatorOf(def: SloDefinition): Record<string, unknown> {
  const ind = def.indicator;
  const metadata = { name: `${def.name}-sli` };
  if (ind.kind === 'ratio') {
    const source = (query: string) =>
      ind.source === 'prometheus'
        ? { metricSource: { type: SOURCE_TYPE.prometheus, spec: { query } } }
        : { metricSource: { type: SOURCE_TYPE[ind.source], spec: { filter: query } } };
    return { metadata, spec: { ratioMetric: { counter: true, good: source(ind.good), total: source(ind.total) } } };
  }
  const spec = ind.kind === 'probe' ? { probe: ind.probe } : { events: true };
  const threshold = ind.kind === 'probe' && ind.latencyThresholdMs !== null ? ind.latencyThresholdMs : null;
  if (threshold !== null) {
    return { metadata, spec: { thresholdMetric: { metricSource: { type: 'Vigil', spec: { ...spec, unit: 'ms' } } } } };
  }
  const metric = { metricSource: { type: 'Vigil', spec } };
  return { metadata, spec: { ratioMetric: { counter: true, good: metric, total: metric } } };
}

function timeWindowOf(def: SloDefinition): Record<string, unknown> {
  if (def.window.kind === 'rolling') return { duration: def.window.text, isRolling: true };
  const duration = { week: '1w', month: '1M', quarter: '1Q' }[def.window.unit];
  return { duration, isRolling: false, calendar: { startTime: CALENDAR_START, timeZone: def.window.timeZone } };
}

function objectiveOf(def: SloDefinition): Record<string, unknown> {
  const latency = def.indicator.kind === 'probe' ? def.indicator.latencyThresholdMs : null;
  return {
    target: def.objectiveValue,
    ...(latency === null ? {} : { op: 'lte', value: latency }),
    ...(def.budgeting.method === 'timeslices'
      ? { timeSliceTarget: def.budgeting.targetValue, timeSliceWindow: promDuration(def.budgeting.sliceMinutes) }
      : {}),
  };
}

/** Burn-rate alert windows as inline AlertPolicies: the long window is the lookback, the short one alertAfter. */
function alertPoliciesOf(def: SloDefinition): Record<string, unknown>[] | undefined {
  if (usesDefaultAlertWindows(def.alertWindows)) return undefined;
  const period = periodMinutesOf(def);
  return def.alertWindows.map((w, i) => ({
    kind: 'AlertPolicy',
    metadata: { name: `${def.name}-${w.severity}-${i + 1}` },
    spec: {
      conditions: [
        {
          kind: 'AlertCondition',
          metadata: { name: `${def.name}-burn-${promDuration(w.longMinutes)}` },
          spec: {
            severity: w.severity,
            condition: {
              kind: 'burnrate',
              op: 'gte',
              threshold: toNumber(alertThreshold(w, period)),
              lookbackWindow: promDuration(w.longMinutes),
              alertAfter: promDuration(w.shortMinutes),
            },
          },
        },
      ],
      notificationTargets: [],
    },
  }));
}

export function openSloDocument(def: SloDefinition): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  if (def.runbook !== null) annotations['vigil/runbook'] = def.runbook;
  if (def.regions.length > 0) annotations['vigil/regions'] = def.regions.join(',');
  if (def.indicator.kind === 'ratio' && def.indicator.regionLabel !== null) annotations['vigil/region-label'] = def.indicator.regionLabel;
  if (def.indicator.kind === 'ratio' && def.indicator.vantageLabel !== null) annotations['vigil/vantage-label'] = def.indicator.vantageLabel;
  const policies = alertPoliciesOf(def);
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: {
      name: def.name,
      labels: { ...def.labels, squad: def.squad },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      ...(def.description ? { description: def.description } : {}),
      service: def.service,
      indicator: indicatorOf(def),
      timeWindow: [timeWindowOf(def)],
      budgetingMethod: def.budgeting.method === 'timeslices' ? 'Timeslices' : 'Occurrences',
      objectives: [objectiveOf(def)],
      ...(policies ? { alertPolicies: policies } : {}),
    },
  };
}

export function exportOpenSlo(slos: readonly SloDefinition[]): string {
  return slos.map((def) => stringify(openSloDocument(def), { lineWidth: 0 })).join('---\n');
}
