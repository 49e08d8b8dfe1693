// The http probe against real loopback servers: every adversarial target ends as its classified failure,
// well-behaved ones pass with their phases, and the body read stays bounded.

import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  closeMidResponse,
  endlessBody,
  garbage,
  hang,
  type LoopbackServer,
  resetMidResponse,
  slowLoris,
  startHttpServer,
  startSocketServer,
  waitFor,
} from '../../../../test/helpers/adversarial-servers.js';
import { type CertificateAuthority, type CertificateWorkshop, certificateWorkshop, DAY_MS } from '../../../../test/helpers/certificates.js';
import { type LoopbackResolver, startLoopbackResolver, TEST_ZONE } from '../../../../test/helpers/loopback-resolver.js';
import type { Outcome } from '../../outcome.js';
import type { HostLookup } from '../connect.js';
import { httpKind } from './http.js';

const TIMEOUT_MS = 1000;
// A hang check only: an attempt that ends at all within this bound did not hang on the target.
const HANG_BOUND_MS = TIMEOUT_MS + 2000;

interface ProbeOptions {
  timeoutMs?: number;
  lookup?: HostLookup;
  signal?: AbortSignal;
}

async function probeHttp(url: string, http: Record<string, unknown> = {}, options: ProbeOptions = {}): Promise<Outcome> {
  const settings = httpKind.settingsSchema.parse(http);
  const target = httpKind.targetSchema.parse({ url });
  const runner = httpKind.create({ settings, target, timeoutMs: options.timeoutMs ?? TIMEOUT_MS, lookup: options.lookup });
  try {
    return await runner.probe(options.signal ?? new AbortController().signal);
  } finally {
    await runner.close();
  }
}

function reply(status: number, body: string, headers: Record<string, string> = {}) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
}

