// TSIG signing and verification, on their own and cross-checked against BIND's nsupdate in both directions.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nsupdate } from './testing/bind.js';
import { findTsig, signMessage, tsigKey, verifyMessage } from './tsig.js';
import { queryMessage, updateMessage } from './update-message.js';
import { HEADER_BYTES, readHeader, readName } from './wire.js';

const key = tsigKey('vigil-key', randomBytes(32).toString('base64'));
const NOW = 1_800_000_000;

function sampleUpdate(): Buffer {
  return updateMessage(4242, {
    zone: 'example.com.',
    name: 'app.example.com.',
    ttl: 30,
    managedTypes: ['A'],
    addresses: ['203.0.113.10'],
    weightsName: '_vigil-weights.app.example.com.',
    weightsText: ['eu-west1=100'],
  });
}

describe('TSIG (RFC 8945, HMAC-SHA256)', () => {
  it('verifies what it signed, and finds the TSIG record as the last additional record', () => {
    const { signed, mac } = signMessage(sampleUpdate(), key, { timeSigned: NOW });
    expect(mac).toHaveLength(32);
    expect(readHeader(signed).counts[3]).toBe(1);
    const verdict = verifyMessage(signed, key, { now: NOW + 10 });
    expect(verdict.ok).toBe(true);
    expect(findTsig(signed)).toMatchObject({ keyName: 'vigil-key.', algorithm: 'hmac-sha256.', timeSigned: NOW, fudge: 300, originalId: 4242, error: 0 });
  });

  it.each([
    ['a flipped bit in the message', (m: Buffer) => m.writeUInt8(m.readUInt8(HEADER_BYTES + 3) ^ 1, HEADER_BYTES + 3), 'BADSIG'],
    ['a changed original ID in the TSIG record', (m: Buffer) => m.writeUInt16BE(4243, m.length - 6), 'BADSIG'],
  ])('rejects %s', (_, tamper, reason) => {
    const { signed } = signMessage(sampleUpdate(), key, { timeSigned: NOW });
    tamper(signed);
    expect(verifyMessage(signed, key, { now: NOW })).toMatchObject({ ok: false, reason });
  });

  it('verifies a message whose ID a forwarder changed, since the MAC covers the original ID', () => {
    const { signed } = signMessage(sampleUpdate(), key, { timeSigned: NOW });
    signed.writeUInt16BE(4243, 0);
    expect(verifyMessage(signed, key, { now: NOW }).ok).toBe(true);
  });

  it('rejects another secret, another key name, a time outside the fudge, and an unsigned message', () => {
    const { signed } = signMessage(sampleUpdate(), key, { timeSigned: NOW });
    expect(verifyMessage(signed, { ...key, secret: randomBytes(32) }, { now: NOW })).toMatchObject({ ok: false, reason: 'BADSIG' });
    expect(verifyMessage(signed, tsigKey('other-key', key.secret.toString('base64')), { now: NOW })).toMatchObject({ ok: false, reason: 'BADKEY' });
    expect(verifyMessage(signed, key, { now: NOW + 301 })).toMatchObject({ ok: false, reason: 'BADTIME' });
    expect(verifyMessage(sampleUpdate(), key, { now: NOW })).toMatchObject({ ok: false, reason: 'UNSIGNED' });
  });

  it('binds a response to the MAC of its request', () => {
    const request = signMessage(queryMessage(7, 'app.example.com.', 'A'), key, { timeSigned: NOW });
    const other = signMessage(queryMessage(7, 'app.example.com.', 'TXT'), key, { timeSigned: NOW });
    const response = signMessage(responseTo(request.signed), key, { timeSigned: NOW, requestMac: request.mac });
    expect(verifyMessage(response.signed, key, { now: NOW, requestMac: request.mac }).ok).toBe(true);
    expect(verifyMessage(response.signed, key, { now: NOW, requestMac: other.mac })).toMatchObject({ ok: false, reason: 'BADSIG' });
  });
});

/** A NOERROR response echoing the request's header and first section, without its TSIG. */
function responseTo(request: Buffer): Buffer {
  const header = readHeader(request);
  let end = HEADER_BYTES;
  for (let i = 0; i < header.counts[0]; i++) end = readName(request, end).end + 4;
  const response = Buffer.from(request.subarray(0, end));
  response.writeUInt16BE(0x8000 | (header.opcode << 11), 2);
  response.writeUInt16BE(0, 6);
  response.writeUInt16BE(0, 8);
  response.writeUInt16BE(0, 10);
  return response;
}

describe('TSIG cross-checked against nsupdate (BIND 9)', () => {
  let server: Server | null = null;
  afterEach(async () => {
    const current = server;
    server = null;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  });

  /** A DNS-over-TCP peer that checks each request with our verifier and signs its answer with `answerKey`. */
  async function peer(answerKey: typeof key, verdicts: string[]): Promise<number> {
    const s = createServer((socket) => {
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
        const request = received.subarray(2, 2 + received.readUInt16BE(0));
        received = received.subarray(2 + request.length);
        const verdict = verifyMessage(request, key, { now: Math.floor(Date.now() / 1000) });
        verdicts.push(verdict.ok ? `${readHeader(request).opcode}:ok` : `${readHeader(request).opcode}:${verdict.reason}`);
        const requestMac = findTsig(request)?.mac ?? Buffer.alloc(0);
        const { signed } = signMessage(responseTo(request), answerKey, { timeSigned: Math.floor(Date.now() / 1000), requestMac });
        const length = Buffer.alloc(2);
        length.writeUInt16BE(signed.length, 0);
        socket.write(Buffer.concat([length, signed]));
      });
      socket.on('error', () => socket.destroy());
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  const script = (port: number) =>
    `server 127.0.0.1 ${port}\nzone example.com\nupdate delete app.example.com A\nupdate add app.example.com 30 A 203.0.113.10\nsend\n`;
  const secret = key.secret.toString('base64');

  it("verifies nsupdate's signed UPDATE, and nsupdate accepts our signed answer", async () => {
    const verdicts: string[] = [];
    const port = await peer(key, verdicts);
    const result = await nsupdate(script(port), { name: 'vigil-key', secret });
    expect(verdicts).toEqual(['5:ok']);
    expect(result).toMatchObject({ code: 0 });
  });

  it('nsupdate rejects an answer signed with another secret, so the check above has teeth', async () => {
    const verdicts: string[] = [];
    const port = await peer({ ...key, secret: randomBytes(32) }, verdicts);
    const result = await nsupdate(script(port), { name: 'vigil-key', secret });
    expect(verdicts[0]).toBe('5:ok');
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/tsig|signature/i);
  });
});
