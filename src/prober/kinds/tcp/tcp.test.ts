// The tcp probe against real loopback servers: connect, send/expect, and every way a peer can fail it.

import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  hang,
  type LoopbackServer,
  resetAtOnce,
  startSocketServer,
  waitFor,
} from '../../../../test/helpers/adversarial-servers.js';
import { type CertificateWorkshop, certificateWorkshop } from '../../../../test/helpers/certificates.js';
import { type LoopbackResolver, startLoopbackResolver, TEST_ZONE } from '../../../../test/helpers/loopback-resolver.js';
import type { Outcome } from '../../outcome.js';
import type { HostLookup } from '../connect.js';
import { EXPECT_READ_LIMIT, tcpKind } from './tcp.js';

const TIMEOUT_MS = 1000;
// A hang check only: an attempt that ends at all within this bound did not hang on the target.
const HANG_BOUND_MS = TIMEOUT_MS + 2000;

async function probeTcp(address: string, tcp: Record<string, unknown> = {}, lookup?: HostLookup): Promise<Outcome> {
  const settings = tcpKind.settingsSchema.parse(tcp);
  const target = tcpKind.targetSchema.parse({ address });
  const runner = tcpKind.create({ settings, target, timeoutMs: TIMEOUT_MS, lookup });
  try {
    return await runner.probe(new AbortController().signal);
  } finally {
    await runner.close();
  }
}

const servers: LoopbackServer[] = [];
async function serve(onSocket: (socket: Socket) => void, options: Parameters<typeof startSocketServer>[1] = {}): Promise<LoopbackServer> {
  const server = await startSocketServer(onSocket, options);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Answers "+PONG" to a line "PING", like a Redis server. */
function pong(socket: Socket): void {
  socket.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('PING\r\n')) socket.write('+PONG\r\n');
  });
}

describe('tcp probe', () => {
  it('an open port passes on connect alone, with dns and connect phases', async () => {
    const server = await serve(hang);
    const outcome = await probeTcp(server.address);
    expect(outcome).toMatchObject({ ok: true, failure: null, phases: { dns: 0 } });
    expect(outcome.phases?.connect).toBeGreaterThan(0);
    expect(outcome.phases?.tls).toBeUndefined();
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a refused port ends as connection_refused', async () => {
    expect(await probeTcp(`127.0.0.1:${await closedPort()}`)).toMatchObject({ ok: false, failure: 'connection_refused' });
  });

  it('send and expect: a matching answer passes', async () => {
    const server = await serve(pong);
    expect(await probeTcp(server.address, { send: 'PING\r\n', expect: '^\\+PONG' })).toMatchObject({ ok: true });
  });

  it('a peer that never sends what is expected ends as a timeout during response', async () => {
    const server = await serve(hang);
    const outcome = await probeTcp(server.address, { send: 'PING\r\n', expect: '^\\+PONG' });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('during response');
    expect(outcome.latencyMs).toBeLessThan(HANG_BOUND_MS);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a banner followed by a close passes when the banner matches', async () => {
    const server = await serve((socket) => socket.end('SSH-2.0-VigilTest\r\n'));
    expect(await probeTcp(server.address, { expect: '^SSH-2\\.0-' })).toMatchObject({ ok: true });
  });

  it('a banner that does not match, then a close, ends as assertion_failed with what was read', async () => {
    const server = await serve((socket) => socket.end('220 smtp.example.com ESMTP\r\n'));
    const outcome = await probeTcp(server.address, { expect: '^SSH-2\\.0-' });
    expect(outcome).toMatchObject({
      ok: false,
      failure: 'assertion_failed',
      detail: 'the peer closed after 28 bytes without a match for /^SSH-2\\.0-/: "220 smtp.example.com ESMTP\\r\\n"',
    });
  });

  it('a peer that streams without ever matching ends as assertion_failed after the read limit', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x7a);
    const server = await serve((socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const outcome = await probeTcp(server.address, { expect: 'READY' });
    expect(outcome).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(outcome.detail).toContain(`in the first ${EXPECT_READ_LIMIT} bytes`);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a connection reset ends as connection_reset', async () => {
    const server = await serve(resetAtOnce);
    expect(await probeTcp(server.address, { expect: 'anything' })).toMatchObject({ ok: false, failure: 'connection_reset' });
  });

  it('a reset after the request ends as connection_reset', async () => {
    const server = await serve((socket) => socket.once('data', () => socket.resetAndDestroy()));
    expect(await probeTcp(server.address, { send: 'PING\r\n', expect: 'PONG' })).toMatchObject({ ok: false, failure: 'connection_reset' });
  });

  it('send without expect passes once the bytes are written', async () => {
    const received: string[] = [];
    const server = await serve((socket) => socket.on('data', (chunk: Buffer) => received.push(chunk.toString())));
    expect(await probeTcp(server.address, { send: 'hello\n' })).toMatchObject({ ok: true });
    await waitFor(() => received.join('') === 'hello\n', 'the server to receive the line');
  });
});

describe('tcp probe with names and TLS', () => {
  let workshop: CertificateWorkshop;
  let resolver: LoopbackResolver;
  beforeAll(async () => {
    workshop = await certificateWorkshop();
    resolver = await startLoopbackResolver({ redis: { a: '127.0.0.1' } });
  });
  afterAll(async () => {
    await resolver?.stop();
    await workshop?.remove();
  });

  it('resolves a name, and an unknown name ends as dns_error', async () => {
    const server = await serve(pong);
    const known = await probeTcp(`redis.${TEST_ZONE}:${server.port}`, { send: 'PING\r\n', expect: 'PONG' }, resolver.lookup);
    expect(known).toMatchObject({ ok: true });
    expect(known.phases?.dns).toBeGreaterThan(0);
    const unknown = await probeTcp(`nothing.${TEST_ZONE}:${server.port}`, {}, resolver.lookup);
    expect(unknown).toMatchObject({ ok: false, failure: 'dns_error' });
  });

  it('tls: true with a trusted CA passes, with a tls phase and the certificate expiry', async () => {
    const ca = await workshop.createAuthority();
    const leaf = await ca.issue();
    const server = await serve(pong, { tls: leaf });
    const outcome = await probeTcp(server.address, { tls: true, tlsConfig: { caFile: ca.certFile }, send: 'PING\r\n', expect: 'PONG' });
    expect(outcome).toMatchObject({ ok: true, certExpiresAt: Date.parse(new X509Certificate(leaf.cert).validTo) });
    expect(outcome.phases?.tls).toBeGreaterThan(0);
  });

  it('tls: true against a self-signed certificate ends as tls_error, and passes with insecureSkipVerify', async () => {
    const server = await serve(pong, { tls: await workshop.selfSigned() });
    expect(await probeTcp(server.address, { tls: true })).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(await probeTcp(server.address, { tls: true, tlsConfig: { insecureSkipVerify: true } })).toMatchObject({ ok: true });
  });

  it('tls: true against a plain TCP server that never answers the handshake ends as a timeout during tls', async () => {
    const server = await serve(hang);
    const outcome = await probeTcp(server.address, { tls: true });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('during tls');
  });
});
