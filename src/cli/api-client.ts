// How CLI commands talk to a running server's JSON API: --server and --token (default $VIGIL_TOKEN, else
// $VIGIL_INGEST_TOKEN) on every such command, one request function, and the server's error bodies read back.
// Usage, connection and auth trouble exit 2 with one clear line, like commander's own usage errors.
import { type Command, Option } from 'commander';
import type { z } from 'zod';
import type { Cli, ExitCode } from './io.js';

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ServerOptions {
  server: string;
  token?: string;
  format: OutputFormat;
}

export interface Answer {
  status: number;
  body: unknown;
}

/** Exit 2: the command could not be carried out as asked (usage, connection, token). */
export class UsageError extends Error {}

/** Adds --server, --token and --format to a command that calls the API. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the Vigil server (default: $VIGIL_SERVER or http://127.0.0.1:8080)', process.env.VIGIL_SERVER ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'your bearer token (default: $VIGIL_TOKEN, else $VIGIL_INGEST_TOKEN)', process.env.VIGIL_TOKEN ?? process.env.VIGIL_INGEST_TOKEN)
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'));
}

export function errorOf(answer: Answer): { code: string; message: string; details?: unknown } {
  const body = answer.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null;
  const error = body?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return { code: 'unknown', message: `HTTP ${answer.status}` };
  return { code: error.code, message: error.message, details: error.details };
}

/** A request to `${server}/api/v1${path}`; 401, 403 and 429 become a UsageError with the server's message. */
export async function callApi(options: ServerOptions, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = 30_000): Promise<Answer> {
  const base = options.server.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}/api/v1${path}`);
  } catch {
    throw new UsageError(`--server ${options.server} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : null;
    const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
    throw new UsageError(`cannot reach Vigil at ${base}: ${detail} (set --server or VIGIL_SERVER)`);
  }
  const text = await res.text();
  let answer: Answer;
  try {
    answer = { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new UsageError(`${base} answered HTTP ${res.status} with something that is not JSON: is it a Vigil server?`);
  }
  if (answer.status === 401 || answer.status === 403 || answer.status === 429) {
    const error = errorOf(answer);
    const hint = answer.status === 401 && !options.token ? ' (give --token or set VIGIL_TOKEN)' : '';
    throw new UsageError(`${error.message}${hint} (HTTP ${answer.status} ${error.code})`);
  }
  return answer;
}

export function expectJson<T extends z.ZodType>(schema: T, answer: Answer): z.output<T> {
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) throw new UsageError(`unexpected answer from the server (HTTP ${answer.status}): ${JSON.stringify(answer.body).slice(0, 300)}`);
  return parsed.data;
}

/** Runs an action, turning a UsageError into `vigil NAME: message` and exit 2. */
export function guarded<A extends unknown[]>(cli: Cli, name: string, action: (...args: A) => Promise<ExitCode>) {
  return async (...args: A): Promise<void> => {
    try {
      cli.setExit(await action(...args));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      cli.io.err(`vigil ${name}: ${error.message}\n`);
      cli.setExit(2);
    }
  };
}
