// `vigil import sloth|openslo` and `vigil export openslo` through the real CLI: what maps, what is refused
// with file:line:col, OpenSLO files as published in the wild, and round trips that change nothing.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { loadDefinitions } from '../src/config/load.js';
import type { SloDefinition } from '../src/slo/model.js';
import { captureIo } from './helpers/io.js';

const FIXTURES = 'test/fixtures/interchange';

async function vigil(...args: string[]) {
  const io = captureIo();
  const code = await run(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function scratch(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'vigil-interchange-'));
}

/** Loads a folder and fails on any error, returning the definitions without where they were read. */
async function loadClean(target: string): Promise<Array<Omit<SloDefinition, 'source'>>> {
  const { slos, problems } = await loadDefinitions([target], { root: process.cwd() });
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return slos.map(({ source: _source, ...rest }) => rest).sort((a, b) => a.name.localeCompare(b.name));
}

describe('vigil import sloth', () => {
  it('maps prometheus/v1 and PrometheusServiceLevel SLOs to vigil/v1 files that validate, good = total minus the error matcher', async () => {
    const out = await scratch();
    const result = await vigil('import', 'sloth', `${FIXTURES}/sloth/payments.yaml`, `${FIXTURES}/sloth/k8s.yaml`, '--out', out);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '3 SLOs imported\n' });
    expect((await readdir(out)).sort()).toEqual(['ledger-writes.yaml', 'payments-requests-availability.yaml', 'payments-webhook-delivery.yaml']);
    const validated = await vigil('validate', out);
    expect(validated.code).toBe(0);
    expect(validated.stdout.endsWith('valid: 3 files, 3 SLOs, 3 warnings\n')).toBe(true);
    const slos = await loadClean(out);
    expect(slos.map((s) => [s.name, s.squad, s.service, s.objectiveValue, s.window.text])).toEqual([
      ['ledger-writes', 'finance', 'ledger', 0.9995, '30d'],
      ['payments-requests-availability', 'payments-squad', 'payments', 0.999, '30d'],
      ['payments-webhook-delivery', 'payments-squad', 'payments', 0.995, '30d'],
    ]);
    expect(slos.map((s) => s.indicator)).toEqual([
      { kind: 'ratio', source: 'prometheus', good: 'ledger_writes_total{status="ok"}', total: 'ledger_writes_total', regionLabel: null, vantageLabel: null },
      {
        kind: 'ratio',
        source: 'prometheus',
        good: 'http_requests_total{job="payments",code!~"5.."}',
        total: 'http_requests_total{job="payments"}',
        regionLabel: null,
        vantageLabel: null,
      },
      { kind: 'ratio', source: 'prometheus', good: 'webhook_deliveries_total{outcome!="failed"}', total: 'webhook_deliveries_total', regionLabel: null, vantageLabel: null },
    ]);
    expect(slos[2]?.labels).toEqual({ tier: '1', category: 'delivery', alertname: 'WebhookDeliveryFailing' });
    // Sloth's default windows are Vigil's; a disabled ticket alert leaves the two page windows.
    expect(slos.map((s) => s.alertWindows.map((w) => `${w.severity} ${w.longMinutes}/${w.shortMinutes}`))).toEqual([
      ['page 60/5', 'page 360/30', 'ticket 1440/120', 'ticket 4320/360'],
      ['page 60/5', 'page 360/30', 'ticket 1440/120', 'ticket 4320/360'],
      ['page 60/5', 'page 360/30'],
    ]);
    // Exported back to Prometheus, the alerts keep Sloth's names, so Alertmanager routes still match.
    const rules = path.join(out, 'rules.yml');
    expect((await vigil('export', 'prometheus-rules', '--definitions', out, '--out', rules)).code).toBe(0);
    const text = await readFile(rules, 'utf8');
    expect([...text.matchAll(/alert: (\S+)/g)].map((m) => m[1])).toEqual([
      'LedgerWritesFailing',
      'LedgerWritesFailing',
      'PaymentsHighErrorRate',
      'PaymentsHighErrorRate',
      'WebhookDeliveryFailing',
    ]);
    const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', rules]);
    expect(stdout).toContain('SUCCESS: 47 rules found');
  });

  it('refuses what cannot be a good/total counter ratio, each at its file:line:col with the reason, and exits 1', async () => {
    const file = `${FIXTURES}/sloth/unmappable.yaml`;
    const result = await vigil('import', 'sloth', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `${file}:10:9: sli.raw cannot be mapped: Vigil counts good and total events; give sli.events with counter queries`,
      `${file}:15:22: cannot be mapped to a Vigil ratio: the error selector must add exactly one matcher to total's (it adds 2), so that good = total minus errors is one selector`,
      `${file}:21:22: cannot be mapped to a Vigil ratio: is neither a counter selector nor sum(rate(SELECTOR[window])) / sum(increase(SELECTOR[window])) of one`,
      `${file}:27:22: cannot be mapped to a Vigil ratio: the error and total selectors count different metrics (http_errors_total vs http_requests_total)`,
      '0 SLOs imported, 4 errors',
      '',
    ]);
  });

  it('asks for an owner when the spec names none, and takes --squad instead', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'sloth.yaml');
    await writeFile(
      file,
      'version: prometheus/v1\nservice: api\nslos:\n  - name: avail\n    objective: 99\n    sli:\n      events:\n        error_query: rate(r_total{code="500"}[{{.window}}])\n        total_query: rate(r_total[{{.window}}])\n',
    );
    const refused = await vigil('import', 'sloth', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file}:4:11: no owning squad: set labels.owner (or team, squad) or pass --squad NAME`);
    const taken = await vigil('import', 'sloth', file, '--squad', 'core');
    expect(taken.code).toBe(0);
    expect(taken.stdout).toContain('squad: core');
    expect(taken.stdout).toContain('good: r_total{code!="500"}');
  });

  it('reports a spec that is not Sloth-shaped at the offending field', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'sloth.yaml');
    await writeFile(file, 'version: prometheus/v1\nservice: api\nslos:\n  - name: avail\n    objective: 120\n    sli: {}\n');
    const result = await vigil('import', 'sloth', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:16: .*objective.*\\(0, 100\\)`, 'm'));
  });
});

