// `vigil drill list|plan|start|approve|abort|runs|report`: the IMOC's drills on a running server, through
// /api/v1/drills with the caller's token. Exit 0 when done, 1 when refused or blocked (with why), 2 on usage,
// connection and token errors.
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { drillReportJson, type RunJson, runJson } from '../failover/drills/api-json.js';
import { type DrillReportFormat, formatDrillReport, REPORT_FORMATS } from '../failover/drills/report.js';
import { type Answer, callApi, errorOf, expectJson, guarded, type ServerOptions, UsageError, withServerOptions } from './api-client.js';
import type { Cli, ExitCode, Io } from './io.js';

const listJson = z.object({
  drills: z.array(
    z.object({
      name: z.string(),
      region: z.string(),
      schedule: z.string().nullable(),
      timeZone: z.string(),
      nextRun: z.string().nullable(),
      nextRunLocal: z.string().nullable(),
      requiresApproval: z.boolean(),
      lastRun: z.object({ run: z.string(), state: z.string(), endedAt: z.string().nullable() }).nullable(),
    }),
  ),
  awaitingApproval: z.array(runJson),
  active: runJson.nullable(),
});

const planJson = z.object({
  drill: z.string(),
  region: z.string(),
  canStart: z.boolean(),
  blockedBy: z.array(z.object({ check: z.string(), reason: z.string() })),
  weights: z.record(z.string(), z.number()),
  drainSteps: z.array(z.object({ weightPercent: z.number(), bakeSeconds: z.number(), weights: z.record(z.string(), z.number()) })),
  restoreSteps: z.array(z.object({ weightPercent: z.number(), weights: z.record(z.string(), z.number()) })),
  capacity: z.object({ serving: z.array(z.string()), percent: z.number(), enough: z.boolean() }),
  holdSeconds: z.number(),
  blackouts: z.object({ active: z.object({ name: z.string(), to: z.number() }).nullable(), upcoming: z.array(z.object({ name: z.string(), from: z.number(), to: z.number() })) }),
  nextRun: z.string().nullable(),
  slosAtRisk: z.array(z.object({ slo: z.string(), region: z.string(), burnRate1h: z.number(), budgetRemaining: z.number() })),
});

const runAnswer = z.object({ run: runJson });
const runsAnswer = z.object({ runs: z.array(runJson) });
const blockedDetails = z.object({ run: runJson });

const weightsLine = (weights: Record<string, number>) =>
  Object.entries(weights)
    .map(([r, w]) => `${r}=${w}`)
    .join(' ');

function runLine(run: RunJson): string {
  const when = run.endedAt ?? run.startedAt ?? run.createdAt;
  return `${run.id}  ${run.state.padEnd(18)}${when}  ${run.reason ?? ''}`.trimEnd();
}

function print(options: ServerOptions, io: Io, answer: Answer, table: () => string): void {
  io.out(options.format === 'json' ? `${JSON.stringify(answer.body, null, 2)}\n` : table());
}

/** A command's answer: the run it acted on, or why it was refused. */
function commandOutcome(answer: Answer, options: ServerOptions, io: Io): ExitCode {
  if (answer.status === 200) {
    const { run } = expectJson(runAnswer, answer);
    print(options, io, answer, () => `${run.drill} ${runLine(run)}\n`);
    return 0;
  }
  const error = errorOf(answer);
  if (answer.status === 409) {
    if (options.format === 'json') io.out(`${JSON.stringify(answer.body, null, 2)}\n`);
    const run = blockedDetails.safeParse(error.details);
    io.err(`${error.message}${run.success ? ` (run ${run.data.run.id} ${run.data.run.state})` : ''}\n`);
    return 1;
  }
  throw new UsageError(`${error.message} (HTTP ${answer.status} ${error.code})`);
}

async function read(options: ServerOptions, path: string): Promise<Answer> {
  const answer = await callApi(options, 'GET', `/drills${path}`);
  if (answer.status !== 200) throw new UsageError(`${errorOf(answer).message} (HTTP ${answer.status})`);
  return answer;
}

function listTable(list: z.output<typeof listJson>): string {
  const lines = [`${'DRILL'.padEnd(28)}${'REGION'.padEnd(14)}${'NEXT RUN (local)'.padEnd(48)}LAST RUN`];
  for (const d of list.drills) {
    const next = d.nextRunLocal ?? (d.schedule ? '-' : 'on demand');
    const last = d.lastRun ? `${d.lastRun.state} (${d.lastRun.run})` : '-';
    lines.push(`${d.name.padEnd(28)}${d.region.padEnd(14)}${next.padEnd(48)}${last}`);
  }
  if (list.drills.length === 0) lines.push('(no drills configured)');
  for (const run of list.awaitingApproval) lines.push('', `AWAITING APPROVAL: ${run.drill} ${run.id} (vigil drill approve ${run.drill} --run ${run.id})`);
  if (list.active) lines.push('', `IN PROGRESS: ${list.active.drill} ${runLine(list.active)}`);
  return `${lines.join('\n')}\n`;
}

