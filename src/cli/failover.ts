// `vigil failover status|drain|restore|pause|resume|audit`: the IMOC's commands against a running server's
// /api/v1/failover. Exit 0 when executed, 1 when the policy blocked it (or the provider failed), 2 on
// usage and connection errors.
import { InvalidArgumentError, Option, type Command as Program } from 'commander';
import type { z } from 'zod';
import {
  type AuditEntryJson,
  auditJson,
  blockedDetailsJson,
  commandAnswerJson,
  type DecisionJson,
  type StatusJson,
  statusJson,
} from '../failover/api-json.js';
import type { ExitCode, Io } from './io.js';

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface ServerOptions {
  server: string;
  token?: string;
  format: Format;
}

interface Answer {
  status: number;
  body: unknown;
}

class UsageError extends Error {}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}

async function request(options: ServerOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const base = options.server.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}/api/v1/failover${path}`);
  } catch {
    throw new UsageError(`--server ${options.server} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let res: Response;
  try {
    // A command may wait for the provider's retries: give it well over their worst case.
    const timeout = AbortSignal.timeout(method === 'GET' ? 30_000 : 120_000);
    res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: timeout });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : null;
    const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
    throw new UsageError(`cannot reach Vigil at ${base}: ${detail} (set --server or VIGIL_SERVER)`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new UsageError(`${base} answered HTTP ${res.status} with something that is not JSON: is it a Vigil server?`);
  }
}

function expect<T extends z.ZodType>(schema: T, answer: Answer): z.output<T> {
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) throw new UsageError(`unexpected answer from the server (HTTP ${answer.status}): ${JSON.stringify(answer.body).slice(0, 300)}`);
  return parsed.data;
}

function errorOf(answer: Answer): { code: string; message: string; details?: unknown } {
  const body = answer.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null;
  const error = body?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return { code: 'unknown', message: `HTTP ${answer.status}` };
  return { code: error.code, message: error.message, details: error.details };
}

const weightsLine = (weights: Record<string, number>) =>
  Object.entries(weights)
    .map(([region, weight]) => `${region}=${weight}`)
    .join(' ');

function decisionLine(d: DecisionJson): string {
  const forced = d.forced ? ' [forced]' : '';
  const rule = d.rule ? ` (${d.rule})` : '';
  return `${d.action}${d.region ? ` ${d.region}` : ''}: ${d.outcome}${rule}${forced} by ${d.actor}: ${d.reason}`;
}

/** Prints a command's answer; the exit code says whether it was carried out. */
function report(answer: Answer, options: ServerOptions, io: Io): ExitCode {
  if (options.format === 'json') io.out(`${JSON.stringify(answer.body, null, 2)}\n`);
  if (answer.status === 200) {
    const body = expect(commandAnswerJson, answer);
    if (options.format === 'table') {
      for (const d of body.decisions) io.out(`${decisionLine(d)}\n`);
      io.out(`weights: ${weightsLine(body.weights)}\n`);
      if (body.failure) io.err(`warning: ${body.failure}\n`);
    }
    return 0;
  }
  const error = errorOf(answer);
  if (answer.status === 409 && error.code === 'blocked') {
    const details = blockedDetailsJson.safeParse(error.details);
    const rule = details.success ? details.data.rule : 'unknown rule';
    const reason = details.success ? details.data.reason : error.message;
    io.err(`blocked by ${rule}: ${reason}\n(an IMOC may override with --force; the override is audited)\n`);
    return 1;
  }
  if (error.code === 'provider_failed' || error.code === 'unavailable') {
    io.err(`not carried out: ${error.message}\n`);
    return 1;
  }
  throw new UsageError(`${error.message} (HTTP ${answer.status} ${error.code})`);
}

function statusTable(status: StatusJson): string {
  const lines = [
    `mode ${status.mode}, automation ${status.paused ? 'PAUSED' : 'running'}, provider ${status.provider}, last action ${status.lastActionAt ?? 'never'}`,
    '',
    `${'REGION'.padEnd(16)}${'PHASE'.padEnd(11)}${'WEIGHT'.padStart(7)}  DETAIL`,
  ];
  for (const [region, r] of Object.entries(status.regions)) {
    const detail = [
      r.halted ? 'HALTED (receiving regions burn)' : null,
      r.bakeUntil ? `step ${(r.step ?? 0) + 1}, bake until ${r.bakeUntil}` : null,
      r.since ? `since ${r.since}` : null,
      r.origin ? `by ${r.origin}` : null,
      r.proposedAt ? `drain proposed at ${r.proposedAt}` : null,
    ].filter((part) => part !== null);
    lines.push(`${region.padEnd(16)}${r.phase.padEnd(11)}${String(r.weight).padStart(7)}  ${detail.join(', ')}`.trimEnd());
  }
  for (const p of status.pending ?? []) lines.push('', `pending change #${p.id} since ${p.createdAt}: ${weightsLine(p.before)} -> ${weightsLine(p.after)}`);
  if (status.onHold) lines.push('', `ON HOLD: ${status.onHold}`);
  return `${lines.join('\n')}\n`;
}

