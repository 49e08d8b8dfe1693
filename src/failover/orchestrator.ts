// Carries out the policy's decisions: journal first, then the provider (with retries and a timeout),
// audit everything. On start it reconciles a change a crash left pending: finish it or roll it back.
import pRetry from 'p-retry';
import { z } from 'zod';
import { raceAbort } from '../lib/abort.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { AuditEntry, FailoverStore } from '../store/failover-store.js';
import { decide } from './policy/policy.js';
import { totalWeight, weightsOf } from './policy/safety.js';
import { type Command, type Decision, initialState, type PolicyConfig, type PolicyState, SAFETY_RULES } from './policy/types.js';
import type { WeightProvider, Weights } from './providers/provider.js';
import type { Firing } from './signals.js';

export interface OrchestratorOptions {
  config: PolicyConfig;
  provider: WeightProvider;
  store: FailoverStore;
  clock: Clock;
  logger: Logger;
  /** Provider calls: attempts, first backoff and per-call timeout. */
  retry?: { attempts: number; minTimeoutMs: number; callTimeoutMs: number };
}

export interface TickOutcome {
  decisions: Decision[];
  /** Weights applied at the provider in this tick, if any. */
  applied: Weights | null;
  /** Why the weights the decisions called for are not in effect (provider failed, decision undone), if so. */
  failure: string | null;
}

const phaseSchema = z.union([
  z.object({ phase: z.literal('serving') }),
  z.object({ phase: z.literal('draining'), step: z.number(), bakeUntil: z.number(), halted: z.boolean(), origin: z.enum(['auto', 'manual', 'drill']) }),
  z.object({ phase: z.literal('drained'), since: z.number(), origin: z.enum(['auto', 'manual', 'drill']) }),
  z.object({ phase: z.literal('restoring'), step: z.number(), bakeUntil: z.number(), origin: z.enum(['auto', 'manual', 'drill']) }),
]);

const stateSchema = z.object({
  regions: z.record(z.string(), phaseSchema),
  lastActionAt: z.number().nullable(),
  paused: z.boolean(),
  healthySince: z.record(z.string(), z.number().nullable()),
  blockedNoted: z.record(z.string(), z.enum(SAFETY_RULES).nullable()),
  proposed: z.record(z.string(), z.number()),
});

/** What an audit entry says about a decision or a provider call. */
interface AuditDraft {
  action: string;
  outcome: string;
  reason: string;
  actor?: string;
  onBehalfOf?: string;
  region?: string | null;
  rule?: string | null;
  forced?: boolean;
}

function sameWeights(a: Weights, b: Weights): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => Math.abs((a[k] ?? 0) - (b[k] ?? 0)) <= 1e-9 * Math.max(1, Math.abs(a[k] ?? 0)));
}

export class Orchestrator {
  private state: PolicyState;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly retry;

  constructor(private readonly options: OrchestratorOptions) {
    this.retry = options.retry ?? { attempts: 4, minTimeoutMs: 250, callTimeoutMs: 10_000 };
    this.state = this.loadState();
  }

  status(): { state: PolicyState; weights: Weights; mode: string } {
    return { state: this.state, weights: weightsOf(this.state.regions, this.options.config), mode: this.options.config.failover.mode };
  }

  /** Reconciles the journal with the provider: a pending change is finished if it landed, else rolled back. */
  recover(): Promise<void> {
    return this.serialized(async () => {
      const { store, logger } = this.options;
      for (const entry of store.pending()) {
        const now = this.options.clock.now();
        const actual = await this.call((signal) => this.options.provider.read(signal));
        const base = { ts: now, actor: 'vigil', onBehalfOf: null, region: null, rule: null, forced: false, before: entry.before, after: entry.after };
        if (sameWeights(actual, entry.after)) {
          store.finish(entry.id, 'applied', { ...base, action: 'recover', outcome: 'executed', reason: 'after a restart: the change had been applied' }, now);
          continue;
        }
        // Neither applied nor untouched (a provider without transactions, cut off midway) or untouched:
        // put the provider back where it was and the policy back to the state before that decision.
        if (!sameWeights(actual, entry.before)) await this.call((signal) => this.options.provider.apply(entry.before, signal));
        this.state = this.parseState(entry.priorState) ?? this.state;
        store.finish(
          entry.id,
          'rolled_back',
          { ...base, action: 'recover', outcome: 'executed', reason: 'after a restart: a change had not been carried out; rolled back' },
          now,
          JSON.stringify(this.state),
        );
        logger.warn({ journal: entry.id }, 'rolled back a weight change a restart left pending');
      }
    });
  }

  /** One decision round on fresh signals (after each SLO evaluation); IMOC commands ride along. */
  tick(firing: Firing, commands: readonly Command[] = []): Promise<TickOutcome> {
    return this.serialized(() => this.decideAndApply(firing, commands));
  }