function planTable(plan: z.output<typeof planJson>): string {
  const lines = [`drill ${plan.drill} of ${plan.region}: ${plan.canStart ? 'can start now' : 'BLOCKED'}`];
  for (const b of plan.blockedBy) lines.push(`  blocked (${b.check}): ${b.reason}`);
  lines.push(`weights now: ${weightsLine(plan.weights)}`);
  for (const [i, s] of plan.drainSteps.entries()) lines.push(`drain step ${i + 1}: ${s.weightPercent}% (bake ${s.bakeSeconds} s) -> ${weightsLine(s.weights)}`);
  lines.push(`hold ${plan.holdSeconds} s, served by ${plan.capacity.serving.join(', ') || 'nobody'} with ${plan.capacity.percent}% of peak capacity${plan.capacity.enough ? '' : ' (NOT ENOUGH)'}`);
  for (const [i, s] of plan.restoreSteps.entries()) lines.push(`restore step ${i + 1}: ${s.weightPercent}% -> ${weightsLine(s.weights)}`);
  if (plan.blackouts.active) lines.push(`in blackout ${plan.blackouts.active.name} until ${new Date(plan.blackouts.active.to).toISOString()}`);
  for (const b of plan.blackouts.upcoming.slice(0, 5)) lines.push(`upcoming blackout ${b.name}: ${new Date(b.from).toISOString()} to ${new Date(b.to).toISOString()}`);
  if (plan.nextRun) lines.push(`next scheduled run: ${plan.nextRun}`);
  for (const s of plan.slosAtRisk) lines.push(`at risk: ${s.slo} in ${s.region} burns ${s.burnRate1h.toFixed(2)} (1h), ${(s.budgetRemaining * 100).toFixed(1)}% budget left`);
  return `${lines.join('\n')}\n`;
}

export function registerDrill(program: Command, cli: Cli): void {
  const { io } = cli;
  const drill = program.command('drill').description('IMOC: DR drills on a running server: list, plan, start, approve, abort, runs, report');
  const action = <A extends unknown[]>(run: (...args: A) => Promise<ExitCode>) => guarded(cli, 'drill', run);
  const path = (name: string, rest = '') => `/${encodeURIComponent(name)}${rest}`;

  withServerOptions(drill.command('list').description('drills, next runs in their time zones, runs awaiting approval, the run in progress')).action(
    action(async (options: ServerOptions) => {
      const answer = await read(options, '');
      print(options, io, answer, () => listTable(expectJson(listJson, answer)));
      return 0;
    }),
  );

  withServerOptions(drill.command('plan').description('what the drill would do now: weights at each step, capacity, what would block it').argument('<name>')).action(
    action(async (name: string, options: ServerOptions) => {
      const answer = await read(options, path(name, '/plan'));
      print(options, io, answer, () => planTable(expectJson(planJson, answer)));
      return 0;
    }),
  );

  withServerOptions(drill.command('start').description('start the drill now (you are its approval)').argument('<name>').requiredOption('--reason <text>', 'why: goes into the audit log')).action(
    action(async (name: string, options: ServerOptions & { reason: string }) => commandOutcome(await callApi(options, 'POST', `/drills${path(name, '/start')}`, { reason: options.reason }, 120_000), options, io)),
  );

  withServerOptions(drill.command('approve').description('approve a scheduled run that waits for approval').argument('<name>').requiredOption('--run <id>', 'the run id (vigil drill list shows it)')).action(
    action(async (name: string, options: ServerOptions & { run: string }) => commandOutcome(await callApi(options, 'POST', `/drills${path(name, '/approve')}`, { run: options.run }, 120_000), options, io)),
  );

  withServerOptions(drill.command('abort').description('abort the run in progress: restores at once').argument('<name>').requiredOption('--reason <text>', 'why: goes into the audit log')).action(
    action(async (name: string, options: ServerOptions & { reason: string }) => commandOutcome(await callApi(options, 'POST', `/drills${path(name, '/abort')}`, { reason: options.reason }, 120_000), options, io)),
  );

  withServerOptions(drill.command('runs').description("a drill's runs, newest first").argument('<name>')).action(
    action(async (name: string, options: ServerOptions) => {
      const answer = await read(options, path(name, '/runs'));
      print(options, io, answer, () => {
        const { runs } = expectJson(runsAnswer, answer);
        return `${runs.map(runLine).join('\n') || '(no runs)'}\n`;
      });
      return 0;
    }),
  );

  drill
    .command('report')
    .description('the report of a run: timeline, drain and restore times, budget spent, objectives')
    .argument('<name>')
    .option('--run <id>', 'the run (default: the latest)')
    .option('--server <url>', 'the Vigil server (default: $VIGIL_SERVER or http://127.0.0.1:8080)', process.env.VIGIL_SERVER ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'your bearer token (default: $VIGIL_TOKEN, else $VIGIL_INGEST_TOKEN)', process.env.VIGIL_TOKEN ?? process.env.VIGIL_INGEST_TOKEN)
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .action(
      action(async (name: string, options: { server: string; token?: string; run?: string; format: DrillReportFormat }) => {
        const query = options.run ? `?run=${encodeURIComponent(options.run)}` : '';
        const answer = await read({ server: options.server, token: options.token, format: 'json' }, path(name, `/report${query}`));
        io.out(formatDrillReport(expectJson(drillReportJson, answer), options.format));
        return 0;
      }),
    );
}
