// Which SLOs become Prometheus rules, and the burn-rate thresholds their alerts carry.
import { describe, expect, it } from 'vitest';
import { loadSlo } from '../../test/helpers/definitions.js';
import { promDuration, prometheusRules } from './prometheus-rules.js';

function ratioSlo(window: string, indicator: Record<string, string>, alerting = ''): string {
  const fields = Object.entries(indicator)
    .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: vigil/v1
kind: SLO
metadata: { name: api-availability, squad: core }
spec:
  service: api
  objective: 99.9
  window: ${window}
  indicator:
    ratio:
      source: prometheus
${fields}
${alerting}`;
}

const SELECTORS = { good: 'req_total{code!~"5.."}', total: 'req_total' };

function thresholds(yaml: string): string[] {
  const { groups } = prometheusRules([loadSlo(yaml)]);
  const alerts = groups.flatMap((g) => g.rules).flatMap((r) => ('alert' in r ? [r.expr] : []));
  return alerts.flatMap((expr) => [...expr.matchAll(/>= \(([\d.]+) \* 0\.001\)/g)].map((m) => m[1] as string)).filter((t, i, all) => all.indexOf(t) === i);
}

describe('burn-rate thresholds in the exported alerts', () => {
  it.each([
    ['a 30-day window gets 14.4 / 6 / 3 / 1', '30d', ['14.4', '6', '3', '1']],
    ['a 28-day window gets 13.44 / 5.6 / 2.8 / 0.933…', '28d', ['13.44', '5.6', '2.8', '0.933333333333333']],
    ['a calendar month is alerted on as 30 days', '{ calendar: month }', ['14.4', '6', '3', '1']],
  ])('%s', (_sentence, window, expected) => {
    expect(thresholds(ratioSlo(window, SELECTORS))).toEqual(expected);
  });

  it('keeps fixed burn rates as written', () => {
    const alerting = `  alerting:
    windows:
      - { severity: page, long: 2h, short: 10m, burnRate: 10 }`;
    expect(thresholds(ratioSlo('7d', SELECTORS, alerting))).toEqual(['10']);
  });
});

describe('which SLOs are exported', () => {
  it('records every alert window and the period, named as Sloth names them', () => {
    const { groups } = prometheusRules([loadSlo(ratioSlo('28d', SELECTORS))]);
    const records = groups[0]?.rules.flatMap((r) => ('record' in r ? [r.record] : []));
    expect(records).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '28d'].map((w) => `slo:sli_error:ratio_rate${w}`));
  });

  it('leaves out a Prometheus SLO whose query is not a counter selector, saying why', () => {
    const { groups, skipped } = prometheusRules([
      loadSlo(ratioSlo('30d', { good: 'sum(rate(a_total[5m])) / 2', total: 'b_total' })),
    ]);
    expect(groups).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual([
      'indicator.ratio: is neither a counter selector nor sum(rate(SELECTOR[window])) / sum(increase(SELECTOR[window])) of one',
    ]);
  });

  it.each([
    [5, '5m'],
    [90, '90m'],
    [120, '2h'],
    [1440, '1d'],
    [43200, '30d'],
  ])('names a %i-minute window %s', (minutes, text) => {
    expect(promDuration(minutes)).toBe(text);
  });
});