function auditTable(entries: readonly AuditEntryJson[]): string {
  const lines = [`${'TIME'.padEnd(25)}${'ACTOR'.padEnd(10)}${'ACTION'.padEnd(9)}${'REGION'.padEnd(14)}${'OUTCOME'.padEnd(10)}REASON`];
  for (const e of entries) {
    const rule = e.rule ? `[${e.rule}] ` : '';
    const forced = e.forced ? '[forced] ' : '';
    const change = e.before && e.after ? ` (${weightsLine(e.before)} -> ${weightsLine(e.after)})` : '';
    lines.push(`${e.ts.padEnd(25)}${e.actor.padEnd(10)}${e.action.padEnd(9)}${(e.region ?? '-').padEnd(14)}${e.outcome.padEnd(10)}${forced}${rule}${e.reason}${change}`);
  }
  if (entries.length === 0) lines.push('(no entries)');
  return `${lines.join('\n')}\n`;
}

/** Adds the subcommands to `failover` (made with program.command, so it inherits the program's settings). */
export function registerFailoverCommands(failover: Program, io: Io, setExit: (code: ExitCode) => void): Program {
  const serverOptions = (command: Program): Program =>
    command
      .option('--server <url>', 'the Vigil server (default: $VIGIL_SERVER or http://127.0.0.1:8080)', process.env.VIGIL_SERVER ?? 'http://127.0.0.1:8080')
      .option('--token <token>', 'bearer token for commands (default: $VIGIL_INGEST_TOKEN)', process.env.VIGIL_INGEST_TOKEN)
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'));

  // Usage and connection errors exit 2 with one clear line, like commander's own usage errors.
  const guarded =
    <A extends unknown[]>(action: (...args: A) => Promise<ExitCode>) =>
    async (...args: A): Promise<void> => {
      try {
        setExit(await action(...args));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.err(`vigil failover: ${error.message}\n`);
        setExit(2);
      }
    };

  serverOptions(failover.command('status').description('phase and weight of every region, mode, pending changes')).action(
    guarded(async (options: ServerOptions) => {
      const answer = await request(options, 'GET', '/');
      if (answer.status !== 200) throw new UsageError(`${errorOf(answer).message} (HTTP ${answer.status})`);
      const status = expect(statusJson, answer);
      io.out(options.format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : statusTable(status));
      return 0;
    }),
  );

  for (const kind of ['drain', 'restore'] as const) {
    serverOptions(
      failover
        .command(kind)
        .description(kind === 'drain' ? 'move traffic away from a region (same safety rules as automation)' : 'bring a drained region back')
        .argument('<region>', 'region name as in vigil.yaml spec.regions')
        .requiredOption('--reason <text>', 'why: goes into the audit log')
        .option('--force', 'override the safety rules (audited as forced); total weight can never reach zero')
        .option('--actor <name>', 'who is acting (audit log)', process.env.USER ?? 'imoc'),
    ).action(
      guarded(async (region: string, options: ServerOptions & { reason: string; force?: boolean; actor: string }) => {
        const body = { region, reason: options.reason, force: options.force === true, actor: options.actor };
        return report(await request(options, 'POST', `/${kind}`, body), options, io);
      }),
    );
  }

  for (const kind of ['pause', 'resume'] as const) {
    serverOptions(
      failover
        .command(kind)
        .description(kind === 'pause' ? 'stop automatic drains and failbacks until resumed' : 'let the automation decide again')
        .requiredOption('--reason <text>', 'why: goes into the audit log')
        .option('--actor <name>', 'who is acting (audit log)', process.env.USER ?? 'imoc'),
    ).action(
      guarded(async (options: ServerOptions & { reason: string; actor: string }) => {
        return report(await request(options, 'POST', `/${kind}`, { reason: options.reason, actor: options.actor }), options, io);
      }),
    );
  }

  serverOptions(failover.command('audit').description('the audit log, newest first'))
    .option('--limit <n>', 'how many entries (1-1000)', positiveInt, 20)
    .action(
      guarded(async (options: ServerOptions & { limit: number }) => {
        const answer = await request(options, 'GET', `/audit?limit=${options.limit}`);
        if (answer.status !== 200) throw new UsageError(`${errorOf(answer).message} (HTTP ${answer.status})`);
        const { entries } = expect(auditJson, answer);
        io.out(options.format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : auditTable(entries));
        return 0;
      }),
    );
  return failover;
}
