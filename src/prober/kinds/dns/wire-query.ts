// One DNS question on the wire (dns-packet over dgram or net): random id, replies matched on id and
// question, strays ignored, a truncated UDP reply retried over TCP as resolvers do.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import type { Attempt } from '../attempt.js';
import { openConnection } from '../connect.js';
import type { DnsReply } from './reply.js';
import { type QueryType, RCODES } from './schema.js';

export interface DnsQuestion {
  name: string;
  type: QueryType;
  recursionDesired: boolean;
}

/** The server as an IP address (already resolved) and port. */
export interface DnsEndpoint {
  ip: string;
  port: number;
}

/** The EDNS buffer size of DNS Flag Day 2020: large answers come back truncated and go over TCP. */
const EDNS_UDP_PAYLOAD = 1232;
const HEADER_BYTES = 12;
const QR_BIT = 0x80;
const TC_BIT = 0x02;

export type ReplyHandler = (reply: DnsReply, note?: string) => void;

function encodeQuery(id: number, question: DnsQuestion): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: question.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: question.type, name: question.name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

const quoted = (text: string | Buffer): string => `"${text.toString().replace(/["\\]/g, '\\$&')}"`;

/** An answer's data as `dig +short` prints it, names without their trailing dot; null for other types. */
function renderRecord(answer: Answer): string | null {
  switch (answer.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return answer.data;
    case 'MX':
      return `${answer.data.preference ?? 0} ${answer.data.exchange}`;
    case 'TXT': {
      const chunks = Array.isArray(answer.data) ? answer.data : [answer.data];
      return chunks.map((chunk) => chunk.toString()).join('');
    }
    case 'SOA': {
      const soa = answer.data;
      return `${soa.mname} ${soa.rname} ${soa.serial ?? 0} ${soa.refresh ?? 0} ${soa.retry ?? 0} ${soa.expire ?? 0} ${soa.minimum ?? 0}`;
    }
    case 'SRV':
      return `${answer.data.priority ?? 0} ${answer.data.weight ?? 0} ${answer.data.port} ${answer.data.target}`;
    case 'CAA':
      return `${answer.data.flags ?? 0} ${answer.data.tag} ${quoted(answer.data.value)}`;
    case 'NAPTR': {
      const n = answer.data;
      return `${n.order} ${n.preference} ${quoted(n.flags)} ${quoted(n.services)} ${quoted(n.regexp)} ${n.replacement || '.'}`;
    }
    default:
      return null;
  }
}

function toReply(packet: DecodedPacket, type: QueryType): DnsReply {
  const code = (packet.flags ?? 0) & 0xf;
  const records: string[] = [];
  for (const answer of packet.answers ?? []) {
    if (answer.type !== type) continue;
    const text = renderRecord(answer);
    if (text !== null) records.push(text);
  }
  return { rcode: RCODES[code] ?? `RCODE_${code}`, authoritative: packet.flag_aa, records };
}

type Verdict =
  | { kind: 'stray'; why: string }
  | { kind: 'malformed'; detail: string }
  | { kind: 'truncated' }
  | { kind: 'reply'; reply: DnsReply };

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Judges one message that arrived for query `id`: ours, someone else's, truncated, or broken. */
function judge(message: Buffer, id: number, question: DnsQuestion): Verdict {
  if (message.length < HEADER_BYTES) return { kind: 'stray', why: `a ${message.length}-byte message` };
  if (message.readUInt16BE(0) !== id) return { kind: 'stray', why: 'a reply with another id' };
  const flagsHigh = message.readUInt8(2);
  if ((flagsHigh & QR_BIT) === 0) return { kind: 'stray', why: 'a query, not a reply' };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(message);
  } catch (error) {
    // A truncated reply may be cut mid-record; its header alone says to retry.
    if (flagsHigh & TC_BIT) return { kind: 'truncated' };
    return { kind: 'malformed', detail: `malformed reply (${message.length} bytes): ${(error as Error).message}` };
  }
  const asked = packet.questions?.[0];
  if (asked && (!sameName(asked.name, question.name) || asked.type !== question.type)) {
    return { kind: 'stray', why: `a reply to another question (${asked.type} ${asked.name})` };
  }
  if (packet.flag_tc) return { kind: 'truncated' };
  return { kind: 'reply', reply: toReply(packet, question.type) };
}

