// TSIG (RFC 8945) with HMAC-SHA256: signing DNS messages and verifying signed ones, requests and responses.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS_ANY, encodeName, locateRecords, readName, TYPE_TSIG, uint16, uint48, WireError } from './wire.js';

export const HMAC_SHA256 = 'hmac-sha256.';
/** Seconds of clock difference allowed between signer and verifier (RFC 8945 §5.2.3 recommends 300). */
export const DEFAULT_FUDGE = 300;

export const TSIG_ERRORS: Readonly<Record<number, string>> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export interface TsigKey {
  /** Fully qualified key name, as configured on the server. */
  name: string;
  secret: Buffer;
}

export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
  /** Offset where the TSIG record starts: everything before it is what was signed. */
  start: number;
}

export interface SignOptions {
  /** Seconds since the epoch. */
  timeSigned: number;
  fudge?: number;
  /** For a response: the MAC of the request it answers. */
  requestMac?: Buffer;
  error?: number;
  otherData?: Buffer;
}

/** The MAC over (request MAC, message without TSIG, TSIG variables) of RFC 8945 §4.3.3. */
function computeMac(
  key: TsigKey,
  unsigned: Buffer,
  fields: { timeSigned: number; fudge: number; error: number; otherData: Buffer; requestMac?: Buffer | undefined },
): Buffer {
  const hmac = createHmac('sha256', key.secret);
  if (fields.requestMac) hmac.update(Buffer.concat([uint16(fields.requestMac.length), fields.requestMac]));
  hmac.update(unsigned);
  hmac.update(
    Buffer.concat([
      encodeName(key.name),
      uint16(CLASS_ANY),
      Buffer.alloc(4), // TTL 0
      encodeName(HMAC_SHA256),
      uint48(fields.timeSigned),
      uint16(fields.fudge),
      uint16(fields.error),
      uint16(fields.otherData.length),
      fields.otherData,
    ]),
  );
  return hmac.digest();
}

/** Appends a TSIG record to `message` (which must not have one yet); returns it and its MAC. */
export function signMessage(message: Buffer, key: TsigKey, options: SignOptions): { signed: Buffer; mac: Buffer } {
  const fields = {
    timeSigned: options.timeSigned,
    fudge: options.fudge ?? DEFAULT_FUDGE,
    error: options.error ?? 0,
    otherData: options.otherData ?? Buffer.alloc(0),
    requestMac: options.requestMac,
  };
  const mac = computeMac(key, message, fields);
  const rdata = Buffer.concat([
    encodeName(HMAC_SHA256),
    uint48(fields.timeSigned),
    uint16(fields.fudge),
    uint16(mac.length),
    mac,
    message.subarray(0, 2), // original ID
    uint16(fields.error),
    uint16(fields.otherData.length),
    fields.otherData,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_TSIG, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  const signed = Buffer.concat([message, encodeName(key.name), fixed, rdata]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { signed, mac };
}

/** The message's TSIG record, which must be its last record; null when it has none. */
export function findTsig(message: Buffer): TsigRecord | null {
  const records = locateRecords(message);
  const last = records.at(-1);
  const tsigs = records.filter((r) => r.type === TYPE_TSIG);
  if (tsigs.length === 0 || !last) return null;
  if (tsigs.length > 1 || last.type !== TYPE_TSIG || message.readUInt16BE(10) === 0) {
    throw new WireError('a TSIG record must be the last record of the additional section');
  }
  const { name: algorithm, end } = readName(message, last.rdataStart);
  let offset = end;
  const need = (bytes: number) => {
    if (offset + bytes > last.end) throw new WireError('TSIG rdata is truncated');
  };
  need(10);
  const timeSigned = message.readUIntBE(offset, 6);
  const fudge = message.readUInt16BE(offset + 6);
  const macSize = message.readUInt16BE(offset + 8);
  offset += 10;
  need(macSize + 6);
  const mac = Buffer.from(message.subarray(offset, offset + macSize));
  offset += macSize;
  const originalId = message.readUInt16BE(offset);
  const error = message.readUInt16BE(offset + 2);
  const otherLength = message.readUInt16BE(offset + 4);
  offset += 6;
  need(otherLength);
  const otherData = Buffer.from(message.subarray(offset, offset + otherLength));
  return { keyName: last.name, algorithm, timeSigned, fudge, mac, originalId, error, otherData, start: last.start };
}

export type TsigVerdict =
  | { ok: true; tsig: TsigRecord }
  | { ok: false; reason: 'UNSIGNED' | 'BADKEY' | 'BADSIG' | 'BADTIME' | 'BADTRUNC'; tsig: TsigRecord | null };

/**
 * Checks a signed message's MAC and time (RFC 8945 §5.2–5.4). For a response, `requestMac` is the MAC
 * of the request; `now` is in seconds since the epoch. Only full-length MACs are accepted.
 */
export function verifyMessage(message: Buffer, key: TsigKey, options: { now: number; requestMac?: Buffer }): TsigVerdict {
  const tsig = findTsig(message);
  if (!tsig) return { ok: false, reason: 'UNSIGNED', tsig };
  if (tsig.keyName !== key.name.toLowerCase() || tsig.algorithm !== HMAC_SHA256) return { ok: false, reason: 'BADKEY', tsig };
  const unsigned = Buffer.from(message.subarray(0, tsig.start));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = computeMac(key, unsigned, { ...tsig, requestMac: options.requestMac });
  if (tsig.mac.length === 0) return { ok: false, reason: 'BADSIG', tsig };
  if (tsig.mac.length !== expected.length) return { ok: false, reason: 'BADTRUNC', tsig };
  if (!timingSafeEqual(tsig.mac, expected)) return { ok: false, reason: 'BADSIG', tsig };
  if (Math.abs(options.now - tsig.timeSigned) > tsig.fudge) return { ok: false, reason: 'BADTIME', tsig };
  return { ok: true, tsig };
}

/** A key from its configured name and base64 secret. */
export function tsigKey(name: string, secretBase64: string): TsigKey {
  return { name: name.toLowerCase().replace(/\.?$/, '.'), secret: Buffer.from(secretBase64, 'base64') };
}
