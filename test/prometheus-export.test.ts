// `vigil export prometheus-rules` and `grafana-dashboard` checked by Prometheus itself: promtool accepts the
// rules and their unit test, a real Prometheus loads them, scrapes burning counters and fires the page alert,
// and runs every dashboard panel's query.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exportGrafanaDashboard, exportPrometheusRules } from '../src/cli/export.js';
import { captureIo } from './helpers/io.js';
import { type PrometheusPeer, startPrometheus } from './helpers/prometheus-peer.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);

const SLO = `apiVersion: vigil/v1
kind: SLO
metadata: { name: demo-availability, squad: demo }
spec:
  service: demo-api
  objective: 99.9
  window: 30d
  regions: [eu-west1, us-east1]
  indicator:
    ratio:
      source: prometheus
      good: 'http_requests_total{service="demo",code!~"5.."}'
      total: sum(rate(http_requests_total{service="demo"}[5m]))
      regionLabel: region
---
apiVersion: vigil/v1
kind: SLO
metadata: { name: demo-events, squad: demo }
spec:
  service: demo-api
  objective: 99
  window: 7d
  indicator: { events: {} }
`;

let dir: string;
let rulesFile: string;
let stderr: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-prom-export-'));
  await writeFile(path.join(dir, 'slos.yaml'), SLO);
  rulesFile = path.join(dir, 'rules.yml');
  const io = captureIo();
  const code = await exportPrometheusRules({ definitions: path.join(dir, 'slos.yaml'), root: dir, out: rulesFile }, io);
  expect(code).toBe(0);
  stderr = io.stderr();
});

describe('vigil export prometheus-rules', () => {
  it('writes only the Prometheus-ratio SLO, under Sloth rule and label names, split by the region label', async () => {
    const text = await readFile(rulesFile, 'utf8');
    expect(stderr).toContain('1 SLO exported as 3 rule groups; 1 without a Prometheus ratio SLI left out');
    expect(text).toContain('name: sloth-slo-sli-recordings-demo-api-demo-availability');
    expect(text).toContain('record: slo:sli_error:ratio_rate5m');
    expect(text).toContain('record: slo:sli_error:ratio_rate30d');
    expect(text).toContain('record: slo:objective:ratio');
    expect(text).toContain('record: slo:error_budget:ratio');
    expect(text).toContain('record: slo:period_error_budget_remaining:ratio');
    expect(text).toContain('sum by (region) (rate(http_requests_total{service="demo",code!~"5.."}[1h]))');
    expect(text).not.toContain('demo-events');
  });

  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', rulesFile]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes a promtool rule unit test: half the requests fail in eu-west1, so it pages and tickets there and not in us-east1', async () => {
    const ids = 'sloth_id: demo-api-demo-availability, sloth_service: demo-api, sloth_slo: demo-availability';
    const alert = (severity: string) =>
      `{ exp_labels: { ${ids}, region: eu-west1, sloth_severity: ${severity}, severity: ${severity}, vigil_slo: demo-availability, squad: demo }, exp_annotations: { title: "(${severity}) demo-api demo-availability: the error budget burns too fast", summary: "demo-availability (99.9% over 30d) is burning its error budget at a ${severity}-level rate." } }`;
    const unitTest = `rule_files: [${JSON.stringify(rulesFile)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - { series: 'http_requests_total{service="demo",region="eu-west1",code="200"}', values: '0+50x120' }
      - { series: 'http_requests_total{service="demo",region="eu-west1",code="503"}', values: '0+50x120' }
      - { series: 'http_requests_total{service="demo",region="us-east1",code="200"}', values: '0+100x120' }
    promql_expr_test:
      - expr: slo:sli_error:ratio_rate5m
        eval_time: 30m
        exp_samples:
          - { labels: 'slo:sli_error:ratio_rate5m{${ids.replace(/: /g, '="').replace(/, /g, '", ')}", region="eu-west1", sloth_window="5m"}', value: 0.5 }
          - { labels: 'slo:sli_error:ratio_rate5m{${ids.replace(/: /g, '="').replace(/, /g, '", ')}", region="us-east1", sloth_window="5m"}', value: 0 }
    alert_rule_test:
      - eval_time: 30m
        alertname: DemoAvailabilityErrorBudgetBurn
        exp_alerts:
          - ${alert('page')}
          - ${alert('ticket')}
`;
    const file = path.join(dir, 'rules.test.yml');
    await writeFile(file, unitTest);
    const { stdout } = await run('promtool', ['test', 'rules', file]);
    expect(stdout).toContain('SUCCESS');
  });
});

const PROBE_LABELS = 'probe="checkout-http",target="https://eu.example.test",target_region="eu-west1",vantage="us-east1"';
// Vigil's cumulative counters carry no target label (src/prober/metrics.ts).
const COUNTER_LABELS = 'probe="checkout-http",target_region="eu-west1",vantage="us-east1"';
const PROBE_METRICS = [
  `probe_success{${PROBE_LABELS}} 1`,
  `probe_duration_seconds{${PROBE_LABELS}} 0.042`,
  `probe_http_status_code{${PROBE_LABELS}} 200`,
  `probe_http_duration_seconds{${PROBE_LABELS},phase="connect"} 0.003`,
  `probe_ssl_earliest_cert_expiry{${PROBE_LABELS}} 1900000000`,
  `vigil_probe_total{${COUNTER_LABELS},failure=""} $N`,
  `vigil_probe_total{${COUNTER_LABELS},failure="timeout"} $N`,
  `vigil_probe_success_total{${COUNTER_LABELS},failure=""} $N`,
];

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

