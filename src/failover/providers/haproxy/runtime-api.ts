// One command to HAProxy's runtime API (the stats socket), one connection per command: HAProxy answers
// and closes in non-interactive mode, so the answer is everything read until the connection ends.
import { connect } from 'node:net';
import type { HostPort } from '../host-port.js';

export type RuntimeApiEndpoint = { path: string } | HostPort;

/** Upper bound on one command even when the caller's signal has no deadline. */
const COMMAND_LIMIT_MS = 10_000;
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export class RuntimeApiError extends Error {
  override name = 'RuntimeApiError';
}

export function describeEndpoint(endpoint: RuntimeApiEndpoint): string {
  if ('path' in endpoint) return endpoint.path;
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** Sends `command` and resolves with HAProxy's whole answer. */
export function runtimeCommand(endpoint: RuntimeApiEndpoint, command: string, signal: AbortSignal): Promise<string> {
  if (/[\n;]/.test(command)) return Promise.reject(new RuntimeApiError(`refusing to send a command containing ";" or a newline: ${command}`));
  signal.throwIfAborted();
  const limit = AbortSignal.any([signal, AbortSignal.timeout(COMMAND_LIMIT_MS)]);
  return new Promise<string>((resolve, reject) => {
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: endpoint.host, port: endpoint.port });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: unknown, answer?: string) => {
      if (settled) return;
      settled = true;
      limit.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answer === undefined) reject(error);
      else resolve(answer);
    };
    const onAbort = () =>
      finish(signal.aborted ? signal.reason : new RuntimeApiError(`no answer from ${describeEndpoint(endpoint)} in ${COMMAND_LIMIT_MS} ms to: ${command}`));
    limit.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) finish(new RuntimeApiError(`answer to "${command}" is larger than ${MAX_ANSWER_BYTES} bytes`));
      else chunks.push(chunk);
    });
    socket.on('error', (error) => finish(new RuntimeApiError(`${describeEndpoint(endpoint)}: ${error.message}`, { cause: error })));
    socket.on('close', () => finish(null, Buffer.concat(chunks).toString('utf8')));
  });
}

/** A `set …` command: HAProxy answers success with an empty line, and anything else is its error text. */
export async function runtimeSet(endpoint: RuntimeApiEndpoint, command: string, signal: AbortSignal): Promise<void> {
  const answer = await runtimeCommand(endpoint, command, signal);
  if (answer === '') throw new RuntimeApiError(`"${command}": the connection closed without an answer`);
  const text = answer.trim();
  if (text !== '') throw new RuntimeApiError(`"${command}" failed: ${text}`);
}
