// The failover orchestrator as the server runs it: one decision round after every SLO evaluation, IMOC
// commands in between, strictly one at a time; a change a crash or an unreachable provider left pending
// is reconciled before anything else is decided. Provider trouble is logged and audited, never thrown.
import type { VigilConfig } from '../config/kinds/vigil-config.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { failureNotice, type NoticeSink, noticesOf } from '../notify/notice.js';
import type { SloEngine } from '../slo/engine/engine.js';
import type { Db } from '../store/database.js';
import { FailoverStore } from '../store/failover-store.js';
import { Orchestrator, type TickOutcome } from './orchestrator.js';
import { assessRegions, type RegionHealth } from './policy/health.js';
import type { Command, Decision, PolicyConfig, PolicyState, Weights } from './policy/types.js';
import { PROVIDER_KINDS } from './providers/index.js';
import type { WeightProvider } from './providers/provider.js';
import { type Firing, triggerFiring } from './signals.js';

export interface FailoverControllerOptions {
  orchestrator: Orchestrator;
  store: FailoverStore;
  provider: WeightProvider;
  /** What the vantages see now, read from the engine's latest evaluation. */
  firing: () => Firing;
  config: PolicyConfig;
  clock: Clock;
  logger: Logger;
  /** Told about every round's decisions and failures worth a notification (halts, blocked drains…). */
  notices?: NoticeSink | undefined;
}

const PROVIDER_READ_REUSE_MS = 10_000;

export type CommandResult =
  | { kind: 'decided'; decision: Decision; outcome: TickOutcome }
  /** Nothing was decided: a pending change could not be reconciled with the provider. */
  | { kind: 'unavailable'; reason: string };

export interface FailoverStatus {
  mode: PolicyConfig['failover']['mode'];
  provider: string;
  state: PolicyState;
  weights: Weights;
  pending: ReturnType<FailoverStore['pending']>;
  /** Why decisions are on hold (the provider cannot be reconciled), or null. */
  onHold: string | null;
}

export class FailoverController {
  private chain: Promise<unknown> = Promise.resolve();
  private roundInFlight = false;
  private onHold: string | null = null;
  private lastAudited: string | null = null;
  private providerRead: { at: number; answer: Promise<{ weights: Weights } | { error: string }> } | null = null;
  private closed = false;
  private readonly observers = new Set<(outcome: TickOutcome) => void>();

  constructor(private readonly options: FailoverControllerOptions) {}

