// The grpc probe against grpc-js health servers on loopback, and against peers that do not speak gRPC.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateWorkshop, certificateWorkshop, DAY_MS } from '../../../../test/helpers/certificates.js';
import { type HealthServer, type HealthServerOptions, startHealthServer } from '../../../../test/helpers/grpc-health-server.js';
import { type LoopbackResolver, startLoopbackResolver, TEST_ZONE } from '../../../../test/helpers/loopback-resolver.js';
import type { Outcome } from '../../outcome.js';
import type { HostLookup } from '../connect.js';
import type { ProbeRunner } from '../kind.js';
import { grpcKind } from './grpc.js';
import { decodeHealthCheckRequest, decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse } from './health-proto.js';
import { grpcSettingsSchema, grpcTargetSchema } from './schema.js';

function runnerFor(address: string, grpc: Record<string, unknown> = {}, timeoutMs = 5000, lookup?: HostLookup): ProbeRunner {
  const settings = grpcSettingsSchema.parse(grpc);
  const target = grpcTargetSchema.parse({ address });
  return grpcKind.create({ settings, target, timeoutMs, ...(lookup ? { lookup } : {}) });
}

async function probe(address: string, grpc: Record<string, unknown> = {}, timeoutMs = 5000, lookup?: HostLookup): Promise<Outcome> {
  const runner = runnerFor(address, grpc, timeoutMs, lookup);
  try {
    return await runner.probe(new AbortController().signal);
  } finally {
    await runner.close();
  }
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('grpc probe against a grpc-js health server', () => {
  let health: HealthServer | null = null;
  const start = async (options: HealthServerOptions = {}): Promise<HealthServer> => {
    health = await startHealthServer(options);
    return health;
  };

  afterEach(async () => {
    await health?.stop();
    health = null;
  });

  it('succeeds when the server as a whole is SERVING', async () => {
    const server = await start();
    expect(await probe(server.address)).toMatchObject({ ok: true, failure: null, detail: 'SERVING' });
    expect(server.calls().map((c) => c.service)).toEqual(['']);
  });

  it.each([
    ['NOT_SERVING', 'health status NOT_SERVING for service "playback"'],
    ['UNKNOWN', 'health status UNKNOWN for service "playback"'],
    ['SERVICE_UNKNOWN', 'health status SERVICE_UNKNOWN for service "playback"'],
  ] as const)('fails an answer of %s as an assertion, naming the status', async (serving, detail) => {
    const server = await start({ statuses: { '': 'SERVING', playback: serving } });
    expect(await probe(server.address, { service: 'playback' })).toMatchObject({ ok: false, failure: 'assertion_failed', detail });
  });

  it('follows a service that goes from SERVING to NOT_SERVING between attempts', async () => {
    const server = await start({ statuses: { playback: 'SERVING' } });
    const runner = runnerFor(server.address, { service: 'playback', reuseConnections: true });
    try {
      expect((await runner.probe(new AbortController().signal)).ok).toBe(true);
      server.setStatus('playback', 'NOT_SERVING');
      expect(await runner.probe(new AbortController().signal)).toMatchObject({ ok: false, failure: 'assertion_failed' });
    } finally {
      await runner.close();
    }
  });

  it('fails a service the server does not know (NOT_FOUND) as an assertion', async () => {
    const server = await start();
    const outcome = await probe(server.address, { service: 'nobody' });
    expect(outcome).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(outcome.detail).toMatch(/^NOT_FOUND: /);
  });

  it('sends the configured metadata', async () => {
    const server = await start();
    await probe(server.address, { metadata: { 'x-probe': 'vigil', authorization: 'Bearer t0ken' } });
    const [call] = server.calls();
    expect(call?.metadata.get('x-probe')).toEqual(['vigil']);
    expect(call?.metadata.get('authorization')).toEqual(['Bearer t0ken']);
  });

  it('opens a new connection per attempt, and one for all attempts with reuseConnections', async () => {
    const server = await start();
    for (let i = 0; i < 3; i++) expect((await probe(server.address)).ok).toBe(true);
    expect(new Set(server.calls().map((c) => c.peer)).size).toBe(3);

    const reused = runnerFor(server.address, { reuseConnections: true });
    try {
      for (let i = 0; i < 3; i++) expect((await reused.probe(new AbortController().signal)).ok).toBe(true);
    } finally {
      await reused.close();
    }
    expect(new Set(server.calls().slice(3).map((c) => c.peer)).size).toBe(1);
  });

  it('reports a response that is not a valid HealthCheckResponse as a protocol error', async () => {
    // A field key announcing a varint, then nothing.
    const server = await start({ rawResponse: Buffer.from([0x08]) });
    const outcome = await probe(server.address);
    expect(outcome).toMatchObject({ ok: false, failure: 'protocol_error' });
    expect(outcome.detail).toMatch(/^INTERNAL: /);
  });

  it('reports a refused port as connection_refused', async () => {
    const server = await start();
    const address = server.address;
    await server.stop();
    health = null;
    const outcome = await probe(address);
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_refused' });
    expect(outcome.detail).toMatch(/^UNAVAILABLE: .*ECONNREFUSED/);
  });
});

describe('grpc probe over TLS', () => {
  let workshop: CertificateWorkshop;
  let certFile = '';
  let health: HealthServer;
  let expiresAt = 0;

  beforeAll(async () => {
    workshop = await certificateWorkshop();
    const authority = await workshop.createAuthority();
    certFile = authority.certFile;
    expiresAt = Date.now() + 30 * DAY_MS;
    health = await startHealthServer({ tls: await authority.issue({ notAfter: new Date(expiresAt) }) });
  });

  afterAll(async () => {
    await health?.stop();
    await workshop?.remove();
  });

  it('succeeds with the CA from caFile and reports the certificate expiry', async () => {
    const outcome = await probe(health.address, { tls: true, tlsConfig: { caFile: certFile, serverName: 'localhost' } });
    expect(outcome, outcome.detail).toMatchObject({ ok: true, detail: 'SERVING' });
    // openssl keeps whole seconds.
    expect(Math.abs((outcome.certExpiresAt ?? 0) - expiresAt)).toBeLessThan(1000);
  });

  it('fails a certificate nobody trusts, unless insecureSkipVerify', async () => {
    const untrusted = await probe(health.address, { tls: true });
    expect(untrusted, untrusted.detail).toMatchObject({ ok: false, failure: 'tls_error' });
    expect((await probe(health.address, { tls: true, tlsConfig: { insecureSkipVerify: true } })).ok).toBe(true);
  });

  it('fails a certificate for another name', async () => {
    const outcome = await probe(health.address, { tls: true, tlsConfig: { caFile: certFile, serverName: 'api.example.com' } });
    expect(outcome, outcome.detail).toMatchObject({ ok: false, failure: 'tls_error' });
  });

  it('fails every attempt with tls_error when caFile cannot be read', async () => {
    const outcome = await probe(health.address, { tls: true, tlsConfig: { caFile: path.join(workshop.dir, 'missing.pem') } });
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error', detail: expect.stringContaining('cannot use caFile') });
  });

  it('reports a plaintext server asked over TLS as a TLS failure, not a hang', async () => {
    const plain = await startHealthServer();
    try {
      const outcome = await probe(plain.address, { tls: true, tlsConfig: { insecureSkipVerify: true } });
      expect(outcome, outcome.detail).toMatchObject({ ok: false, failure: 'tls_error' });
    } finally {
      await plain.stop();
    }
  });
});

describe('grpc probe of a target given by name', () => {
  let resolver: LoopbackResolver;
  let health: HealthServer;

  beforeAll(async () => {
    resolver = await startLoopbackResolver({ health: { a: '127.0.0.1' } });
    health = await startHealthServer();
  });

  afterAll(async () => {
    await health?.stop();
    await resolver?.stop();
  });

  it('resolves the name itself, timing the lookup, and sends the name as the authority', async () => {
    const outcome = await probe(`health.${TEST_ZONE}:${health.port}`, {}, 5000, resolver.lookup);
    expect(outcome, outcome.detail).toMatchObject({ ok: true, detail: 'SERVING' });
    expect(outcome.phases?.dns).toBeGreaterThan(0);
    expect(health.calls().at(-1)?.authority).toBe(`health.${TEST_ZONE}:${health.port}`);
  });

  it('reports a name that does not resolve as dns_error', async () => {
    const outcome = await probe(`missing.${TEST_ZONE}:${health.port}`, {}, 5000, resolver.lookup);
    expect(outcome).toMatchObject({ ok: false, failure: 'dns_error' });
  });
});

describe('grpc probe against peers that do not speak gRPC', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let silentPort = 0;
  let http1: ReturnType<typeof createHttpServer>;
  let http1Port = 0;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
    });
    silentPort = await listen(silent);
    http1 = createHttpServer((_, res) => res.end('ok'));
    http1Port = await listen(http1);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    http1.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => silent.close(() => resolve())),
      new Promise<void>((resolve) => http1.close(() => resolve())),
    ]);
  });

  it('times out on a server that accepts the connection and never speaks HTTP/2', async () => {
    const outcome = await probe(`127.0.0.1:${silentPort}`, {}, 500);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('reports a plain HTTP/1 server as a protocol error', async () => {
    const outcome = await probe(`127.0.0.1:${http1Port}`);
    expect(outcome, outcome.detail).toMatchObject({ ok: false, failure: 'protocol_error' });
  });

  it('resolves as a timeout when aborted by the prober', async () => {
    const runner = runnerFor(`127.0.0.1:${silentPort}`, {}, 60_000);
    const controller = new AbortController();
    const pending = runner.probe(controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: 'timeout', detail: expect.stringContaining('aborted') });
    await runner.close();
  });
});

