// The JSON API behind the web UI, against a running server: SLO history equal to `vigil report --at T` for
// the same events (whole and per region), the events touching an SLO, reports whose numbers are the pushed
// counts (as JSON, CSV and Markdown), bad parameters answered 400 naming the parameter, unknown names 404.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../src/cli/report.js';
import type { RunningServer } from '../src/server/start.js';
import type { SloReport } from '../src/slo/report-format.js';
import { bearer, startAuthServer } from './helpers/auth-project.js';
import { REGIONS } from './helpers/failover-project.js';

let server: RunningServer;
let dir: string;
const MINUTE = 60_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const events: Array<{ slo: string; ts: string; good: number; total: number; region: string; vantage: string }> = [];

const get = async (p: string, who: Parameters<typeof bearer>[0] = 'viewer') => {
  const res = await fetch(`${server.url}${p}`, { headers: bearer(who) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
};
const getJson = async <T>(p: string): Promise<T> => {
  const res = await get(p);
  expect(res.status, `${p}: ${res.text.slice(0, 300)}`).toBe(200);
  return JSON.parse(res.text) as T;
};
const post = (p: string, body: unknown, who: Parameters<typeof bearer>[0]) =>
  fetch(`${server.url}${p}`, { method: 'POST', headers: { ...bearer(who), 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  ({ server, dir } = await startAuthServer());
  // Two days of traffic: every 7th minute a burst of errors in one region, some minutes seen from two vantages.
  for (let m = 1; m <= 2 * 1440; m += 3) {
    REGIONS.forEach((region, i) => {
      const bad = m % 7 === i ? 5 + i : 0;
      events.push({ slo: 'api', ts: new Date(now - m * MINUTE + 13_000).toISOString(), good: 100 - bad, total: 100, region, vantage: REGIONS[(i + 1) % 3] as string });
    });
  }
  for (let i = 0; i < events.length; i += 2000) {
    const res = await post('/api/v1/events', { batchId: `b-${i}`, events: events.slice(i, i + 2000) }, 'prober');
    expect(res.status).toBe(200);
  }
  writeFileSync(path.join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
});

afterAll(async () => {
  await server?.close();
});

async function reportAt(at: number): Promise<SloReport> {
  let out = '';
  const io = { out: (t: string) => (out += t), err: () => {} };
  const code = await reportCommand({ definitions: path.join(dir, 'slo-definitions'), events: path.join(dir, 'events.jsonl'), at: new Date(at).toISOString(), format: 'json', root: dir }, io, () => at);
  expect(code).toBe(0);
  return JSON.parse(out) as SloReport;
}

interface History {
  step: string;
  warning: string | null;
  dataSince: string | null;
  points: Array<{ t: string; total: number; sli: number | null; errorBudget: { consumed: number; remaining: number }; burnRates: Record<string, number> }>;
}

describe('SLO history', () => {
  it('gives at each point exactly what vigil report --at T says for the same events, whole and per region', async () => {
    const from = new Date(now - 36 * 3_600_000).toISOString();
    const to = new Date(now).toISOString();
    const whole = await getJson<History>(`/api/v1/slos/api/history?from=${from}&to=${to}&step=6h`);
    const eu = await getJson<History>(`/api/v1/slos/api/history?from=${from}&to=${to}&step=6h&region=eu-west1`);
    expect(whole.points).toHaveLength(7);
    expect(whole.step).toBe('6h');
    for (const [i, point] of whole.points.entries()) {
      const report = await reportAt(Date.parse(point.t));
      const slo = report.slos[0];
      expect(point.sli, point.t).toBe(slo?.sli);
      expect(point.errorBudget).toEqual(slo?.errorBudget);
      expect(point.burnRates).toEqual(slo?.burnRates);
      const region = slo?.regions['eu-west1'];
      expect(eu.points[i]?.sli).toBe(region?.sli);
      expect(eu.points[i]?.burnRates).toEqual(region?.burnRates);
    }
    // Bad minutes happened: the numbers are not all trivially 1.
    expect(whole.points.at(-1)?.sli).toBeLessThan(1);
  });

  it('warns that two days of data are shorter than the 28-day window', async () => {
    const history = await getJson<History>('/api/v1/slos/api/history?step=1d');
    expect(history.dataSince).not.toBeNull();
    expect(history.warning).toMatch(/shorter than the 28d window/);
  });

  it('reads one vantage alone', async () => {
    const from = new Date(now - 3_600_000).toISOString();
    const all = await getJson<History>(`/api/v1/slos/api/history?step=1h&from=${from}`);
    const one = await getJson<History>(`/api/v1/slos/api/history?step=1h&vantage=us-central1&from=${from}`);
    const last = (h: History) => h.points.at(-1)?.total ?? 0;
    // Each vantage sees one region here: one third of the traffic.
    expect(last(one)).toBeGreaterThan(0);
    expect(last(one) * 3).toBe(last(all));
  });

  it.each([
    ['from after to', 'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', /^from: /],
    ['an unparsable from', 'from=yesterday', /^from: "yesterday" is not an ISO 8601 time/],
    ['a time without an offset', 'to=2026-11-01T00:00:00', /^to: /],
    ['a step of seconds', 'step=30s', /^step: /],
    ['a step that is not a duration', 'step=fast', /^step: /],
    ['a step giving more than 10,000 points', 'from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z&step=1m', /^step: .*more than 10000/],
    ['a region the SLO does not have', 'region=mars-1', /^region: /],
    ['a parameter given twice', 'step=5m&step=10m', /^step: give it once/],
  ])('answers %s with a 400 naming the parameter', async (_what, query, message) => {
    const res = await get(`/api/v1/slos/api/history?${query}`);
    expect(res.status).toBe(400);
    const { error } = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(message);
  });

  it('answers an unknown SLO with 404, as JSON for the API and as a page for the browser', async () => {
    const api = await get('/api/v1/slos/nope/history');
    expect([api.status, JSON.parse(api.text).error.code]).toEqual([404, 'not_found']);
    const page = await get('/slos/%3Cscript%3Enope');
    expect(page.status).toBe(404);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('no SLO named &quot;&lt;script&gt;nope&quot;');
    expect(page.text).not.toContain('<script>nope');
  });
});

describe('events, reports and pages', () => {
  it('lists an IMOC drain and restore among the events of the SLO of that region', async () => {
    expect((await post('/api/v1/failover/drain', { region: 'eu-west1', reason: 'ui events test' }, 'imoc')).status).toBe(200);
    expect((await post('/api/v1/failover/restore', { region: 'eu-west1', reason: 'ui events test' }, 'imoc')).status).toBe(200);
    const timeline = await getJson<{ failovers: Array<{ action: string; region: string; actor: string; outcome: string }> }>('/api/v1/slos/api/events');
    expect(timeline.failovers.filter((f) => f.region === 'eu-west1').map((f) => [f.action, f.actor, f.outcome])).toEqual(
      expect.arrayContaining([
        ['drain', 'ida', 'executed'],
        ['restore', 'ida', 'executed'],
      ]),
    );
  });

  it('reports a month with exactly the pushed counts, and CSV and Markdown downloads with the same numbers', async () => {
    const month = new Date(now).toISOString().slice(0, 10);
    const report = await getJson<{ from: string; to: string; slos: Array<{ name: string; good: number; total: number; attainment: number }>; failovers: Array<{ action: string }> }>(`/api/v1/reports?period=month&start=${month}`);
    const inPeriod = events.filter((e) => e.ts >= report.from && e.ts < report.to);
    const good = inPeriod.reduce((s, e) => s + e.good, 0);
    const total = inPeriod.reduce((s, e) => s + e.total, 0);
    expect(report.slos).toEqual([expect.objectContaining({ name: 'api', good, total })]);
    expect(report.failovers.map((f) => f.action)).toEqual(expect.arrayContaining(['drain', 'restore']));

    const csv = await get(`/reports?period=month&start=${month}&format=csv`);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="?vigil-report-month-\d{4}-\d{2}-01\.csv"?$/);
    const [row] = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect([Number(row?.good), Number(row?.total), row?.attainment_percent]).toEqual([good, total, ((good / total) * 100).toFixed(4)]);

    const md = await get(`/reports?period=month&start=${month}&format=md`);
    expect(md.type).toMatch(/^text\/markdown/);
    expect(md.text).toContain(`| api | core | 99.900% | ${((good / total) * 100).toFixed(4)}% |`);
  });

  it.each([
    ['period=year', /^period: must be one of week, month/],
    ['timeZone=Mars/Olympus', /^timeZone: "Mars\/Olympus" is not an IANA time zone/],
    ['start=last-tuesday', /^start: /],
    ['squad=nobody', /^squad: no SLO belongs to a squad named "nobody"/],
  ])('answers a report with %s with a 400 naming the parameter', async (query, message) => {
    const res = await get(`/api/v1/reports?${query}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.message).toMatch(message);
  });

  it('renders the SLO page with its YAML and runbook, and the runbook page; an unknown runbook is a 404 page', async () => {
    const page = await get('/slos/api');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<p class="muted">slo-definitions\/api\.yaml:\d+<\/p>/);
    expect(page.text).toContain('objective: 99.9');
    expect(page.text).toContain('<h1>API runbook</h1>');
    expect(page.text).toMatch(/Data held since .* is shorter than the 28d window/);
    const runbook = await get('/runbooks/api');
    expect([runbook.status, runbook.text.includes('<h1>API runbook</h1>')]).toEqual([200, true]);
    const missing = await get('/runbooks/..%2Fvigil');
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^text\/html/);
  });
});
