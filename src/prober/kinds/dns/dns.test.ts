// The dns probe against a real BIND 9 on loopback, and against a scripted server for the misbehaviours.
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedUdpPort, type FakeDnsServer, replyTo, startFakeDnsServer, tcpFrame } from '../../../../test/helpers/dns-server.js';
import { startLoopbackResolver, TEST_ZONE } from '../../../../test/helpers/loopback-resolver.js';
import { type Named, startNamed } from '../../../failover/providers/rfc2136/testing/bind.js';
import type { Outcome } from '../../outcome.js';
import type { HostLookup } from '../connect.js';
import { DnsRunner, dnsKind } from './dns.js';
import { dnsSettingsSchema, dnsTargetSchema } from './schema.js';

const ZONE = 'vigil-dns.test';
// Twenty 200-byte TXT strings: far over the 1232-byte EDNS buffer, so BIND truncates the UDP reply.
const BIG_TXT = Array.from({ length: 20 }, (_, i) => `big IN TXT "${String(i).padStart(2, '0')}${'x'.repeat(198)}"`).join('\n');
const RECORDS = `$TTL 300
@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 2024010101 3600 600 86400 60
@ IN NS ns1.${ZONE}.
@ IN MX 10 mail.${ZONE}.
ns1 IN A 127.0.0.1
mail IN A 192.0.2.25
playback IN A 192.0.2.10
playback IN A 192.0.2.11
playback IN AAAA 2001:db8::10
www IN CNAME playback.${ZONE}.
note IN TXT "v=spf1 " "-all"
_sip._udp IN SRV 10 5 5060 sip.${ZONE}.
@ IN CAA 0 issue "ca.example.net"
${BIG_TXT}
`;

let named: Named;

beforeAll(async () => {
  named = await startNamed({ zone: ZONE, records: RECORDS, keyName: 'unused', secret: Buffer.alloc(32, 1).toString('base64') });
});

afterAll(async () => {
  await named?.stop();
});

interface ProbeSpec {
  name: string;
  type?: string;
  address?: string;
  server?: 'system';
  dns?: Record<string, unknown>;
  timeoutMs?: number;
  systemServers?: string[];
  signal?: AbortSignal;
  lookup?: HostLookup;
}

/** Parses the YAML-level fields through the kind's own schemas, then makes one attempt. */
async function probe(spec: ProbeSpec): Promise<Outcome> {
  const settings = dnsSettingsSchema.parse(spec.dns ?? {});
  const target = dnsTargetSchema.parse({
    name: spec.name,
    ...(spec.type ? { type: spec.type } : {}),
    ...(spec.address ? { address: spec.address } : {}),
    ...(spec.server ? { server: spec.server } : {}),
  });
  const options = spec.systemServers ? { systemServers: spec.systemServers } : {};
  const lookup = spec.lookup ? { lookup: spec.lookup } : {};
  const runner = new DnsRunner({ settings, target, timeoutMs: spec.timeoutMs ?? 5000, ...lookup }, options);
  try {
    return await runner.probe(spec.signal ?? new AbortController().signal);
  } finally {
    await runner.close();
  }
}

const bind = (): string => `127.0.0.1:${named.port}`;