describe('grpc.health.v1 messages', () => {
  it('round-trip, with proto3 defaults left off the wire', () => {
    expect(encodeHealthCheckRequest({ service: '' })).toEqual(Buffer.alloc(0));
    expect(encodeHealthCheckRequest({ service: 'ab' })).toEqual(Buffer.from([0x0a, 0x02, 0x61, 0x62]));
    expect(decodeHealthCheckRequest(encodeHealthCheckRequest({ service: 'é'.repeat(100) }))).toEqual({ service: 'é'.repeat(100) });
    expect(encodeHealthCheckResponse({ status: 2 })).toEqual(Buffer.from([0x08, 0x02]));
    expect(decodeHealthCheckResponse(Buffer.alloc(0))).toEqual({ status: 0 });
  });

  it('skip fields they do not know and reject broken input', () => {
    // field 2 (length-delimited "xyz"), field 3 (fixed32), then status = 1.
    const withUnknown = Buffer.from([0x12, 0x03, 0x78, 0x79, 0x7a, 0x1d, 1, 2, 3, 4, 0x08, 0x01]);
    expect(decodeHealthCheckResponse(withUnknown)).toEqual({ status: 1 });
    expect(() => decodeHealthCheckResponse(Buffer.from([0x12, 0x05, 0x78]))).toThrow(/runs past the end/);
    expect(() => decodeHealthCheckResponse(Buffer.from([0x0b]))).toThrow(/wire type 3/);
    expect(() => decodeHealthCheckResponse(Buffer.alloc(11, 0xff))).toThrow(/longer than 10 bytes/);
  });
});

describe('grpc probe definitions', () => {
  it('labels a target by its address', () => {
    expect(grpcKind.targetLabel(grpcTargetSchema.parse({ address: 'api.example.com:443' }))).toBe('api.example.com:443');
  });

  it.each([
    ['an upper-case metadata key', { metadata: { 'X-Key': 'v' } }, 'is not a gRPC metadata key'],
    ['a reserved metadata key', { metadata: { 'grpc-timeout': '1S' } }, 'is reserved by gRPC'],
    ['binary metadata', { metadata: { 'trace-bin': 'AAEC' } }, 'binary (-bin) metadata'],
    ['a line break in a metadata value', { metadata: { 'x-a': 'a\nb' } }, 'printable ASCII'],
    ['caFile without tls', { tlsConfig: { caFile: '/etc/ca.pem' } }, 'applies only with tls: true'],
    ['insecureSkipVerify without tls', { tlsConfig: { insecureSkipVerify: true } }, 'applies only with tls: true'],
  ])('rejects settings with %s', (_, settings, message) => {
    const parsed = grpcSettingsSchema.safeParse(settings);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('\n')).toContain(message);
  });
});
