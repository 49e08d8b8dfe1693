// `vigil failover status|drain|restore|pause|resume|audit`: the IMOC's commands against a running server's
// /api/v1/failover. Exit 0 when executed, 1 when the policy blocked it (or the provider failed), 2 on
// usage, connection and token errors.
import { InvalidArgumentError, type Command as Program } from 'commander';
import {
  type AuditEntryJson,
  auditJson,
  blockedDetailsJson,
  commandAnswerJson,
  type DecisionJson,
  type StatusJson,
  statusJson,
} from '../failover/api-json.js';
import { type Answer, callApi, errorOf, expectJson, guarded, type ServerOptions, UsageError, withServerOptions } from './api-client.js';
import type { Cli, ExitCode, Io } from './io.js';

type Options = ServerOptions;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}

/** The failover API's requests: GET status and audit; commands may wait for the provider's retries, so well over their worst case. */
function request(options: Options, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  return callApi(options, method, `/failover${path}`, body, method === 'GET' ? 30_000 : 120_000);
}

const weightsLine = (weights: Record<string, number>) =>
  Object.entries(weights)
    .map(([region, weight]) => `${region}=${weight}`)
    .join(' ');

const byLine = (actor: string, onBehalfOf: string | null) => (onBehalfOf ? `${actor} on behalf of ${onBehalfOf}` : actor);

function decisionLine(d: DecisionJson): string {
  const forced = d.forced ? ' [forced]' : '';
  const rule = d.rule ? ` (${d.rule})` : '';
  return `${d.action}${d.region ? ` ${d.region}` : ''}: ${d.outcome}${rule}${forced} by ${byLine(d.actor, d.onBehalfOf)}: ${d.reason}`;
}

/** Prints a command's answer; the exit code says whether it was carried out. */
function report(answer: Answer, options: Options, io: Io): ExitCode {
  if (options.format === 'json') io.out(`${JSON.stringify(answer.body, null, 2)}\n`);
  if (answer.status === 200) {
    const body = expectJson(commandAnswerJson, answer);
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
  const lines = [`${'TIME'.padEnd(25)}${'ACTOR'.padEnd(16)}${'ACTION'.padEnd(11)}${'REGION'.padEnd(14)}${'OUTCOME'.padEnd(10)}REASON`];
  for (const e of entries) {
    const rule = e.rule ? `[${e.rule}] ` : '';
    const forced = e.forced ? '[forced] ' : '';
    const change = e.before && e.after ? ` (${weightsLine(e.before)} -> ${weightsLine(e.after)})` : '';
    const onBehalf = e.onBehalfOf ? `(for ${e.onBehalfOf}) ` : '';
    lines.push(`${e.ts.padEnd(25)}${e.actor.padEnd(16)}${e.action.padEnd(11)}${(e.region ?? '-').padEnd(14)}${e.outcome.padEnd(10)}${onBehalf}${forced}${rule}${e.reason}${change}`);
  }
  if (entries.length === 0) lines.push('(no entries)');
  return `${lines.join('\n')}\n`;
}

export function registerFailover(program: Program, cli: Cli): void {
  const { io } = cli;
  const failover = program.command('failover').description('IMOC: status, drain, restore, pause, resume and audit of regional failover on a running server');
  const action = <A extends unknown[]>(run: (...args: A) => Promise<ExitCode>) => guarded(cli, 'failover', run);

  withServerOptions(failover.command('status').description('phase and weight of every region, mode, pending changes')).action(
    action(async (options: Options) => {
      const answer = await request(options, 'GET', '/');
      if (answer.status !== 200) throw new UsageError(`${errorOf(answer).message} (HTTP ${answer.status})`);
      const status = expectJson(statusJson, answer);
      io.out(options.format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : statusTable(status));
      return 0;
    }),
  );

  for (const kind of ['drain', 'restore'] as const) {
    withServerOptions(
      failover
        .command(kind)
        .description(kind === 'drain' ? 'move traffic away from a region (same safety rules as automation)' : 'bring a drained region back')
        .argument('<region>', 'region name as in vigil.yaml spec.regions')
        .requiredOption('--reason <text>', 'why: goes into the audit log')
        .option('--force', 'override the safety rules (audited as forced); total weight can never reach zero')
        .option('--actor <name>', 'whom you act for, recorded beside the identity of your token (default: $USER)', process.env.USER),
    ).action(
      action(async (region: string, options: Options & { reason: string; force?: boolean; actor?: string }) => {
        const body = { region, reason: options.reason, force: options.force === true, onBehalfOf: options.actor };
        return report(await request(options, 'POST', `/${kind}`, body), options, io);
      }),
    );
  }

  for (const kind of ['pause', 'resume'] as const) {
    withServerOptions(
      failover
        .command(kind)
        .description(kind === 'pause' ? 'stop automatic drains and failbacks until resumed' : 'let the automation decide again')
        .requiredOption('--reason <text>', 'why: goes into the audit log')
        .option('--actor <name>', 'whom you act for, recorded beside the identity of your token (default: $USER)', process.env.USER),
    ).action(
      action(async (options: Options & { reason: string; actor?: string }) => {
        return report(await request(options, 'POST', `/${kind}`, { reason: options.reason, onBehalfOf: options.actor }), options, io);
      }),
    );
  }

  withServerOptions(failover.command('audit').description('the audit log, newest first'))
    .option('--limit <n>', 'how many entries (1-1000)', positiveInt, 20)
    .action(
      action(async (options: Options & { limit: number }) => {
        const answer = await request(options, 'GET', `/audit?limit=${options.limit}`);
        if (answer.status !== 200) throw new UsageError(`${errorOf(answer).message} (HTTP ${answer.status})`);
        const { entries } = expectJson(auditJson, answer);
        io.out(options.format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : auditTable(entries));
        return 0;
      }),
    );
}
