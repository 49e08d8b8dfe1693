// The http probe's checks (body regex, header regex, JSON paths), redirects, phases and connection reuse,
// against real loopback servers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startHttpServer, waitFor } from '../../../../test/helpers/adversarial-servers.js';
import type { Outcome } from '../../outcome.js';
import { exchangeClients } from './exchange-clients.js';
import { httpKind } from './http.js';

const TIMEOUT_MS = 5000;

async function probeHttp(url: string, http: Record<string, unknown> = {}, attempts = 1): Promise<Outcome[]> {
  const settings = httpKind.settingsSchema.parse(http);
  const runner = httpKind.create({ settings, target: httpKind.targetSchema.parse({ url }), timeoutMs: TIMEOUT_MS });
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < attempts; i++) outcomes.push(await runner.probe(new AbortController().signal));
  } finally {
    await runner.close();
  }
  return outcomes;
}

async function probeOnce(url: string, http: Record<string, unknown> = {}): Promise<Outcome> {
  const [outcome] = await probeHttp(url, http);
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

interface SeenRequest {
  method: string;
  url: string;
  body: string;
}

let server: LoopbackServer & { url: string };
const seen: SeenRequest[] = [];
/** "host-header path" of every request, in arrival order. */
const seenHosts: string[] = [];

/** One server, routed by path, standing in for the usual health endpoints and their mistakes. */
function route(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body });
    seenHosts.push(`${req.headers.host} ${req.url}`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const hop = /^\/loop\/(\d+)$/.exec(path);
    if (hop) {
      res.writeHead(302, { location: `/loop/${Number(hop[1]) + 1}` }).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-region': 'eu-west1' }).end('status: ok\n');
    } else if (path === '/status.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'up', checks: [{ name: 'db', ok: true, latency: 3 }] }));
    } else if (path === '/large') {
      // The length a GET would get; a HEAD answer carries it without the body.
      res.writeHead(200, { 'content-length': String(100 * 1024 ** 2) });
      if (req.method === 'HEAD') res.end();
      else res.flushHeaders();
    } else if (path === '/moved') {
      res.writeHead(302, { location: '/healthz' }).end();
    } else if (path === '/see-other') {
      res.writeHead(303, { location: '/healthz' }).end();
    } else if (path === '/temporary') {
      res.writeHead(307, { location: '/healthz' }).end();
    } else if (path === '/elsewhere') {
      res.writeHead(301, { location: 'ftp://files.example.com/' }).end();
    } else {
      res.writeHead(404).end('not found');
    }
  });
}

beforeAll(async () => {
  server = await startHttpServer(route);
});
afterAll(async () => {
  await server?.close();
});