  /** Hears the outcome of every round and command (a simulation's timeline). */
  observe(observer: (outcome: TickOutcome) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  get regions(): readonly string[] {
    return Object.keys(this.options.config.regions);
  }

  /** Reconciles whatever a crash left pending; resolves false (logged, audited) when the provider is unreachable. */
  start(): Promise<boolean> {
    return this.exclusive(() => this.reconcile());
  }

  /**
   * A decision round on the alerts just evaluated. Skipped while the previous round is still waiting or
   * running (a slow provider retrying), so rounds never pile up behind each other.
   */
  afterEvaluation(): Promise<unknown> {
    if (this.roundInFlight || this.closed) return Promise.resolve();
    return this.round();
  }

  /** One decision round after whatever is queued, with what it decided (null when it could not run); never rejects. */
  round(): Promise<TickOutcome | null> {
    this.roundInFlight = true;
    return this.exclusive(async () => {
      try {
        if (!(await this.reconcile())) return null;
        const before = this.options.orchestrator.status().weights;
        const outcome = await this.options.orchestrator.tick(this.options.firing());
        this.announce(outcome, before);
        this.lastAudited = null;
        return outcome;
      } catch (error) {
        this.noteFailure('tick', error);
        return null;
      } finally {
        this.roundInFlight = false;
      }
    });
  }

  /** Runs one IMOC command through the policy (same safety rules), on the latest signals. */
  command(command: Command): Promise<CommandResult> {
    return this.exclusive(async (): Promise<CommandResult> => {
      if (!(await this.reconcile())) return { kind: 'unavailable', reason: this.onHold ?? 'provider unavailable' };
      const before = this.options.orchestrator.status().weights;
      const outcome = await this.options.orchestrator.tick(this.options.firing(), [command]);
      this.announce(outcome, before);
      // The policy answers each command with exactly one decision, before anything else it decides.
      const decision = outcome.decisions[0];
      if (!decision) throw new Error(`the policy made no decision on the ${command.kind} command`);
      return { kind: 'decided', decision, outcome };
    });
  }

  status(): FailoverStatus {
    const { state, weights } = this.options.orchestrator.status();
    return {
      mode: this.options.config.failover.mode,
      provider: this.options.provider.kind,
      state,
      weights,
      pending: this.options.store.pending(),
      onHold: this.onHold,
    };
  }

  /**
   * The weights as the provider reports them (for the failover page), or why it could not say within
   * `timeoutMs`. One read serves every caller for 10 s, so open pages do not turn into a stream of
   * provider API calls.
   */
  providerWeights(timeoutMs = 2000): Promise<{ weights: Weights } | { error: string }> {
    const now = this.options.clock.now();
    if (this.providerRead && now - this.providerRead.at < PROVIDER_READ_REUSE_MS) return this.providerRead.answer;
    const answer = this.options.provider.read(AbortSignal.timeout(timeoutMs)).then(
      (weights) => ({ weights }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    );
    this.providerRead = { at: now, answer };
    return answer;
  }

  audit(limit: number): ReturnType<FailoverStore['audit']> {
    return this.options.store.audit(limit);
  }

  /** Which regions fail by the trigger's quorum now (what the automation would drain), from the latest evaluation. */
  health(): RegionHealth {
    return assessRegions(this.regions, this.options.firing(), this.options.config.failover.triggers.quorum);
  }

  /**
   * Waits (at most `graceMs`) for the round or command in progress, then releases the provider. A provider
   * call still hanging after that is abandoned: its journal entry stays pending for the next start.
   */
  async close(graceMs = 15_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave-up'>((resolve) => {
      timer = setTimeout(() => resolve('gave-up'), graceMs);
    });
    const outcome = await Promise.race([this.chain.then(() => 'done' as const), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'gave-up') this.options.logger.warn('a failover provider call is still running at shutdown; left for the next start to reconcile');
    await this.options.provider.close();
  }

  /** True when nothing is pending (any more); false, with the reason kept, when the provider cannot be reached. */
  private async reconcile(): Promise<boolean> {
    try {
      if (this.options.store.pending().length === 0) return true;
      await this.options.orchestrator.recover();
      if (this.onHold !== null) this.options.logger.info('failover provider reachable again: pending change reconciled');
      this.onHold = null;
      this.lastAudited = null;
      return true;
    } catch (error) {
      this.noteFailure('recover', error);
      return false;
    }
  }

  /** Logs every failure; audits it unless it repeats the last one, so an unreachable provider does not flood the audit log. */
  private noteFailure(action: 'recover' | 'tick', error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const reason =
      action === 'recover'
        ? `a weight change is pending and the ${this.options.provider.kind} provider cannot be reconciled (${message}); decisions on hold`
        : `decision round failed: ${message}`;
    this.options.logger.error({ err: error }, reason);
    if (action === 'recover') this.onHold = reason;
    if (reason === this.lastAudited) return;
    this.lastAudited = reason;
    this.options.notices?.announce([failureNotice(reason, this.options.orchestrator.status().weights, this.options.clock.now())]);
    try {
      this.options.store.appendAudit({
        ts: this.options.clock.now(),
        actor: 'vigil',
        onBehalfOf: null,
        action,
        region: null,
        outcome: 'failed',
        rule: null,
        reason,
        forced: false,
        before: null,
        after: null,
      });
    } catch (auditError) {
      this.options.logger.error({ err: auditError }, 'cannot write the failover audit log');
    }
  }

  private announce(outcome: TickOutcome, before: Weights): void {
    for (const observer of this.observers) observer(outcome);
    const { notices, orchestrator, clock } = this.options;
    if (!notices) return;
    const { state, weights } = orchestrator.status();
    const phases = Object.fromEntries(Object.entries(state.regions).map(([region, p]) => [region, p.phase]));
    notices.announce(noticesOf({ decisions: outcome.decisions, failure: outcome.failure, before, after: weights, phases, at: clock.now() }));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

export interface FailoverSetup {
  config: VigilConfig;
  /** Directory the provider's relative paths are resolved against (where vigil.yaml is). */
  root: string;
  db: Db;
  engine: SloEngine;
  clock: Clock;
  logger: Logger;
  notices?: NoticeSink | undefined;
}

/** Builds the provider named in spec.failover.provider and the orchestrator over the store; null without spec.failover. */
export function createFailoverController(setup: FailoverSetup): FailoverController | null {
  const { config, root, db, clock, logger } = setup;
  const failover = config.failover;
  if (!failover) return null;
  const kind = PROVIDER_KINDS.get(failover.provider.kind);
  // The config schema only accepts registered kinds; this guards a registry edited without the schema.
  if (!kind) throw new Error(`unknown failover provider kind "${failover.provider.kind}"`);
  const provider = kind.create(failover.provider.config, { regions: config.regions, root, logger });
  const policy: PolicyConfig = { regions: config.regions, failover };
  const store = new FailoverStore(db);
  const orchestrator = new Orchestrator({ config: policy, provider, store, clock, logger });
  const regions = Object.keys(config.regions);
  return new FailoverController({
    orchestrator,
    store,
    provider,
    firing: () => triggerFiring(setup.engine, failover, regions),
    config: policy,
    clock,
    logger,
    notices: setup.notices,
  });
}