/** Asks over UDP from a connected socket (so that an ICMP port unreachable surfaces as ECONNREFUSED). */
export function askOverUdp(attempt: Attempt, endpoint: DnsEndpoint, question: DnsQuestion, onReply: ReplyHandler): void {
  const id = randomInt(0, 0x10000);
  const socket = createSocket(isIP(endpoint.ip) === 6 ? 'udp6' : 'udp4');
  let open = true;
  const closeSocket = (): void => {
    if (!open) return;
    open = false;
    socket.close();
  };
  attempt.onSettle(closeSocket);
  let sentAt = 0;
  socket.on('error', (error) => attempt.failWith(error));
  socket.on('message', (message) => {
    if (attempt.done || !open) return;
    const verdict = judge(message, id, question);
    if (verdict.kind === 'stray') return;
    attempt.addPhase('ttfb', performance.now() - sentAt);
    if (verdict.kind === 'malformed') attempt.fail('protocol_error', verdict.detail);
    else if (verdict.kind === 'reply') onReply(verdict.reply);
    else {
      closeSocket();
      askOverTcp(attempt, endpoint, question, (reply) => onReply(reply, 'truncated over UDP, answered over TCP'));
    }
  });
  attempt.stage = 'connect';
  socket.connect(endpoint.port, endpoint.ip, () => {
    if (attempt.done) return;
    attempt.stage = 'request';
    sentAt = performance.now();
    socket.send(encodeQuery(id, question));
  });
}

/** Asks over TCP: one connection, one length-prefixed query, one length-prefixed reply. */
export function askOverTcp(attempt: Attempt, endpoint: DnsEndpoint, question: DnsQuestion, onReply: ReplyHandler): void {
  const id = randomInt(0, 0x10000);
  openConnection(attempt, { host: endpoint.ip, port: endpoint.port, ipFamily: 'any' }, null, (error, socket) => {
    if (error || !socket) {
      attempt.failWith(error);
      return;
    }
    attempt.onSettle(() => socket.destroy());
    attempt.stage = 'request';
    exchangeOverTcp(attempt, socket, id, question, onReply);
  });
}

function exchangeOverTcp(attempt: Attempt, socket: Socket, id: number, question: DnsQuestion, onReply: ReplyHandler): void {
  const sentAt = performance.now();
  const chunks: Buffer[] = [];
  let received = 0;
  let expected = -1;
  socket.on('data', (chunk: Buffer) => {
    if (attempt.done) return;
    chunks.push(chunk);
    received += chunk.length;
    if (expected < 0 && received >= 2) expected = Buffer.concat(chunks, received).readUInt16BE(0) + 2;
    // A length prefix bounds the reply to 64 KiB; anything after it is not ours to read.
    if (expected < 0 || received < expected) return;
    attempt.addPhase('ttfb', performance.now() - sentAt);
    const message = Buffer.concat(chunks, received).subarray(2, expected);
    const verdict = judge(message, id, question);
    if (verdict.kind === 'reply') onReply(verdict.reply);
    else if (verdict.kind === 'malformed') attempt.fail('protocol_error', verdict.detail);
    else if (verdict.kind === 'truncated') attempt.fail('protocol_error', 'the reply over TCP is marked truncated');
    // Over TCP nothing else shares the connection: a reply that is not ours is a broken server.
    else attempt.fail('protocol_error', `unexpected message over TCP: ${verdict.why}`);
  });
  socket.on('end', () => {
    if (!attempt.done) attempt.fail('connection_reset', `the server closed the connection after ${received} of ${expected < 0 ? '?' : expected} reply bytes`);
  });
  socket.on('error', (error) => attempt.failWith(error));
  const query = encodeQuery(id, question);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(query.length);
  socket.write(Buffer.concat([length, query]));
}