describe('http probe checks', () => {
  it.each([
    ['a body regex that matches passes', '/healthz', { expect: { bodyRegex: 'status: ok' } }, null],
    ['a body regex that does not match fails with the regex', '/healthz', { expect: { bodyRegex: '^healthy$' } }, 'body does not match /^healthy$/'],
    ['a header regex that matches passes (names are case-insensitive)', '/healthz', { expect: { headers: { 'X-Region': '^eu-' } } }, null],
    ['a header regex that does not match fails with the value seen', '/healthz', { expect: { headers: { 'content-type': '^application/json' } } }, 'header content-type: "text/plain; charset=utf-8" does not match /^application\\/json/'],
    ['a missing header fails', '/healthz', { expect: { headers: { 'x-build': '.' } } }, 'header x-build missing, expected /./'],
    ['JSON values that equal the expected ones pass', '/status.json', { expect: { json: { '$.status': 'up', '$.checks[0].ok': true, '$.checks[0].latency': 3 } } }, null],
    ['a JSON value that differs fails with both values', '/status.json', { expect: { json: { '$.status': 'down' } } }, '$.status is "up", expected "down"'],
    ['a JSON value of another type does not pass by coercion', '/status.json', { expect: { json: { '$.checks[0].latency': '3' } } }, '$.checks[0].latency is 3, expected "3"'],
    ['a JSON path that is absent fails', '/status.json', { expect: { json: { '$.checks[1].ok': true } } }, '$.checks[1].ok not found in the body'],
    ['a JSON check on a body that is not JSON fails', '/healthz', { expect: { json: { '$.status': 'up' } } }, 'body is not JSON'],
  ])('%s', async (_name, path, http, problem) => {
    const outcome = await probeOnce(`${server.url}${path}`, http);
    if (problem === null) expect(outcome).toMatchObject({ ok: true, failure: null, status: 200 });
    else expect(outcome).toMatchObject({ ok: false, failure: 'assertion_failed', status: 200, detail: problem });
  });

  it('status ranges decide which statuses pass', async () => {
    expect(await probeOnce(`${server.url}/missing`, { expect: { status: ['200-299', 404] } })).toMatchObject({ ok: true, status: 404 });
    expect(await probeOnce(`${server.url}/missing`)).toMatchObject({ ok: false, failure: 'http_status', status: 404 });
  });

  it('a HEAD answer that declares a length over maxBodyBytes is not too large: it has no body', async () => {
    expect(await probeOnce(`${server.url}/large`, { method: 'HEAD' })).toMatchObject({ ok: true, status: 200 });
    expect(await probeOnce(`${server.url}/large`)).toMatchObject({ ok: false, failure: 'body_too_large', status: 200 });
  });

  it('sends the configured method, headers and body', async () => {
    seen.length = 0;
    const outcome = await probeOnce(`${server.url}/healthz?deep=1`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ping' });
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual([{ method: 'POST', url: '/healthz?deep=1', body: 'ping' }]);
  });
});

describe('http probe redirects', () => {
  it('follows a redirect and judges the final response', async () => {
    const outcome = await probeOnce(`${server.url}/moved`, { expect: { bodyRegex: 'ok' } });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
  });

  it('with followRedirects false, judges the redirect itself', async () => {
    expect(await probeOnce(`${server.url}/moved`, { followRedirects: false })).toMatchObject({ ok: false, failure: 'http_status', status: 302 });
    expect(await probeOnce(`${server.url}/moved`, { followRedirects: false, expect: { status: ['300-399'] } })).toMatchObject({ ok: true, status: 302 });
  });

  it('a POST turns into a GET after 303 and stays a POST after 307', async () => {
    seen.length = 0;
    await probeOnce(`${server.url}/see-other`, { method: 'POST', body: 'x' });
    await probeOnce(`${server.url}/temporary`, { method: 'POST', body: 'x' });
    expect(seen.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      'POST /see-other x',
      'GET /healthz ',
      'POST /temporary x',
      'POST /healthz x',
    ]);
  });

  it('stops a redirect loop after 10 hops as http_status', async () => {
    const outcome = await probeOnce(`${server.url}/loop/0`);
    expect(outcome).toMatchObject({ ok: false, failure: 'http_status', status: 302, detail: 'status 302: stopped after 10 redirects' });
  });

  it('a redirect to a non-HTTP URL is a protocol_error', async () => {
    const outcome = await probeOnce(`${server.url}/elsewhere`);
    expect(outcome).toMatchObject({ ok: false, failure: 'protocol_error', status: 301 });
  });
});

describe('http probe phases and connections', () => {
  it('reports all five phases for plain http, tls and dns being zero for an IP target', async () => {
    const outcome = await probeOnce(`${server.url}/healthz`);
    expect(outcome.ok).toBe(true);
    expect(Object.keys(outcome.phases ?? {}).sort()).toEqual(['connect', 'dns', 'tls', 'transfer', 'ttfb']);
    expect(outcome.phases).toMatchObject({ dns: 0, tls: 0 });
    expect(outcome.phases?.connect).toBeGreaterThan(0);
    expect(outcome.phases?.ttfb).toBeGreaterThan(0);
  });

  it('opens a new connection per attempt by default', async () => {
    const before = server.connections();
    const outcomes = await probeHttp(`${server.url}/healthz`, {}, 3);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(server.connections() - before).toBe(3);
  });

  it('attempts of many targets share a few undici clients, each request going to its own target\'s host and path', async () => {
    const other = await startHttpServer(route);
    seenHosts.length = 0;
    const settings = httpKind.settingsSchema.parse({ expect: { bodyRegex: 'status: ok' } });
    const urls = Array.from({ length: 40 }, (_, i) => `${i % 2 ? server.url : other.url}/healthz?target=${i}`);
    const runners = urls.map((url) => httpKind.create({ settings, target: { url }, timeoutMs: TIMEOUT_MS }));
    try {
      for (let round = 0; round < 3; round++) {
        const outcomes = await Promise.all(runners.map((runner) => runner.probe(new AbortController().signal)));
        expect(outcomes.every((o) => o.ok)).toBe(true);
      }
    } finally {
      await Promise.all(runners.map((runner) => runner.close()));
      await other.close();
    }
    expect(seenHosts).toHaveLength(120);
    const expected = urls.map((url) => `${new URL(url).host} ${new URL(url).pathname}${new URL(url).search}`);
    expect(new Set(seenHosts)).toEqual(new Set(expected));
    // Clients go back once undici is done with their connections: never more than the attempts in flight.
    await waitFor(() => exchangeClients.idleCount > 0, 'clients back from their exchanges');
    expect(exchangeClients.idleCount).toBeLessThanOrEqual(40);
  });

  it('keeps one connection across attempts with reuseConnections, with no connect phase after the first', async () => {
    const before = server.connections();
    const outcomes = await probeHttp(`${server.url}/healthz`, { reuseConnections: true }, 3);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(server.connections() - before).toBe(1);
    expect(outcomes[0]?.phases?.connect).toBeGreaterThan(0);
    expect(outcomes[2]?.phases?.connect).toBe(0);
  });
});
