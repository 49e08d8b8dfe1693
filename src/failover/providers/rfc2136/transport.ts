// One DNS message exchange over TCP (RFC 1035 §4.2.2, RFC 7766): length-prefixed, one connection each.
// TCP rather than UDP: an UPDATE and its TSIG never get truncated, and a lost datagram cannot leave
// the caller guessing whether to resend a change.
import { connect } from 'node:net';
import type { HostPort } from '../host-port.js';

/** Upper bound on one exchange even when the caller's signal has no deadline. */
const EXCHANGE_LIMIT_MS = 30_000;
const MAX_MESSAGE = 65_535;

export class TransportError extends Error {
  override name = 'TransportError';
}

export function exchange(server: HostPort, message: Buffer, signal: AbortSignal): Promise<Buffer> {
  if (message.length > MAX_MESSAGE) return Promise.reject(new TransportError(`message of ${message.length} bytes is too long`));
  signal.throwIfAborted();
  const limit = AbortSignal.any([signal, AbortSignal.timeout(EXCHANGE_LIMIT_MS)]);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: unknown, answer?: Buffer) => {
      if (settled) return;
      settled = true;
      limit.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = () =>
      finish(signal.aborted ? signal.reason : new TransportError(`no answer from ${server.host}:${server.port} in ${EXCHANGE_LIMIT_MS} ms`));
    limit.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const expected = received.readUInt16BE(0);
      if (received.length >= 2 + expected) finish(null, received.subarray(2, 2 + expected));
    });
    socket.on('error', (error) => finish(new TransportError(`${server.host}:${server.port}: ${error.message}`, { cause: error })));
    socket.on('close', () => finish(new TransportError(`${server.host}:${server.port} closed the connection before answering`)));
  });
}
