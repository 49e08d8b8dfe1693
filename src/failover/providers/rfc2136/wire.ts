// DNS wire format pieces dns-packet does not offer: canonical names, walking a message's records to
// find where each starts (for TSIG), and records with any class (NONE, ANY) and raw or empty rdata.
import dnsPacket from 'dns-packet';

export const CLASS_IN = 1;
export const CLASS_NONE = 254;
export const CLASS_ANY = 255;
export const TYPE_A = 1;
export const TYPE_SOA = 6;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_TSIG = 250;
export const OPCODE_UPDATE = 5;
export const HEADER_BYTES = 12;

export class WireError extends Error {
  override name = 'WireError';
}

/** A name in canonical wire form (RFC 4034 §6.2): lowercase, uncompressed, root-terminated. */
export function encodeName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new WireError(`label "${label}" is longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Reads a possibly compressed name; `end` is where the name's bytes at `offset` stop. */
export function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let cursor = offset;
  let end = -1;
  // A name has at most 127 labels; anything longer is a compression loop or garbage.
  for (let step = 0; step < 128; step++) {
    const length = byteAt(message, cursor);
    if (length === 0) {
      return { name: labels.length === 0 ? '.' : `${labels.join('.')}.`, end: end === -1 ? cursor + 1 : end };
    }
    if ((length & 0xc0) === 0xc0) {
      if (end === -1) end = cursor + 2;
      cursor = ((length & 0x3f) << 8) | byteAt(message, cursor + 1);
      continue;
    }
    if (length > 63) throw new WireError(`bad label length ${length} at ${cursor}`);
    if (cursor + 1 + length > message.length) throw new WireError('name runs past the end of the message');
    labels.push(message.toString('ascii', cursor + 1, cursor + 1 + length).toLowerCase());
    cursor += 1 + length;
  }
  throw new WireError('name has too many labels or a compression loop');
}

function byteAt(message: Buffer, offset: number): number {
  const value = message[offset];
  if (value === undefined) throw new WireError('message ends inside a name');
  return value;
}

export interface RecordLocation {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  /** Offset of the record's first byte. */
  start: number;
  rdataStart: number;
  end: number;
}

export interface Header {
  id: number;
  flags: number;
  opcode: number;
  rcode: number;
  isResponse: boolean;
  counts: [question: number, answer: number, authority: number, additional: number];
}

export function readHeader(message: Buffer): Header {
  if (message.length < HEADER_BYTES) throw new WireError(`message of ${message.length} bytes is shorter than a header`);
  const flags = message.readUInt16BE(2);
  return {
    id: message.readUInt16BE(0),
    flags,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    isResponse: (flags & 0x8000) !== 0,
    counts: [message.readUInt16BE(4), message.readUInt16BE(6), message.readUInt16BE(8), message.readUInt16BE(10)],
  };
}

/** Where every record of the answer/prerequisite, authority/update and additional sections is. */
export function locateRecords(message: Buffer): RecordLocation[] {
  const header = readHeader(message);
  let offset = HEADER_BYTES;
  for (let i = 0; i < header.counts[0]; i++) offset = readName(message, offset).end + 4;
  const records: RecordLocation[] = [];
  const total = header.counts[1] + header.counts[2] + header.counts[3];
  for (let i = 0; i < total; i++) {
    const { name, end: fixed } = readName(message, offset);
    if (fixed + 10 > message.length) throw new WireError('record header runs past the end of the message');
    const rdataStart = fixed + 10;
    const end = rdataStart + message.readUInt16BE(fixed + 8);
    if (end > message.length) throw new WireError('rdata runs past the end of the message');
    records.push({ name, type: message.readUInt16BE(fixed), klass: message.readUInt16BE(fixed + 2), ttl: message.readUInt32BE(fixed + 4), start: offset, rdataStart, end });
    offset = end;
  }
  if (offset !== message.length) throw new WireError(`${message.length - offset} bytes after the last record`);
  return records;
}

/** One resource record with a raw class and rdata, for the sections of an UPDATE. */
export function encodeRecord(record: { name: string; type: number; klass: number; ttl: number; rdata: Buffer }): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(record.klass, 2);
  fixed.writeUInt32BE(record.ttl, 4);
  fixed.writeUInt16BE(record.rdata.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, record.rdata]);
}

/** The rdata of an A, AAAA or TXT record, encoded by dns-packet (whose records only carry class IN/ANY). */
export function rdataOf(record: { type: 'A' | 'AAAA'; data: string } | { type: 'TXT'; data: string[] }): Buffer {
  const encoded = dnsPacket.encode({ type: 'response', answers: [{ ...record, name: '.' }] });
  // Header, the one-byte root name, then type, class, ttl and rdlength: the rdata follows.
  return encoded.subarray(HEADER_BYTES + 1 + 10);
}

export function uint48(value: number): Buffer {
  const bytes = Buffer.alloc(6);
  bytes.writeUIntBE(value, 0, 6);
  return bytes;
}

export function uint16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value, 0);
  return bytes;
}
