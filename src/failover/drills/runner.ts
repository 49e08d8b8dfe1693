// Runs drills: after every SLO evaluation it fires due schedules and advances the run in progress (at most
// one), carrying its drain and restore out through the failover orchestrator as commands of origin
// `drill`, and saving the run after every change so a restart resumes it. IMOC requests (start, approve,
// abort) are steps of the same serialized loop. The decisions themselves are run.ts's.
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { SloReport } from '../../slo/report-format.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { DrillStore } from '../../store/drill-store.js';
import type { CommandResult, FailoverStatus } from '../controller.js';
import type { RegionHealth } from '../policy/health.js';
import type { Command, PolicyConfig } from '../policy/types.js';
import type { DrillReport } from './api-json.js';
import { Blackouts } from './blackouts.js';
import { CronSchedule } from './cron-schedule.js';
import { abortCondition, blockerOf, type DrillPlan, planDrill } from './plan.js';
import { type AuditRef, type BudgetSpent, drillReport, judge } from './report.js';
import { advanceRun, commandAnswered, type DrillRun, isOutcome, newRun, type RunCommand, type RunInputs } from './run.js';
import type { BlackoutSpec, DrillSpec } from './schema.js';

/** What a drill needs of the failover controller. */
export interface DrillFailover {
  command(command: Command): Promise<CommandResult>;
  status(): FailoverStatus;
  health(): RegionHealth;
}

export interface DrillRunnerOptions {
  drills: readonly DrillSpec[];
  blackouts: readonly BlackoutSpec[];
  policy: PolicyConfig;
  failover: DrillFailover;
  store: DrillStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** The latest SLO evaluation. */
  report: () => SloReport | null;
  /** Error budget spent in [from, to) per SLO and region, from the minute buckets. */
  budgetSpent: (from: number, to: number) => BudgetSpent[];
  /** Told of every change of a run's state (notifications). */
  onChange?: (run: DrillRun, previous: DrillRun['state'] | null) => void;
  /** `vigil simulate`: approvals are taken as given. */
  approvals?: 'required' | 'given';
  newId?: (now: number) => string;
}

export class DrillError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface DrillSummary {
  name: string;
  region: string;
  schedule: string | null;
  timeZone: string;
  nextRun: string | null;
  /** The next run in the drill's own time zone, as a person there reads it. */
  nextRunLocal: string | null;
  requiresApproval: boolean;
  holdSeconds: number;
  runbook: string | null;
  lastRun: { run: string; state: DrillRun['state']; endedAt: string | null } | null;
}

/** An identity acting, and whom it said it acted for. */
export interface DrillActor {
  actor: string;
  onBehalfOf?: string | undefined;
}

interface Requests {
  approve?: { by: string; onBehalfOf?: string | undefined };
  abort?: { by: string; onBehalfOf?: string | undefined; reason: string };
}

const SYSTEM = 'vigil';

