import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorBody, getReport, getSlo, postJson } from '../../test/helpers/http.js';
import { makeProject } from '../../test/helpers/project.js';
import { silentLogger } from '../lib/logger.js';
import { type RunningServer, startServer } from './start.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function start(options: { ingestToken?: string } = {}): Promise<RunningServer> {
  const dir = makeProject();
  const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), ...options });
  running.push(server);
  return server;
}

const post = postJson;
const postError = (url: string, body: unknown) => postJson<ErrorBody>(url, body);

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const recent = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

describe('vigil server', () => {
  it('answers /healthz and serves the SLO report at /api/v1/slos', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const report = await getReport(url);
    expect(report.slos.map((s: { name: string }) => s.name)).toEqual(['api']);
    expect(report.slos[0]).toMatchObject({ total: 0, sli: null, errorBudget: { consumed: 0, remaining: 1 } });
  });

  it('stores pushed events once per batch id and reports them after the next evaluation', async () => {
    const { url } = await start();
    const batch = {
      batchId: 'b-1',
      events: [
        { slo: 'api', ts: recent(30), good: 9, total: 10, region: 'eu-west1', vantage: 'us-central1' },
        { slo: 'api', ts: recent(20), good: 10, total: 10, region: 'us-central1' },
      ],
    };
    expect(await post(`${url}/api/v1/events`, batch)).toEqual({ status: 200, body: { accepted: 2, duplicate: false } });
    expect(await post(`${url}/api/v1/events`, batch)).toEqual({ status: 200, body: { accepted: 0, duplicate: true } });
    const slo = await waitFor(
      () => getSlo(url, 'api'),
      (s) => s.total === 20,
    );
    expect(slo).toMatchObject({ good: 19, total: 20 });
    expect(slo.regions['eu-west1']).toMatchObject({ good: 9, total: 10 });
  });

  it('rejects a batch with any bad event, says which, and stores nothing of it', async () => {
    const { url } = await start();
    const res = await postError(`${url}/api/v1/events`, {
      events: [
        { slo: 'api', ts: recent(5), good: 1, total: 1 },
        { slo: 'nope', ts: recent(5), good: 1, total: 1 },
        { slo: 'api', ts: 'soon', good: 1, total: 1 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details).toEqual([
      { index: 1, message: 'unknown SLO "nope"' },
      { index: 2, message: expect.stringContaining('ts: "soon" is not an ISO 8601 time') },
    ]);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await getSlo(url, 'api')).total).toBe(0);
  });

  it('answers malformed JSON, unknown endpoints and unknown SLOs with JSON errors', async () => {
    const { url } = await start();
    const bad = await postError(`${url}/api/v1/events`, '{"events": [');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
    const wrongShape = await postError(`${url}/api/v1/events`, [1, 2]);
    expect(wrongShape.status).toBe(400);
    const missing = await fetch(`${url}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error.code).toBe('not_found');
    const unknownSlo = await fetch(`${url}/api/v1/slos/nope`);
    expect(unknownSlo.status).toBe(404);
    expect(((await unknownSlo.json()) as ErrorBody).error.message).toBe('no SLO named "nope"');
  });

  it('requires the bearer token for writes when one is configured', async () => {
    const { url } = await start({ ingestToken: 's3cret' });
    const body = { events: [{ slo: 'api', ts: recent(1), good: 1, total: 1 }] };
    expect((await post(`${url}/api/v1/events`, body)).status).toBe(401);
    expect((await post(`${url}/api/v1/events`, body, { authorization: 'Bearer s3cret' })).status).toBe(200);
  });

  it('renders the HTML overview with every SLO, linked to its page that lists every region', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<a href="/slos/api">api</a>');
    const detail = await fetch(`${url}/slos/api`);
    expect(detail.status).toBe(200);
    const page = await detail.text();
    expect(page).toContain('<td>eu-west1</td>');
    expect(page).toContain('<td>us-central1</td>');
  });
});