describe('OpenSLO files as written in the wild', () => {
  it('load with warnings: thresholdMetric and unknown sources fed by pushed events, RatioTimeslices, several objectives, empty alertPolicies', async () => {
    const { slos, problems } = await loadDefinitions([`${FIXTURES}/openslo-wild`], { root: process.cwd() });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const warnings = problems.map((p) => `${path.basename(p.file)}:${p.line}: ${p.message}`);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'checkout-latency.yaml:6: OpenSLO SLO names no owning squad: set metadata.labels.squad; owned by squad "shop" (its service) until then',
        'checkout-latency.yaml:16: a thresholdMetric (latency threshold) from Datadog: Vigil cannot pull it, so only pushed events (POST /api/v1/events) will feed this SLO',
        'front-page.yaml:29: RatioTimeslices (the mean of per-slice ratios) is counted as Occurrences (summed good/total): the two differ when traffic is uneven',
        'uptime-contract.yaml:27: a calendar window of 1m (one minute) read as 1M (one month): write 1M',
        'uptime-contract.yaml:34: 2 objectives: Vigil tracks one per SLO, so this document loads as uptime-contract-internal-target, uptime-contract-contract',
      ]),
    );
    const byName = Object.fromEntries(slos.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['checkout-latency', 'front-page', 'uptime-contract-contract', 'uptime-contract-internal-target']);
    expect(byName['checkout-latency']).toMatchObject({ squad: 'shop', objectiveValue: 0.98, indicator: { kind: 'events' }, window: { kind: 'rolling', minutes: 28 * 1440 } });
    expect(byName['front-page']).toMatchObject({ squad: 'web', budgeting: { method: 'occurrences' }, indicator: { kind: 'ratio', source: 'prometheus' } });
    expect(byName['uptime-contract-internal-target']).toMatchObject({
      squad: 'platform',
      objectiveValue: 0.999,
      window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' },
      budgeting: { method: 'timeslices', sliceMinutes: 1, targetValue: 0.95 },
      indicator: { kind: 'ratio', source: 'cloud-monitoring' },
    });
    expect(byName['uptime-contract-contract']).toMatchObject({ objectiveValue: 0.995, budgeting: { method: 'timeslices', sliceMinutes: 5 } });
  });
});

