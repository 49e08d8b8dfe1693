// One command to HAProxy's runtime API (the stats socket), one connection per command: HAProxy answers
// and closes in non-interactive mode, so the answer is everything read until the connection ends.
import { connect } from 'node:net';
import type { HostPort } from '../host-port.js';

export type RuntimeApiEndpoint = { path: string } | HostPort;

const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * unreachable: no connection (no socket file, refused, reset); timeout: no whole answer in time;
 * rejected: HAProxy answered a command with an error text; malformed: an answer Vigil cannot use.
 */
export type RuntimeApiFailure = 'unreachable' | 'timeout' | 'rejected' | 'malformed';

export class RuntimeApiError extends Error {
  override name = 'RuntimeApiError';
  constructor(
    readonly failure: RuntimeApiFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeEndpoint(endpoint: RuntimeApiEndpoint): string {
  if ('path' in endpoint) return endpoint.path;
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Sends `command` and resolves with HAProxy's whole answer. Rejects with RuntimeApiError, or with the
 * signal's reason when it aborts first.
 */
export function runtimeCommand(endpoint: RuntimeApiEndpoint, command: string, options: { signal: AbortSignal; timeoutMs: number }): Promise<string> {
  const { signal, timeoutMs } = options;
  // HAProxy splits a line on ";" into several commands: one command must stay one command.
  if (/[\n;]/.test(command)) return Promise.reject(new RuntimeApiError('malformed', `refusing to send a command containing ";" or a newline: ${command}`));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<string>((resolve, reject) => {
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: endpoint.host, port: endpoint.port });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: { error: unknown } | { answer: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if ('answer' in outcome) resolve(outcome.answer);
      else reject(outcome.error);
    };
    const onAbort = () => finish({ error: signal.reason });
    const timer = setTimeout(
      () => finish({ error: new RuntimeApiError('timeout', `no answer within ${timeoutMs} ms to "${command}"`) }),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) finish({ error: new RuntimeApiError('malformed', `answer to "${command}" is larger than ${MAX_ANSWER_BYTES} bytes`) });
      else chunks.push(chunk);
    });
    socket.on('error', (error) => finish({ error: new RuntimeApiError('unreachable', `cannot talk to the runtime API: ${error.message}`, { cause: error }) }));
    socket.on('close', () => finish({ answer: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** A `set …` command: HAProxy answers success with an empty line, and anything else is its error text. */
export async function runtimeSet(endpoint: RuntimeApiEndpoint, command: string, options: { signal: AbortSignal; timeoutMs: number }): Promise<void> {
  const answer = await runtimeCommand(endpoint, command, options);
  if (answer === '') throw new RuntimeApiError('malformed', `"${command}": the connection closed without an answer`);
  const text = answer.trim();
  if (text !== '') throw new RuntimeApiError('rejected', `"${command}" failed: ${text}`);
}