describe('dns probe against BIND 9', () => {
  it('succeeds on an A record with the answers counted, timing the exchange', async () => {
    const outcome = await probe({ name: `playback.${ZONE}`, address: bind() });
    expect(outcome).toMatchObject({ ok: true, failure: null, detail: 'NOERROR, 2 A records' });
    expect(outcome.phases?.ttfb).toBeGreaterThan(0);
    expect(outcome.phases?.connect).toBeUndefined();
  });

  it('passes when one answer matches answerRegex and fails naming the regex when none does', async () => {
    const match = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { answerRegex: '^192\\.0\\.2\\.11$' } } });
    expect(match.ok).toBe(true);
    const miss = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { answerRegex: '^198\\.51\\.100\\.' } } });
    expect(miss).toMatchObject({ ok: false, failure: 'assertion_failed' });
    // BIND rotates the RRset, so the order of the records shown varies.
    expect(miss.detail).toMatch(/^no A record matches \/\^198\\\.51\\\.100\\\.\/ \(got 192\.0\.2\.1[01], 192\.0\.2\.1[01]\)/);
  });

  it('accepts NXDOMAIN when it is expected and names the rcode when it is not', async () => {
    const expected = await probe({ name: `gone.${ZONE}`, address: bind(), dns: { expect: { rcode: 'NXDOMAIN' } } });
    expect(expected).toMatchObject({ ok: true, detail: 'NXDOMAIN, 0 A records' });
    const unexpected = await probe({ name: `gone.${ZONE}`, address: bind() });
    expect(unexpected).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(unexpected.detail).toContain('rcode NXDOMAIN, expected NOERROR');
    const present = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { rcode: 'NXDOMAIN' } } });
    expect(present.detail).toContain('rcode NOERROR, expected NXDOMAIN');
  });

  it('fails an empty NOERROR answer by default and accepts it with minAnswers: 0', async () => {
    const empty = await probe({ name: `mail.${ZONE}`, type: 'AAAA', address: bind() });
    expect(empty).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(empty.detail).toContain('0 AAAA records, expected at least 1');
    expect((await probe({ name: `mail.${ZONE}`, type: 'AAAA', address: bind(), dns: { expect: { minAnswers: 0 } } })).ok).toBe(true);
    const tooFew = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { minAnswers: 3 } } });
    expect(tooFew.detail).toContain('2 A records, expected at least 3');
  });

  it('checks the AA bit', async () => {
    expect((await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { authoritative: true } } })).ok).toBe(true);
    const notExpected = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { expect: { authoritative: false } } });
    expect(notExpected).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(notExpected.detail).toContain('authoritative (AA set)');
  });

  it('asks over TCP when transport is tcp, timing the connect', async () => {
    const outcome = await probe({ name: `playback.${ZONE}`, address: bind(), dns: { transport: 'tcp' } });
    expect(outcome).toMatchObject({ ok: true, detail: 'NOERROR, 2 A records' });
    expect(outcome.phases?.connect).toBeGreaterThan(0);
  });

  it('retries over TCP when BIND truncates the UDP reply, and gets every record', async () => {
    const outcome = await probe({ name: `big.${ZONE}`, type: 'TXT', address: bind(), dns: { expect: { minAnswers: 20, answerRegex: '^19x{198}$' } } });
    expect(outcome).toMatchObject({ ok: true, detail: 'NOERROR, 20 TXT records; truncated over UDP, answered over TCP' });
    expect(outcome.phases?.connect).toBeGreaterThan(0);
  });

  it('finds a server given by name through the lookup, and reports one that does not resolve as dns_error', async () => {
    const resolver = await startLoopbackResolver({ ns: { a: '127.0.0.1' } });
    try {
      const found = await probe({ name: `playback.${ZONE}`, address: `ns.${TEST_ZONE}:${named.port}`, lookup: resolver.lookup });
      expect(found, found.detail).toMatchObject({ ok: true });
      expect(found.phases?.dns).toBeGreaterThan(0);
      const missing = await probe({ name: `playback.${ZONE}`, address: `gone.${TEST_ZONE}:${named.port}`, lookup: resolver.lookup });
      expect(missing).toMatchObject({ ok: false, failure: 'dns_error' });
    } finally {
      await resolver.stop();
    }
  });

  const rendered: Array<[string, string, string]> = [
    ['an AAAA address in its compressed form', 'AAAA', '2001:db8::10'],
    ['a CNAME target without its trailing dot', 'CNAME', `playback.${ZONE}`],
    ['an MX as preference and exchange', 'MX', `10 mail.${ZONE}`],
    ['TXT strings joined', 'TXT', 'v=spf1 -all'],
    ['an SRV as priority weight port target', 'SRV', `10 5 5060 sip.${ZONE}`],
    ['a SOA in zone-file order', 'SOA', `ns1.${ZONE} hostmaster.${ZONE} 2024010101 3600 600 86400 60`],
    ['a CAA as flags tag "value"', 'CAA', '0 issue "ca.example.net"'],
  ];
  const nameFor: Record<string, string> = { AAAA: `playback.${ZONE}`, CNAME: `www.${ZONE}`, TXT: `note.${ZONE}`, SRV: `_sip._udp.${ZONE}` };

  it.each(rendered)('renders %s the same on the wire and through the system resolver', async (_, type, text) => {
    const regex = `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
    const name = nameFor[type] ?? ZONE;
    const wire = await probe({ name, type, address: bind(), dns: { expect: { answerRegex: regex } } });
    expect(wire, wire.detail).toMatchObject({ ok: true });
    const system = await probe({ name, type, server: 'system', systemServers: [bind()], dns: { expect: { answerRegex: regex } } });
    expect(system, system.detail).toMatchObject({ ok: true });
  });
});

describe('dns probe through the system resolver', () => {
  it('answers, reports NXDOMAIN, and refuses to judge the AA bit it cannot see', async () => {
    const servers = [bind()];
    expect(await probe({ name: `playback.${ZONE}`, server: 'system', systemServers: servers })).toMatchObject({ ok: true, detail: 'NOERROR, 2 A records' });
    const gone = await probe({ name: `gone.${ZONE}`, server: 'system', systemServers: servers, dns: { expect: { rcode: 'NXDOMAIN' } } });
    expect(gone).toMatchObject({ ok: true, detail: 'NXDOMAIN, 0 A records' });
    const aa = await probe({ name: `playback.${ZONE}`, server: 'system', systemServers: servers, dns: { expect: { authoritative: true } } });
    expect(aa).toMatchObject({ ok: false, failure: 'assertion_failed' });
    expect(aa.detail).toContain('cannot be checked through the system resolver');
  });

  it('times out against a server that never answers', async () => {
    const silent = await startFakeDnsServer({ udp: () => [] });
    try {
      const outcome = await probe({ name: 'x.example', server: 'system', systemServers: [`127.0.0.1:${silent.port}`], timeoutMs: 300 });
      expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    } finally {
      await silent.close();
    }
  });
});

describe('dns probe against a misbehaving server', () => {
  let server: FakeDnsServer | null = null;
  const start = async (options: Parameters<typeof startFakeDnsServer>[0]): Promise<string> => {
    server = await startFakeDnsServer(options);
    return `127.0.0.1:${server.port}`;
  };
  const answerA = (query: dnsPacket.DecodedPacket) => [
    { type: 'A' as const, name: query.questions?.[0]?.name ?? '', ttl: 60, data: '203.0.113.7' },
  ];

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('times out when nothing answers, after sending one query', async () => {
    const address = await start({ udp: () => [] });
    const outcome = await probe({ name: 'quiet.example', address, timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(outcome.detail).toContain('no answer within 300 ms');
    expect(server?.queries()).toHaveLength(1);
  });

  it('sends a random id, the question and the RD bit with an EDNS buffer size', async () => {
    const address = await start({ udp: (q) => [replyTo(q, { answers: answerA(q) })] });
    await probe({ name: 'Mixed.Example', type: 'A', address });
    await probe({ name: 'mixed.example', type: 'A', address, dns: { recursionDesired: false } });
    const [first, second] = server?.queries() ?? [];
    expect(first?.questions).toEqual([{ name: 'Mixed.Example', type: 'A', class: 'IN' }]);
    expect(first?.flag_rd).toBe(true);
    expect(second?.flag_rd).toBe(false);
    expect(first?.additionals?.[0]).toMatchObject({ type: 'OPT', udpPayloadSize: 1232 });
    expect(first?.id).not.toBe(second?.id);
  });

  it('ignores replies with another id, and times out when no right one follows', async () => {
    const address = await start({ udp: (q) => [replyTo(q, { id: ((q.id ?? 0) + 1) % 0x10000, answers: answerA(q) })] });
    const outcome = await probe({ name: 'spoofed.example', address, timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('ignores strays (another id, another question, a short datagram) and takes the reply that follows', async () => {
    const address = await start({
      udp: (q) => {
        const otherQuestion = dnsPacket.encode({ type: 'response', id: q.id ?? 0, questions: [{ type: 'A', name: 'other.example' }] });
        return [replyTo(q, { id: ((q.id ?? 0) + 7) % 0x10000 }), otherQuestion, Buffer.from('hi'), replyTo(q, { answers: answerA(q) })];
      },
    });
    const outcome = await probe({ name: 'noisy.example', address, dns: { expect: { answerRegex: '^203\\.0\\.113\\.7$' } } });
    expect(outcome).toMatchObject({ ok: true, detail: 'NOERROR, 1 A records' });
  });

  it('reports a reply with our id that does not decode as a protocol error', async () => {
    const address = await start({
      udp: (q) => {
        const broken = Buffer.alloc(40, 0xff);
        broken.writeUInt16BE(q.id ?? 0, 0);
        // QR set, TC clear (a set TC would rightly send the probe to TCP instead).
        broken.writeUInt8(0x80, 2);
        return [broken];
      },
    });
    const outcome = await probe({ name: 'garbage.example', address });
    expect(outcome).toMatchObject({ ok: false, failure: 'protocol_error' });
    expect(outcome.detail).toContain('malformed reply (40 bytes)');
  });

  it('follows a truncated UDP reply with a TCP query on the same port', async () => {
    const address = await start({
      udp: (q) => [replyTo(q, { flags: dnsPacket.TRUNCATED_RESPONSE })],
      tcp: (q) => [tcpFrame(replyTo(q, { answers: answerA(q) }))],
    });
    const outcome = await probe({ name: 'large.example', address });
    expect(outcome).toMatchObject({ ok: true, detail: 'NOERROR, 1 A records; truncated over UDP, answered over TCP' });
    expect(server?.queries()).toHaveLength(2);
  });

  it('reports a refused UDP port (ICMP port unreachable) as connection_refused', async () => {
    const outcome = await probe({ name: 'nobody.example', address: `127.0.0.1:${await closedUdpPort()}` });
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_refused' });
  });

  it('resolves as a timeout when aborted by the prober', async () => {
    const address = await start({ udp: () => [] });
    const controller = new AbortController();
    const pending = probe({ name: 'aborted.example', address, signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: 'timeout', detail: expect.stringContaining('aborted') });
  });
});

describe('dns probe over TCP against a raw socket server', () => {
  let tcp: Server;
  let port = 0;
  let behaviour: (socket: Socket) => void = () => {};

  beforeAll(async () => {
    tcp = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      behaviour(socket);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const address = tcp.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('reports a server that closes after part of the reply as connection_reset', async () => {
    behaviour = (socket) => socket.once('data', () => socket.end(Buffer.from([0x00, 0x40, 0x12])));
    const outcome = await probe({ name: 'partial.example', address: `127.0.0.1:${port}`, dns: { transport: 'tcp' } });
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_reset' });
    expect(outcome.detail).toContain('after 3 of 66 reply bytes');
  });

  it('times out on a server that sends part of the reply and then stalls', async () => {
    behaviour = (socket) => socket.once('data', () => socket.write(Buffer.from([0x00, 0x40, 0x12])));
    const outcome = await probe({ name: 'stalled.example', address: `127.0.0.1:${port}`, dns: { transport: 'tcp' }, timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('reports a full frame of garbage as a protocol error', async () => {
    behaviour = (socket) => socket.once('data', () => socket.write(tcpFrame(Buffer.alloc(30, 0xab))));
    const outcome = await probe({ name: 'garbage.example', address: `127.0.0.1:${port}`, dns: { transport: 'tcp' } });
    expect(outcome).toMatchObject({ ok: false, failure: 'protocol_error' });
  });

  it('reports a closed TCP port as connection_refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const closedPort = typeof address === 'object' && address ? address.port : 0;
    const outcome = await probe({ name: 'nobody.example', address: `127.0.0.1:${closedPort}`, dns: { transport: 'tcp' } });
    expect(outcome).toMatchObject({ ok: false, failure: 'connection_refused' });
  });
});

describe('dns probe definitions', () => {
  it('labels a target by type, name and server', () => {
    expect(dnsKind.targetLabel(dnsTargetSchema.parse({ name: 'playback.example.com.', address: '127.0.0.1:5353' }))).toBe(
      'A playback.example.com @127.0.0.1:5353',
    );
    expect(dnsKind.targetLabel(dnsTargetSchema.parse({ name: 'example.com', type: 'MX', server: 'system' }))).toBe('MX example.com @system');
  });

  it.each([
    ['neither address nor server', { name: 'a.example' }, 'give exactly one of address'],
    ['both address and server', { name: 'a.example', address: '127.0.0.1:53', server: 'system' }, 'give exactly one of address'],
    ['an address without a port', { name: 'a.example', address: '127.0.0.1' }, 'is not host:port'],
    ['a name with an empty label', { name: 'a..example', address: '127.0.0.1:53' }, 'is not a DNS name'],
    ['a label longer than 63 characters', { name: `${'a'.repeat(64)}.example`, address: '127.0.0.1:53' }, 'is not a DNS name'],
    ['an unknown record type', { name: 'a.example', type: 'HTTPS', address: '127.0.0.1:53' }, 'Invalid option'],
  ])('rejects a target with %s', (_, target, message) => {
    const parsed = dnsTargetSchema.safeParse(target);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('\n')).toContain(message);
  });
});