  private async decideAndApply(firing: Firing, commands: readonly Command[]): Promise<TickOutcome> {
    const { config, store, provider, clock, logger } = this.options;
    const now = clock.now();
    const prior = this.state;
    const result = decide(prior, { now, firing, commands }, config);
    const before = weightsOf(prior.regions, config);
    const after = result.weights;
    if (after !== null && totalWeight(after) <= 0) {
      // The policy never asks for this; refuse rather than black-hole all traffic if it ever did.
      const reason = 'refused weights with no traffic anywhere; the decisions of this round were dropped';
      logger.error({ weights: after, decisions: result.decisions }, reason);
      store.appendAudit(this.auditOf({ action: 'apply', outcome: 'failed', reason }, now, { before, after }));
      return { decisions: [], applied: null, failure: reason };
    }
    // Every decision's entry carries the weights around it: for one that changed nothing (blocked, proposed,
    // a halt or a pause) before and after are both the weights in effect.
    const audit = result.decisions.map((d) => this.auditOf(d, now, d.outcome === 'executed' && after ? { before, after } : { before, after: before }));
    const journalId = store.record(JSON.stringify(result.state), audit, after ? { before, after, priorState: JSON.stringify(prior) } : null, now);
    this.state = result.state;
    for (const d of result.decisions) logger.info({ ...d }, `failover ${d.action} ${d.region ?? ''}: ${d.outcome}`);
    if (after === null || journalId === null) return { decisions: result.decisions, applied: null, failure: null };
    try {
      await this.call((signal) => provider.apply(after, signal));
      store.finish(journalId, 'applied', this.auditOf({ action: 'apply', outcome: 'executed', reason: `${provider.kind} provider applied the weights` }, now, { before, after }), clock.now());
      return { decisions: result.decisions, applied: after, failure: null };
    } catch (error) {
      return this.afterFailedApply(journalId, result.decisions, { before, after }, prior, now, error as Error);
    }
  }

  /**
   * The provider call failed (after retries). Find out what is in effect: if the change landed after all,
   * keep it; otherwise put the provider back to `before` and undo the decision, so the next round decides
   * again. If even that fails, the journal entry stays pending for the next start to reconcile.
   */
  private async afterFailedApply(
    journalId: number,
    decisions: Decision[],
    change: { before: Weights; after: Weights },
    prior: PolicyState,
    now: number,
    error: Error,
  ): Promise<TickOutcome> {
    const { store, provider, clock, logger } = this.options;
    try {
      const actual = await this.call((signal) => provider.read(signal));
      if (sameWeights(actual, change.after)) {
        store.finish(journalId, 'applied', this.auditOf({ action: 'apply', outcome: 'executed', reason: `${provider.kind} provider applied the weights despite: ${error.message}` }, now, change), clock.now());
        return { decisions, applied: change.after, failure: null };
      }
      if (!sameWeights(actual, change.before)) await this.call((signal) => provider.apply(change.before, signal));
    } catch (cleanupError) {
      // Keep the decided state, as saved beside the pending journal entry: recover() settles the two
      // together (keeps both if the change landed, else rolls both back). Undoing only the in-memory state
      // here would leave it disagreeing with the provider when recover() finds the change applied.
      logger.error({ err: cleanupError, journal: journalId }, 'cannot tell or restore the provider state; left for the next start to reconcile');
      return { decisions, applied: null, failure: `${provider.kind} provider failed: ${error.message}; its state is unknown until reconciled` };
    }
    this.state = prior;
    store.finish(
      journalId,
      'failed',
      this.auditOf({ action: 'apply', outcome: 'failed', reason: `${provider.kind} provider failed: ${error.message}; decision undone` }, now, change),
      clock.now(),
      JSON.stringify(prior),
      error.message,
    );
    logger.error({ err: error }, 'applying weights failed; decision undone');
    return { decisions, applied: null, failure: `${provider.kind} provider failed: ${error.message}; decision undone` };
  }

  private auditOf(d: AuditDraft, ts: number, change: { before: Weights; after: Weights } | null): AuditEntry {
    return {
      ts,
      actor: d.actor ?? 'vigil',
      onBehalfOf: d.onBehalfOf ?? null,
      action: d.action,
      region: d.region ?? null,
      outcome: d.outcome,
      rule: d.rule ?? null,
      reason: d.reason,
      forced: d.forced ?? false,
      before: change?.before ?? null,
      after: change?.after ?? null,
    };
  }

  /**
   * A provider call with retries, each attempt bounded by the timeout even when the provider does not
   * honour the signal (a hung file write, a client library that ignores it): the attempt is abandoned,
   * and whatever it still does is what read-back and the journal are there to settle.
   */
  private call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return pRetry(
      () => {
        const signal = AbortSignal.timeout(this.retry.callTimeoutMs);
        return raceAbort(operation(signal), signal);
      },
      {
        retries: this.retry.attempts - 1,
        minTimeout: this.retry.minTimeoutMs,
        randomize: true,
      },
    );
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private loadState(): PolicyState {
    const saved = this.options.store.loadState();
    const parsed = saved === null ? null : this.parseState(saved);
    const regions = Object.keys(this.options.config.regions);
    if (!parsed) return initialState(regions);
    // Regions added to vigil.yaml since start serving; removed ones are forgotten.
    const fresh = initialState(regions);
    return {
      ...parsed,
      regions: Object.fromEntries(regions.map((r) => [r, parsed.regions[r] ?? { phase: 'serving' }])),
      healthySince: { ...fresh.healthySince, ...parsed.healthySince },
      blockedNoted: { ...fresh.blockedNoted, ...parsed.blockedNoted },
    };
  }

  private parseState(json: string): PolicyState | null {
    const result = stateSchema.safeParse(JSON.parse(json));
    if (!result.success) {
      this.options.logger.error({ issues: result.error.issues.length }, 'saved failover state is unreadable; starting fresh');
      return null;
    }
    return result.data;
  }
}
