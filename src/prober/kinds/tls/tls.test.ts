// The tls probe against real loopback TLS servers with certificates made at test time: trust, expiry,
// minDaysLeft, and handshakes that hang or are not TLS at all.
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  garbage,
  hang,
  type LoopbackServer,
  type ServerOptions,
  startSocketServer,
  waitFor,
} from '../../../../test/helpers/adversarial-servers.js';
import { type CertificateAuthority, type CertificateWorkshop, certificateWorkshop, DAY_MS } from '../../../../test/helpers/certificates.js';
import { type LoopbackResolver, startLoopbackResolver, TEST_ZONE } from '../../../../test/helpers/loopback-resolver.js';
import type { Outcome } from '../../outcome.js';
import type { HostLookup } from '../connect.js';
import { tlsKind } from './tls.js';

const TIMEOUT_MS = 1000;
// A hang check only: an attempt that ends at all within this bound did not hang on the target.
const HANG_BOUND_MS = TIMEOUT_MS + 2000;

async function probeTls(address: string, tls: Record<string, unknown> = {}, lookup?: HostLookup): Promise<Outcome> {
  const settings = tlsKind.settingsSchema.parse(tls);
  const runner = tlsKind.create({ settings, target: tlsKind.targetSchema.parse({ address }), timeoutMs: TIMEOUT_MS, lookup });
  try {
    return await runner.probe(new AbortController().signal);
  } finally {
    await runner.close();
  }
}

const servers: LoopbackServer[] = [];
async function serve(onSocket: (socket: Socket) => void, options: ServerOptions = {}): Promise<LoopbackServer> {
  const server = await startSocketServer(onSocket, options);
  servers.push(server);
  return server;
}

const expiryOf = (cert: string): number => Date.parse(new X509Certificate(cert).validTo);

let workshop: CertificateWorkshop;
let ca: CertificateAuthority;
beforeAll(async () => {
  workshop = await certificateWorkshop();
  ca = await workshop.createAuthority();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await workshop?.remove();
});