function defaultId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 13);
  return `r-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

export class DrillRunner {
  private readonly drills: ReadonlyMap<string, DrillSpec>;
  private readonly schedules = new Map<string, CronSchedule>();
  private readonly blackouts: Blackouts;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DrillRunnerOptions) {
    this.drills = new Map(options.drills.map((d) => [d.name, d]));
    for (const d of options.drills) if (d.schedule) this.schedules.set(d.name, new CronSchedule(d.schedule, d.timeZone));
    this.blackouts = new Blackouts(options.blackouts);
  }

  /** After an evaluation: due schedules fire, the run in progress moves on. Never rejects. */
  tick(): Promise<void> {
    return this.exclusive(async () => {
      try {
        this.fireSchedules();
        const [active] = this.options.store.active();
        if (active) await this.advance(active, {});
      } catch (error) {
        this.options.logger.error({ err: error }, 'drill step failed');
      }
    });
  }

  /** An IMOC starts a drill now (no approval needed: the IMOC is the approval). */
  start(name: string, by: DrillActor, reason: string): Promise<DrillRun> {
    return this.exclusive(async () => {
      const drill = this.drill(name);
      const now = this.options.clock.now();
      const run = newRun({ id: this.newId(now), drill: drill.name, region: drill.region, scheduledFor: null, createdAt: now, requestedBy: by.actor, requestReason: reason }, this.options.failover.status().weights);
      const started = { ...run, approvedBy: by.actor, approvedAt: now, onBehalfOf: by.onBehalfOf ?? null };
      this.save(started, null);
      return this.advance(started, {});
    });
  }

  approve(name: string, runId: string, by: DrillActor): Promise<DrillRun> {
    return this.exclusive(async () => {
      const run = this.ownRun(name, runId);
      if (run.state !== 'awaiting_approval') throw new DrillError('conflict', `run ${run.id} of ${name} is ${run.state}, not awaiting approval`);
      return this.advance(run, { approve: { by: by.actor, onBehalfOf: by.onBehalfOf } });
    });
  }

  /** Aborts the run in progress (restoring at once), or cancels one that has not started. */
  abort(name: string, by: DrillActor, reason: string): Promise<DrillRun> {
    return this.exclusive(async () => {
      this.drill(name);
      const run = this.options.store.active().find((r) => r.drill === name);
      if (!run) throw new DrillError('conflict', `no run of ${name} is in progress`);
      if (run.state === 'restoring') throw new DrillError('conflict', `run ${run.id} of ${name} is already restoring`);
      return this.advance(run, { abort: { by: by.actor, onBehalfOf: by.onBehalfOf, reason } });
    });
  }

  list(): { drills: DrillSummary[]; awaitingApproval: DrillRun[]; active: DrillRun | null } {
    const active = this.options.store.active();
    return {
      drills: [...this.drills.values()].map((d) => this.summary(d)),
      awaitingApproval: active.filter((r) => r.state === 'awaiting_approval'),
      active: active.find((r) => r.state !== 'awaiting_approval') ?? null,
    };
  }

  plan(name: string): DrillPlan {
    const drill = this.drill(name);
    const now = this.options.clock.now();
    const next = this.schedules.get(name)?.nextAfter(now) ?? null;
    return planDrill({ now, drill, policy: this.options.policy, state: this.options.failover.status().state, report: this.options.report(), activeRun: this.options.store.active()[0] ?? null, blackouts: this.blackouts, nextRun: next });
  }

  runs(name: string, limit = 50): DrillRun[] {
    this.drill(name);
    return this.options.store.runs(name, limit);
  }

  /** The report of a run (the latest when no id is given); a run in progress reports what it has so far. */
  report(name: string, runId?: string): DrillReport {
    const drill = this.drill(name);
    const run = runId === undefined ? this.options.store.runs(name, 1)[0] : this.ownRun(name, runId);
    if (!run) throw new DrillError('not_found', `${name} has no runs yet`);
    return drillReport(run, drill, this.budgetOf(run), this.auditOf(run));
  }

  private drill(name: string): DrillSpec {
    const drill = this.drills.get(name);
    if (!drill) throw new DrillError('not_found', `no drill named "${name}" (configured: ${[...this.drills.keys()].join(', ') || 'none'})`);
    return drill;
  }

  private ownRun(name: string, runId: string): DrillRun {
    this.drill(name);
    const run = this.options.store.get(runId);
    if (!run || run.drill !== name) throw new DrillError('not_found', `${name} has no run ${runId}`);
    return run;
  }

  private summary(drill: DrillSpec): DrillSummary {
    const now = this.options.clock.now();
    const next = this.schedules.get(drill.name)?.nextAfter(now) ?? null;
    const [last] = this.options.store.runs(drill.name, 1);
    return {
      name: drill.name,
      region: drill.region,
      schedule: drill.schedule ?? null,
      timeZone: drill.timeZone,
      nextRun: next === null ? null : new Date(next).toISOString(),
      nextRunLocal: next === null ? null : localTime(next, drill.timeZone),
      requiresApproval: drill.requiresApproval,
      holdSeconds: drill.hold / 1000,
      runbook: drill.runbook ?? null,
      lastRun: last ? { run: last.id, state: last.state, endedAt: last.endedAt === null ? null : new Date(last.endedAt).toISOString() } : null,
    };
  }

  /** Due cron instants become runs; one the server was down for too long is recorded as skipped. */
  private fireSchedules(): void {
    const { store, clock } = this.options;
    const now = clock.now();
    for (const [name, schedule] of this.schedules) {
      const drill = this.drill(name);
      const last = store.lastFire(name);
      // A drill's schedule starts counting when the server first sees it: nothing before that is owed.
      if (last === null) {
        store.setLastFire(name, now);
        continue;
      }
      for (let at = schedule.nextAfter(last), fired = 0; at <= now && fired < 20; at = schedule.nextAfter(at), fired++) {
        store.setLastFire(name, at);
        const run = newRun({ id: this.newId(at), drill: name, region: drill.region, scheduledFor: at, createdAt: at, requestedBy: SYSTEM, requestReason: null }, this.options.failover.status().weights);
        const active = store.active();
        if (now - at > drill.approvalTimeout) this.save(this.end(run, 'skipped', `missed: Vigil was not running at ${new Date(at).toISOString()}`), null);
        else if (active.length > 0) this.save(this.end(run, 'skipped', `another drill (${active[0]?.drill} ${active[0]?.id}) is in progress`), null);
        else this.save(run, null);
      }
    }
  }

  /** Ends a run outside the state machine: skipped before it could start, or given up. */
  private end(run: DrillRun, outcome: 'skipped' | 'aborted', reason: string): DrillRun {
    const now = this.options.clock.now();
    const weights = this.options.failover.status().weights;
    return { ...run, state: outcome, reason, endedAt: now, timeline: [...run.timeline, { t: now, state: outcome, weights, detail: reason }] };
  }

  private inputs(run: DrillRun, drill: DrillSpec, requests: Requests): RunInputs {
    const { failover, clock, report } = this.options;
    const now = clock.now();
    const status = failover.status();
    const phase = status.state.regions[run.region] ?? { phase: 'serving' };
    let moved: string | null = null;
    for (const [region, p] of Object.entries(status.state.regions)) {
      if (region !== run.region && p.phase !== 'serving' && p.origin !== 'drill') moved ??= `${region} is ${p.phase} (${p.origin === 'auto' ? 'the automation' : 'an IMOC'}): it goes first`;
    }
    const starting = run.state === 'scheduled' || run.state === 'starting' || run.state === 'awaiting_approval';
    const others = this.options.store.active().filter((r) => r.id !== run.id);
    const blocker = starting
      ? blockerOf(planDrill({ now, drill, policy: this.options.policy, state: status.state, report: report(), activeRun: others[0] ?? null, blackouts: this.blackouts, nextRun: null }))
      : null;
    const unapproved = run.approvedBy === null && (run.state === 'scheduled' || run.state === 'awaiting_approval');
    const approve = requests.approve ?? (this.options.approvals === 'given' && unapproved ? { by: `${SYSTEM} (simulation)` } : undefined);
    return {
      now,
      phase,
      weights: status.weights,
      otherTransition: moved,
      failing: [...failover.health().failing],
      blocker,
      abortCondition: starting ? null : abortCondition(drill, report(), this.blackouts, now),
      approve,
      abort: requests.abort,
    };
  }

  private async advance(current: DrillRun, requests: Requests): Promise<DrillRun> {
    const drill = this.drills.get(current.drill);
    if (!drill) {
      // Removed from vigil.yaml while running: nothing to judge it by; give the region back.
      return this.advanceWithout(current);
    }
    const inputs = this.inputs(current, drill, requests);
    const step = advanceRun(current, inputs, drill);
    let run = step.run;
    if (step.command) run = await this.carryOut(run, step.command, inputs);
    run = this.observeReceivers(run);
    if (run.state === 'passed') {
      const verdict = judge(run, drill, this.budgetOf(run));
      if (verdict) run = { ...run, state: verdict.outcome, reason: verdict.reason };
    }
    this.save(run, current.state);
    return run;
  }

  private async advanceWithout(run: DrillRun): Promise<DrillRun> {
    const reason = 'the drill was removed from vigil.yaml';
    const phase = this.options.failover.status().state.regions[run.region];
    if (phase && phase.phase !== 'serving' && phase.origin === 'drill') {
      await this.options.failover.command({ kind: 'restore', region: run.region, actor: SYSTEM, reason: `drill ${run.drill} ${run.id}: ${reason}`, force: true, origin: 'drill' });
    }
    const ended = this.end(run, run.startedAt === null ? 'skipped' : 'aborted', reason);
    this.save(ended, run.state);
    return ended;
  }

  private async carryOut(run: DrillRun, command: RunCommand, inputs: RunInputs): Promise<DrillRun> {
    const who =
      command.kind === 'drain'
        ? { actor: run.approvedBy ?? run.requestedBy, onBehalfOf: run.onBehalfOf ?? undefined }
        : { actor: inputs.abort?.by ?? SYSTEM, onBehalfOf: inputs.abort?.onBehalfOf };
    const result = await this.options.failover.command({
      kind: command.kind,
      region: run.region,
      actor: who.actor.endsWith('(simulation)') ? SYSTEM : who.actor,
      ...(who.onBehalfOf ? { onBehalfOf: who.onBehalfOf } : {}),
      reason: command.reason,
      // A drill always gives its region back: a restore goes past a transition in progress elsewhere.
      force: command.kind === 'restore',
      origin: 'drill',
    });
    const after = { now: this.options.clock.now(), weights: this.options.failover.status().weights };
    if (result.kind === 'unavailable') return commandAnswered(run, command, { executed: false, reason: result.reason }, after);
    const { decision, outcome } = result;
    if (decision.outcome !== 'executed') return commandAnswered(run, command, { executed: false, reason: `${decision.rule ?? decision.outcome}: ${decision.reason}` }, after);
    if (outcome.failure !== null) return commandAnswered(run, command, { executed: false, reason: outcome.failure }, after);
    this.options.logger.info({ drill: run.drill, run: run.id, command: command.kind }, `drill ${command.kind} carried out`);
    return commandAnswered(run, command, { executed: true }, after);
  }

  /** Keeps the highest burn rates the receiving regions show while traffic is moved to them. */
  private observeReceivers(run: DrillRun): DrillRun {
    if (run.startedAt === null || (isOutcome(run.state) && run.endedAt !== this.options.clock.now())) return run;
    const report = this.options.report();
    if (!report) return run;
    const burn: DrillRun['receivingBurn'] = structuredClone(run.receivingBurn);
    for (const slo of report.slos) {
      for (const [region, status] of Object.entries(slo.regions)) {
        if (region === run.region || status.total === 0) continue;
        const bySlo = burn[slo.name] ?? {};
        const seen = bySlo[region] ?? {};
        bySlo[region] = seen;
        burn[slo.name] = bySlo;
        for (const [window, rate] of Object.entries(status.burnRates)) seen[window] = Math.max(seen[window] ?? 0, Math.round(rate * 1000) / 1000);
      }
    }
    return { ...run, receivingBurn: burn };
  }

  private budgetOf(run: DrillRun): BudgetSpent[] {
    if (run.startedAt === null) return [];
    return this.options.budgetSpent(run.startedAt, run.endedAt ?? this.options.clock.now());
  }

  private auditOf(run: DrillRun): AuditRef[] {
    return this.options.audit.mentioning(run.id).map((e) => ({ id: e.id, ts: new Date(e.ts).toISOString(), actor: e.actor, action: e.action, outcome: e.outcome, reason: e.reason }));
  }

  private save(run: DrillRun, previous: DrillRun['state'] | null): void {
    this.options.store.save(run);
    if (previous !== run.state) {
      this.options.logger.info({ drill: run.drill, run: run.id, state: run.state, reason: run.reason }, `drill ${run.drill}: ${run.state}`);
      this.options.onChange?.(run, previous);
    }
  }

  private newId(now: number): string {
    return (this.options.newId ?? defaultId)(now);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** "2026-12-08 10:00 (Europe/Stockholm, UTC+01:00)". */
export function localTime(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace('GMT', 'UTC') || 'UTC';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${zone}, ${offset === 'UTC' ? 'UTC+00:00' : offset})`;
}