const servers: LoopbackServer[] = [];
async function track<T extends LoopbackServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  servers.push(started);
  return started;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('http probe against adversarial targets', () => {
  it('a target that accepts and never answers ends as a timeout', async () => {
    const server = await track(startSocketServer(hang));
    const outcome = await probeHttp(`http://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain(`within ${TIMEOUT_MS} ms`);
    expect(outcome.latencyMs).toBeLessThan(HANG_BOUND_MS);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a slow-loris body (headers, then a byte a second) ends as a timeout with the status seen', async () => {
    const server = await track(startSocketServer(slowLoris));
    const outcome = await probeHttp(`http://${server.address}/`, { expect: { bodyRegex: 'never' } });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout', status: 200 });
    expect(outcome.detail).toContain('during response');
    expect(outcome.latencyMs).toBeLessThan(HANG_BOUND_MS);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('an endless body ends as body_too_large, having read little more than maxBodyBytes', async () => {
    const body = endlessBody();
    const server = await track(startSocketServer(body.onSocket));
    const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory());
    }, 5);
    // bodyRegex makes the probe keep the body: the bound must hold for the bytes it holds, too.
    const outcome = await probeHttp(`http://${server.address}/`, { maxBodyBytes: '1MiB', expect: { bodyRegex: 'b' } }, { timeoutMs: 5000 });
    clearInterval(sampler);
    expect(outcome).toMatchObject({ ok: false, failure: 'body_too_large', status: 200 });
    expect(outcome.detail).toBe('body exceeds maxBodyBytes 1048576');
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
    // What the server got rid of: 1 MiB read plus the kernel's socket buffers, nowhere near 10 GB.
    expect(body.written()).toBeLessThan(64 * 1024 ** 2);
    expect(peak - before).toBeLessThan(8 * 1024 ** 2);
  });

  it('a content-length over maxBodyBytes ends as body_too_large before reading the body', async () => {
    const body = endlessBody(10 * 1000 ** 3);
    const server = await track(startSocketServer(body.onSocket));
    const outcome = await probeHttp(`http://${server.address}/`, { maxBodyBytes: '64KiB' });
    expect(outcome).toMatchObject({ ok: false, failure: 'body_too_large', status: 200 });
    expect(outcome.detail).toBe('content-length 10000000000 exceeds maxBodyBytes 65536');
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
    expect(body.written()).toBeLessThan(64 * 1024 ** 2);
  });

  it('a 5xx ends as http_status with the status', async () => {
    const server = await track(startHttpServer(reply(503, 'overloaded')));
    const outcome = await probeHttp(`${server.url}/healthz`);
    expect(outcome).toMatchObject({ ok: false, failure: 'http_status', status: 503, detail: 'status 503, expected 200-299' });
  });

  it('a connection reset in the middle of the body ends as connection_reset', async () => {
    const server = await track(startSocketServer(resetMidResponse));
    const outcome = await probeHttp(`http://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_reset', status: 200 });
  });

  it('a connection closed before the declared body is complete ends as connection_reset', async () => {
    const server = await track(startSocketServer(closeMidResponse));
    const outcome = await probeHttp(`http://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_reset', status: 200 });
  });

  it('a refused port ends as connection_refused', async () => {
    const outcome = await probeHttp(`http://127.0.0.1:${await closedPort()}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_refused' });
    expect(outcome.detail).toContain('ECONNREFUSED');
  });

  it('a peer that does not speak HTTP ends as protocol_error', async () => {
    const server = await track(startSocketServer(garbage));
    const outcome = await probeHttp(`http://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'protocol_error' });
  });

  it('an abort from the prober ends the attempt at once as a timeout', async () => {
    const server = await track(startSocketServer(hang));
    const controller = new AbortController();
    const pending = probeHttp(`http://${server.address}/`, {}, { timeoutMs: 60_000, signal: controller.signal });
    await waitFor(() => server.connections() > 0, 'the probe to connect');
    controller.abort();
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('aborted by the prober');
  });
});

describe('http probe name resolution through a local BIND', () => {
  let resolver: LoopbackResolver;
  let v4: LoopbackServer & { url: string };
  beforeAll(async () => {
    resolver = await startLoopbackResolver({ web: { a: '127.0.0.1' }, v6only: { aaaa: '::1' } });
    v4 = await track(startHttpServer(reply(200, 'ok')));
  });
  afterAll(async () => {
    await resolver?.stop();
  });

  it('a name that does not exist ends as dns_error', async () => {
    const outcome = await probeHttp(`http://nowhere.${TEST_ZONE}:${v4.port}/`, {}, { lookup: resolver.lookup });
    expect(outcome).toMatchObject({ ok: false, failure: 'dns_error' });
    expect(outcome.phases?.dns).toBeGreaterThan(0);
    expect(outcome.detail).toContain('ENOTFOUND');
  });

  it('a name that resolves is probed, with a dns phase', async () => {
    const outcome = await probeHttp(`http://web.${TEST_ZONE}:${v4.port}/`, {}, { lookup: resolver.lookup });
    expect(outcome).toMatchObject({ ok: true, failure: null, status: 200 });
    expect(outcome.phases?.dns).toBeGreaterThan(0);
  });

  it('ipFamily 6 connects over IPv6 to ::1, and ipFamily 4 finds no address for an AAAA-only name', async () => {
    let remote = '';
    const v6 = await track(
      startHttpServer(
        (req, res) => {
          remote = req.socket.remoteAddress ?? '';
          res.end('ok');
        },
        { host: '::1' },
      ),
    );
    const six = await probeHttp(`http://v6only.${TEST_ZONE}:${v6.port}/`, { ipFamily: 6 }, { lookup: resolver.lookup });
    expect(six).toMatchObject({ ok: true, status: 200 });
    expect(remote).toBe('::1');
    const four = await probeHttp(`http://v6only.${TEST_ZONE}:${v6.port}/`, { ipFamily: 4 }, { lookup: resolver.lookup });
    expect(four).toMatchObject({ ok: false, failure: 'dns_error' });
    const literal = await probeHttp(`http://[::1]:${v6.port}/`, { ipFamily: 6 });
    expect(literal).toMatchObject({ ok: true, status: 200 });
  });
});

describe('http probe over TLS with certificates made at test time', () => {
  let workshop: CertificateWorkshop;
  let ca: CertificateAuthority;
  beforeAll(async () => {
    workshop = await certificateWorkshop();
    ca = await workshop.createAuthority();
  });
  afterAll(async () => {
    await workshop?.remove();
  });

  it('a certificate from a CA trusted through caFile passes, with its expiry and a tls phase', async () => {
    const leaf = await ca.issue();
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: leaf }));
    const outcome = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: ca.certFile } });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    expect(outcome.certExpiresAt).toBe(Date.parse(new X509Certificate(leaf.cert).validTo));
    expect(Object.keys(outcome.phases ?? {}).sort()).toEqual(['connect', 'dns', 'tls', 'transfer', 'ttfb']);
    expect(outcome.phases?.tls).toBeGreaterThan(0);
  });

  it('a kept https connection still reports the certificate expiry on later attempts', async () => {
    const leaf = await ca.issue();
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: leaf }));
    const settings = httpKind.settingsSchema.parse({ reuseConnections: true, tlsConfig: { caFile: ca.certFile } });
    const runner = httpKind.create({ settings, target: { url: `${server.url}/` }, timeoutMs: TIMEOUT_MS });
    const first = await runner.probe(new AbortController().signal);
    const second = await runner.probe(new AbortController().signal);
    await runner.close();
    expect([first.ok, second.ok, server.connections()]).toEqual([true, true, 1]);
    expect(second.certExpiresAt).toBe(Date.parse(new X509Certificate(leaf.cert).validTo));
    expect(second.phases?.tls).toBe(0);
  });

  it('a self-signed certificate ends as tls_error, still reporting its expiry', async () => {
    const self = await workshop.selfSigned();
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: self }));
    const outcome = await probeHttp(`${server.url}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(outcome.detail).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(outcome.certExpiresAt).toBe(Date.parse(new X509Certificate(self.cert).validTo));
  });

  it('a self-signed certificate passes with insecureSkipVerify', async () => {
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: await workshop.selfSigned() }));
    const outcome = await probeHttp(`${server.url}/`, { tlsConfig: { insecureSkipVerify: true } });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
  });

  it('an expired certificate from a trusted CA ends as tls_error', async () => {
    const expired = await ca.issue({ notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: expired }));
    const outcome = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: ca.certFile } });
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(outcome.detail).toContain('CERT_HAS_EXPIRED');
    expect(outcome.certExpiresAt).toBeLessThan(Date.now());
  });

  it('serverName sets the name checked: right name passes, wrong name ends as tls_error', async () => {
    const leaf = await ca.issue({ names: ['api.vigil.test'] });
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: leaf }));
    const right = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: ca.certFile, serverName: 'api.vigil.test' } });
    expect(right).toMatchObject({ ok: true, status: 200 });
    const wrong = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: ca.certFile } });
    expect(wrong).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(wrong.detail).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a certificate for another name fails every attempt of the same runner as tls_error, none left waiting', async () => {
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: await ca.issue({ names: ['api.vigil.test'] }) }));
    const settings = httpKind.settingsSchema.parse({ tlsConfig: { caFile: ca.certFile } });
    const runner = httpKind.create({ settings, target: { url: `${server.url}/` }, timeoutMs: TIMEOUT_MS });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await runner.probe(new AbortController().signal));
    await runner.close();
    expect(outcomes.map((o) => o.failure)).toEqual(['tls_error', 'tls_error', 'tls_error']);
    expect(Math.max(...outcomes.map((o) => o.latencyMs))).toBeLessThan(TIMEOUT_MS / 2);
  });

  it('an unreadable or empty caFile ends every attempt as tls_error without connecting', async () => {
    const server = await track(startHttpServer(reply(200, 'ok'), { tls: await ca.issue() }));
    const missing = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: `${workshop.dir}/no-such-ca.pem` } });
    expect(missing).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(missing.detail).toContain('no-such-ca.pem');
    const notPem = await probeHttp(`${server.url}/`, { tlsConfig: { caFile: await workshop.writeFile('not-a-ca.pem', 'hello') } });
    expect(notPem).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(notPem.detail).toContain('no PEM certificate');
    expect(server.connections()).toBe(0);
  });

  it('a TLS server that never answers the handshake ends as a timeout during tls', async () => {
    const server = await track(startSocketServer(hang));
    const outcome = await probeHttp(`https://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('during tls');
    // The time went into the handshake, and the phases say so (as blackbox_exporter's do).
    expect(outcome.phases?.tls).toBeGreaterThan(TIMEOUT_MS / 2);
    expect(outcome.phases?.connect).toBeLessThan(TIMEOUT_MS / 2);
  });

  it('a name lookup that never answers ends as a timeout charged to the dns phase', async () => {
    const outcome = await probeHttp('http://stuck.example/', {}, { lookup: () => {} });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('during dns');
    expect(outcome.phases?.dns).toBeGreaterThan(TIMEOUT_MS / 2);
    expect(outcome.phases?.connect).toBe(0);
  });

  it('a server that answers the ClientHello with garbage ends as tls_error', async () => {
    const server = await track(startSocketServer(garbage));
    const outcome = await probeHttp(`https://${server.address}/`);
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
  });
});