describe('tls probe', () => {
  it('a certificate from a CA trusted through caFile passes, with its expiry and the dns, connect and tls phases', async () => {
    const leaf = await ca.issue({ notAfter: new Date(Date.now() + 60 * DAY_MS) });
    const server = await serve(hang, { tls: leaf });
    const outcome = await probeTls(server.address, { caFile: ca.certFile, minDaysLeft: 14 });
    expect(outcome).toMatchObject({ ok: true, failure: null, certExpiresAt: expiryOf(leaf.cert) });
    expect(outcome.detail).toMatch(/^certificate expires in (59|60)\.\d days \(/);
    expect(Object.keys(outcome.phases ?? {}).sort()).toEqual(['connect', 'dns', 'tls']);
    expect(outcome.phases?.tls).toBeGreaterThan(0);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a passing attempt closes the connection politely (close_notify and FIN, no reset)', async () => {
    const seen: string[] = [];
    const server = await serve(
      (socket) => {
        socket.on('error', (error: NodeJS.ErrnoException) => seen.push(`error ${error.code}`));
        socket.on('end', () => seen.push('end'));
        socket.resume();
      },
      { tls: await ca.issue() },
    );
    expect(await probeTls(server.address, { caFile: ca.certFile })).toMatchObject({ ok: true });
    await waitFor(() => seen.length > 0 && server.openConnections() === 0, 'the probe to close its connection');
    expect(seen).toEqual(['end']);
  });

  it('a self-signed certificate nobody trusts ends as tls_error, with its expiry', async () => {
    const self = await workshop.selfSigned();
    const server = await serve(hang, { tls: self });
    const outcome = await probeTls(server.address);
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error', certExpiresAt: expiryOf(self.cert) });
    expect(outcome.detail).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('an expired certificate ends as tls_error even from a trusted CA', async () => {
    const expired = await ca.issue({ notBefore: new Date(Date.now() - 100 * DAY_MS), notAfter: new Date(Date.now() - 2 * DAY_MS) });
    const server = await serve(hang, { tls: expired });
    const outcome = await probeTls(server.address, { caFile: ca.certFile });
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error', certExpiresAt: expiryOf(expired.cert) });
    expect(outcome.detail).toContain('CERT_HAS_EXPIRED');
  });

  it('a certificate expiring in 3 days with minDaysLeft 14 ends as assertion_failed saying the days left', async () => {
    const soon = await ca.issue({ notAfter: new Date(Date.now() + 3 * DAY_MS) });
    const server = await serve(hang, { tls: soon });
    const outcome = await probeTls(server.address, { caFile: ca.certFile, minDaysLeft: 14 });
    expect(outcome).toMatchObject({ ok: false, failure: 'assertion_failed', certExpiresAt: expiryOf(soon.cert) });
    expect(outcome.detail).toMatch(/^certificate expires in 3\.0 days \(\d{4}-\d\d-\d\dT[\d:.]+Z\), below minDaysLeft 14$/);
    expect(await probeTls(server.address, { caFile: ca.certFile, minDaysLeft: 2 })).toMatchObject({ ok: true });
  });

  it('insecureSkipVerify accepts an untrusted certificate but minDaysLeft still applies', async () => {
    const server = await serve(hang, { tls: await workshop.selfSigned() });
    expect(await probeTls(server.address, { insecureSkipVerify: true })).toMatchObject({ ok: true });
    const outcome = await probeTls(server.address, { insecureSkipVerify: true, minDaysLeft: 45 });
    expect(outcome).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(outcome.detail).toContain('below minDaysLeft 45');
  });

  it('serverName is sent and checked: the right name passes, the address alone ends as tls_error', async () => {
    const leaf = await ca.issue({ names: ['db.vigil.test'] });
    const server = await serve(hang, { tls: leaf });
    expect(await probeTls(server.address, { caFile: ca.certFile, serverName: 'db.vigil.test' })).toMatchObject({ ok: true });
    expect(server.serverNames()).toEqual(['db.vigil.test']);
    const outcome = await probeTls(server.address, { caFile: ca.certFile });
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(outcome.detail).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a server that accepts TCP and never answers the handshake ends as a timeout during tls', async () => {
    const server = await serve(hang);
    const outcome = await probeTls(server.address);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('during tls');
    expect(outcome.latencyMs).toBeLessThan(HANG_BOUND_MS);
    await waitFor(() => server.openConnections() === 0, 'the probe to close its connection');
  });

  it('a server that answers the ClientHello with garbage ends as tls_error', async () => {
    const server = await serve(garbage);
    const outcome = await probeTls(server.address);
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
  });

  it('a server that resets on receiving the ClientHello ends as tls_error', async () => {
    const server = await serve((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const outcome = await probeTls(server.address);
    expect(outcome).toMatchObject({ ok: false, failure: 'tls_error' });
    expect(outcome.detail).toContain('handshake interrupted');
  });

  it('a refused port ends as connection_refused', async () => {
    expect(await probeTls(`127.0.0.1:${await closedPort()}`)).toMatchObject({ ok: false, failure: 'connection_refused' });
  });
});

describe('tls probe name resolution through a local BIND', () => {
  let resolver: LoopbackResolver;
  beforeAll(async () => {
    resolver = await startLoopbackResolver({ localhost: { a: '127.0.0.1' } });
  });
  afterAll(async () => {
    await resolver?.stop();
  });

  it('checks the certificate against the name probed, and an unknown name ends as dns_error', async () => {
    const leaf = await ca.issue({ names: [`localhost.${TEST_ZONE}`] });
    const server = await serve(hang, { tls: leaf });
    const known = await probeTls(`localhost.${TEST_ZONE}:${server.port}`, { caFile: ca.certFile }, resolver.lookup);
    expect(known).toMatchObject({ ok: true, certExpiresAt: expiryOf(leaf.cert) });
    expect(known.phases?.dns).toBeGreaterThan(0);
    const unknown = await probeTls(`gone.${TEST_ZONE}:${server.port}`, { caFile: ca.certFile }, resolver.lookup);
    expect(unknown).toMatchObject({ ok: false, failure: 'dns_error' });
  });
});