describe('a real Prometheus with the exported rules', () => {
  let prometheus: PrometheusPeer;
  let promUrl: string;
  let target: Server;
  let scrapes = 0;

  beforeAll(async () => {
    // Each scrape adds 100 requests per region; half of eu-west1's fail, none of us-east1's.
    target = createServer((_req, res) => {
      scrapes++;
      const n = scrapes * 100;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# TYPE http_requests_total counter',
          `http_requests_total{service="demo",region="eu-west1",code="200"} ${n / 2}`,
          `http_requests_total{service="demo",region="eu-west1",code="500"} ${n / 2}`,
          `http_requests_total{service="demo",region="us-east1",code="200"} ${n}`,
          // What a Vigil agent serves on /metrics, for the dashboard's panels.
          ...PROBE_METRICS.map((line) => line.replace('$N', String(scrapes))),
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [rulesFile],
      scrape_configs: [{ job_name: 'demo', static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }] }],
    };
    prometheus = await startPrometheus({ config: stringify(config) });
    promUrl = prometheus.url;
  });

  afterAll(async () => {
    await prometheus?.close();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  it('loads every exported rule group without errors', async () => {
    const body = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ name: string; rules: Array<{ health: string; lastError?: string }> }> };
    };
    expect(body.data.groups.map((g) => g.name).sort()).toEqual([
      'sloth-slo-alerts-demo-api-demo-availability',
      'sloth-slo-meta-recordings-demo-api-demo-availability',
      'sloth-slo-sli-recordings-demo-api-demo-availability',
    ]);
    await waitFor(
      async () => {
        const now = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as typeof body;
        const rules = now.data.groups.flatMap((g) => g.rules);
        const bad = rules.filter((r) => r.health === 'err');
        if (bad.length > 0) throw new Error(`rule errors: ${bad.map((r) => r.lastError).join('; ')}`);
        return rules.every((r) => r.health === 'ok');
      },
      'every rule evaluated once',
      { timeoutMs: 20_000 },
    );
  });

  it('fires the page alert for the burning region only', async () => {
    const firing = await waitFor(
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
        const page = body.data.alerts.filter((a) => a.labels.sloth_severity === 'page' && a.state === 'firing');
        return page.length > 0 ? page : null;
      },
      'the page alert firing',
      { timeoutMs: 30_000, everyMs: 250 },
    );
    expect(firing.map((a) => [a.labels.alertname, a.labels.region, a.labels.vigil_slo])).toEqual([
      ['DemoAvailabilityErrorBudgetBurn', 'eu-west1', 'demo-availability'],
    ]);
  });

  it('records burn rates and the remaining budget per region: half of eu-west1 fails, so it burns 500× a 99.9% budget', async () => {
    const query = async (expr: string) => {
      const body = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      return Object.fromEntries(body.data.result.map((r) => [r.metric.region, Number(r.value[1])]));
    };
    const burn = await waitFor(async () => {
      const now = await query('slo:current_burn_rate:ratio');
      return Object.keys(now).length === 2 ? now : null;
    }, 'burn rates for both regions');
    expect(burn['eu-west1']).toBeCloseTo(500, 6);
    expect(burn['us-east1']).toBe(0);
    const remaining = await query('slo:period_error_budget_remaining:ratio');
    expect(remaining['eu-west1']).toBeCloseTo(-499, 6);
    expect(remaining['us-east1']).toBe(1);
  });

  it('accepts every Grafana dashboard panel query', async () => {
    const io = captureIo();
    expect(await exportGrafanaDashboard({}, io)).toBe(0);
    const dashboard = JSON.parse(io.stdout()) as {
      schemaVersion: number;
      templating: { list: Array<{ name: string; type: string; definition?: string }> };
      panels: Array<{ title: string; gridPos: { w: number }; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual([
      'datasource:datasource',
      'probe:query',
      'vantage:query',
      'target_region:query',
    ]);
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(queries.length).toBeGreaterThanOrEqual(6);
    // Grafana substitutes its variables before querying; the values an "All" selection sends.
    const asSent = (expr: string) => expr.replace(/\$(probe|vantage|target_region)\b/g, '.*').replace(/\$__rate_interval/g, '1m');
    for (const expr of queries) {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(asSent(expr))}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      expect({ expr, status: body.status, error: body.error }).toEqual({ expr, status: 'success', error: undefined });
      expect({ expr, series: body.data?.result.length }).toEqual({ expr, series: 1 });
    }
    for (const variable of dashboard.templating.list.filter((v) => v.definition)) {
      const match = /^label_values\((.+), (\w+)\)$/.exec(variable.definition ?? '');
      expect(match, variable.name).not.toBeNull();
      const res = await fetch(`${promUrl}/api/v1/label/${match?.[2]}/values?match[]=${encodeURIComponent(asSent(match?.[1] ?? ''))}`);
      const body = (await res.json()) as { status: string; data: string[] };
      expect(body).toEqual({ status: 'success', data: [{ probe: 'checkout-http', vantage: 'us-east1', target_region: 'eu-west1' }[variable.name]] });
    }
  });
});