describe('vigil import openslo', () => {
  it('resolves indicatorRef, metricSourceRef, alertPolicyRef and conditionRef across files, and turns bad into good', async () => {
    const out = await scratch();
    const files = ['slo.yaml', 'sli.yaml', 'alerts.yaml'].map((f) => `${FIXTURES}/openslo-refs/${f}`);
    const result = await vigil('import', 'openslo', ...files, '--out', out);
    expect(result).toMatchObject({ code: 0, stderr: '1 SLO imported\n' });
    const [slo] = await loadClean(out);
    expect(slo).toMatchObject({
      name: 'orders-availability',
      squad: 'orders',
      labels: {},
      regions: ['eu-west1', 'us-central1'],
      objectiveValue: 0.999,
      window: { kind: 'rolling', minutes: 28 * 1440 },
      indicator: {
        kind: 'ratio',
        source: 'prometheus',
        good: 'orders_requests_total{job="orders",code!~"5.."}',
        total: 'orders_requests_total{job="orders"}',
        regionLabel: 'region',
        vantageLabel: null,
      },
    });
    expect(slo?.alertWindows).toEqual([
      { severity: 'page', longMinutes: 60, shortMinutes: 5, threshold: { kind: 'burnRate', value: { num: 72n, den: 5n } } },
      { severity: 'ticket', longMinutes: 4320, shortMinutes: 360, threshold: { kind: 'burnRate', value: { num: 1n, den: 1n } } },
    ]);
  });

  it('gives the same SLO that vigil validate loads from the split files directly', async () => {
    const out = await scratch();
    expect((await vigil('import', 'openslo', ...['slo.yaml', 'sli.yaml', 'alerts.yaml'].map((f) => `${FIXTURES}/openslo-refs/${f}`), '--out', out)).code).toBe(0);
    expect(await loadClean(`${FIXTURES}/openslo-refs`)).toEqual(await loadClean(out));
  });

  it('refuses an SLO whose reference is not among the files, naming what is', async () => {
    const file = `${FIXTURES}/openslo-refs/slo.yaml`;
    const result = await vigil('import', 'openslo', file, `${FIXTURES}/openslo-refs/alerts.yaml`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:13:17: no SLI named "orders-errors" in the files given`);
  });
});

describe('OpenSLO round trips', () => {
  it('import → export → import gives the same definitions', async () => {
    const first = await scratch();
    const sources = [`${FIXTURES}/openslo-refs/slo.yaml`, `${FIXTURES}/openslo-refs/sli.yaml`, `${FIXTURES}/openslo-refs/alerts.yaml`];
    const wild = (await readdir(`${FIXTURES}/openslo-wild`)).map((f) => `${FIXTURES}/openslo-wild/${f}`);
    expect((await vigil('import', 'openslo', ...sources, ...wild, '--out', first)).code).toBe(0);
    const imported = await loadClean(first);
    expect(imported).toHaveLength(5);

    const exported = path.join(await scratch(), 'openslo.yaml');
    expect((await vigil('export', 'openslo', '--definitions', first, '--out', exported)).code).toBe(0);
    const second = await scratch();
    expect((await vigil('import', 'openslo', exported, '--out', second)).code).toBe(0);
    expect(await loadClean(second)).toEqual(imported);
  });

  it('exports the SLO folder a --config vigil.yaml names, relative to that file', async () => {
    const dir = await scratch();
    await writeFile(path.join(dir, 'vigil.yaml'), 'apiVersion: vigil/v1\nkind: Config\nspec:\n  definitions: { slos: imported }\n');
    expect((await vigil('import', 'sloth', `${FIXTURES}/sloth/k8s.yaml`, '--out', path.join(dir, 'imported'))).code).toBe(0);
    const result = await vigil('export', 'openslo', '--config', path.join(dir, 'vigil.yaml'));
    expect(result.code).toBe(0);
    expect([...result.stdout.matchAll(/^ {2}name: (\S+)$/gm)].map((m) => m[1])).toEqual(['ledger-writes']);
  });

  it('vigil/v1 → export openslo loads back as the same definitions, probe and event SLIs included', async () => {
    const originals = await loadClean('slo-definitions');
    expect(originals.map((s) => s.indicator.kind)).toEqual(expect.arrayContaining(['probe', 'ratio', 'events']));
    const exported = path.join(await scratch(), 'openslo.yaml');
    expect((await vigil('export', 'openslo', '--out', exported)).code).toBe(0);
    expect(await loadClean(exported)).toEqual(originals);
  });
});
