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
      labels: { squad: 'search', tier: '2' },
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
