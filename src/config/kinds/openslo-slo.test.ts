// OpenSLO v1 documents mapped onto Vigil's SLO model, field by field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../load.js';

async function loadOne(yaml: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-openslo-'));
  const file = path.join(dir, 'slo.yaml');
  writeFileSync(file, yaml);
  const { slos, problems } = await loadDefinitions([file], { root: dir });
  return { slo: slos[0], problems: problems.map((p) => `${p.line}:${p.col}: ${p.severity}: ${p.message}`) };
}

const indicator = (type: string) => `  indicator:
    metadata: { name: ratio }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: ${type}, spec: { query: 'sum(rate(ok_total[1m]))' } } }
        total: { metricSource: { type: ${type}, spec: { query: 'sum(rate(all_total[1m]))' } } }
`;

describe('OpenSLO v1 mapped onto the SLO model', () => {
  it('maps a rolling occurrences SLO: target as an exact objective, window, ratio source and queries, squad, runbook', async () => {
    const { slo, problems } = await loadOne(`apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  displayName: Search answers
  labels: { squad: search, tier: "2" }
  annotations: { vigil/runbook: runbooks/search.md }
spec:
  service: search-api
${indicator('Prometheus')}  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.995 }]
`);
    expect(problems.filter((p) => !p.includes('runbook'))).toEqual([]);
    expect(slo).toMatchObject({
      name: 'search-availability',
      squad: 'search',
      labels: { tier: '2' },
      service: 'search-api',
      description: 'Search answers',
      objective: { num: 199n, den: 200n },
      budget: { num: 1n, den: 200n },
      objectiveValue: 0.995,
      window: { kind: 'rolling', minutes: 7 * 24 * 60, text: '7d' },
      budgeting: { method: 'occurrences' },
      indicator: { kind: 'ratio', source: 'prometheus', good: 'sum(rate(ok_total[1m]))', total: 'sum(rate(all_total[1m]))', regionLabel: null, vantageLabel: null },
      runbook: 'runbooks/search.md',
    });
    // Vigil's default burn-rate alerts: page 1h/5m and 6h/30m, ticket 1d/2h and 3d/6h.
    expect(slo?.alertWindows.map((a) => [a.severity, a.longMinutes, a.shortMinutes])).toEqual([
      ['page', 60, 5],
      ['page', 360, 30],
      ['ticket', 1440, 120],
      ['ticket', 4320, 360],
    ]);
  });

  it('maps a calendar-month timeslice SLO from Cloud Monitoring, with the team label as squad and targetPercent', async () => {
    const { slo, problems } = await loadOne(`apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
  labels: { team: checkout }
spec:
  service: checkout
${indicator('CloudMonitoring')}  timeWindow:
    - { duration: 1M, isRolling: false, calendar: { startTime: "2026-01-01 00:00:00", timeZone: Europe/Stockholm } }
  budgetingMethod: Timeslices
  objectives: [{ targetPercent: 99.5, timeSliceTarget: 0.95, timeSliceWindow: 5m }]
`);
    expect(problems.filter((p) => !p.includes('runbook'))).toEqual([]);
    expect(slo).toMatchObject({
      squad: 'checkout',
      objectiveValue: 0.995,
      window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Stockholm' },
      budgeting: { method: 'timeslices', sliceMinutes: 5, targetValue: 0.95 },
      indicator: { kind: 'ratio', source: 'cloud-monitoring' },
      runbook: null,
    });
  });
});

const sloWith = (indicatorSpec: string, extra = '') => `apiVersion: openslo/v1
kind: SLO
metadata: { name: api, labels: { squad: core } }
spec:
  service: api
  indicator:
    spec:
${indicatorSpec}
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99, op: lte, value: 250 }]
${extra}`;

describe('OpenSLO indicators and alert policies beyond the inline ratio', () => {
  it('maps a Vigil thresholdMetric to a probe SLI with the objective value as latency threshold', async () => {
    const { slo, problems } = await loadOne(sloWith('      thresholdMetric: { metricSource: { type: Vigil, spec: { probe: api-http } } }'));
    expect(problems.filter((p) => p.includes('error'))).toEqual([]);
    expect(slo?.indicator).toEqual({ kind: 'probe', probe: 'api-http', latencyThresholdMs: 250 });
  });

  it('refuses a bad metric from Cloud Monitoring, whose complement is no filter', async () => {
    const { slo, problems } = await loadOne(
      sloWith(`      ratioMetric:
        bad: { metricSource: { type: CloudMonitoring, spec: { filter: 'metric.type="x" AND metric.labels.code="500"' } } }
        total: { metricSource: { type: CloudMonitoring, spec: { filter: 'metric.type="x"' } } }`),
    );
    expect(slo).toBeUndefined();
    expect(problems).toEqual(['9:14: error: bad is only mapped for Prometheus counter selectors: give good and total']);
  });

  it('maps inline burn-rate conditions to alert windows, short window a twelfth of the long one when alertAfter is absent', async () => {
    const { slo } = await loadOne(
      sloWith(
        '      ratioMetric: { good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }, total: { metricSource: { type: Prometheus, spec: { query: all_total } } } }',
        `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: fast }
      spec:
        conditions:
          - kind: AlertCondition
            metadata: { name: fast-burn }
            spec: { severity: critical, condition: { kind: burnrate, op: gte, threshold: 10, lookbackWindow: 2h } }`,
      ),
    );
    expect(slo?.alertWindows.map((w) => [w.severity, w.longMinutes, w.shortMinutes, w.threshold])).toEqual([
      ['page', 120, 10, { kind: 'burnRate', value: { num: 10n, den: 1n } }],
    ]);
  });

  it('keeps the default windows, with a warning, for an alert policy that is not a burn rate', async () => {
    const { slo, problems } = await loadOne(
      sloWith(
        '      ratioMetric: { good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }, total: { metricSource: { type: Prometheus, spec: { query: all_total } } } }',
        `  alertPolicies:
    - kind: AlertPolicy
      spec: { conditions: [{ kind: AlertCondition, spec: { severity: page, condition: { kind: threshold, threshold: 1, lookbackWindow: 1h } } }] }`,
      ),
    );
    expect(slo?.alertWindows).toHaveLength(4);
    expect(problems.filter((p) => !p.includes('runbook'))).toEqual([
      '13:7: warning: this alert policy is not an inline burnrate AlertCondition with a lookbackWindow: Vigil alerts with its default burn-rate windows instead',
    ]);
  });
});
