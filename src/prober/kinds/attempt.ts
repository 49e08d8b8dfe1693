// One probe attempt against its deadline: settles exactly once (result, timeout or caller's abort) and
// then releases whatever the attempt opened.
import { performance } from 'node:perf_hooks';
import { withoutStack } from '../../lib/abort.js';
import type { FailureKind, Outcome, Phases } from '../outcome.js';
import { type AttemptStage, classifyError } from './classify.js';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Signals that abort with a TimeoutError at the attempt's timeout and serve one attempt at a time (the scheduler's): no second timer is needed. */
const deadlineSignals = new WeakSet<AbortSignal>();

/** Declares that `signal` aborts with a TimeoutError when the attempt's timeout is up. */
export function abortsAtTimeout(signal: AbortSignal): void {
  deadlineSignals.add(signal);
}

/** The phase a failure during a connection stage is charged to (later stages are each kind's own). */
const STAGE_PHASE: Partial<Record<AttemptStage, keyof Phases>> = { dns: 'dns', connect: 'connect', tls: 'tls' };

export class Attempt {
  readonly startedAt = performance.now();
  private currentStage: AttemptStage = 'connect';
  private stageSince = this.startedAt;
  readonly phases: Phases = {};
  private hasPhases = false;
  /** When the current connection became ready for requests (after TCP, or after TLS). */
  readyAt = 0;
  certExpiresAt: number | undefined;
  status: number | undefined;
  private settled = false;
  private readonly releases: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly resolve: (outcome: Outcome) => void,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {
    const owned = deadlineSignals.has(signal);
    this.timer = owned ? null : setTimeout(this.onTimeout, timeoutMs);
    if (signal.aborted) this.onAbort();
    // The scheduler's signal serves one attempt at a time: its handler slot is swapped in place, where an
    // added and removed listener would rebuild the signal's listener table on every attempt.
    else if (owned) signal.onabort = this.onAbort;
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get done(): boolean {
    return this.settled;
  }

  /** What the attempt is doing now, for the timeout's detail and for classifying resets. */
  get stage(): AttemptStage {
    return this.currentStage;
  }

  set stage(stage: AttemptStage) {
    this.currentStage = stage;
    this.stageSince = performance.now();
  }

  /** Milliseconds since the attempt started, to the microsecond. */
  elapsed(since = this.startedAt): number {
    return round(performance.now() - since);
  }

  /** Adds to a phase's time; a settled attempt's phases no longer change (its outcome holds them). */
  addPhase(phase: keyof Phases, ms: number): void {
    if (this.settled) return;
    this.phases[phase] = round((this.phases[phase] ?? 0) + ms);
    this.hasPhases = true;
  }

  /** Runs `release` when the attempt settles (at once if it already has). */
  onSettle(release: () => void): void {
    if (this.settled) release();
    else this.releases.push(release);
  }

  succeed(detail?: string): void {
    if (this.settled) return;
    this.settle(this.outcome(true, null, detail));
  }

  fail(kind: FailureKind, detail: string): void {
    if (this.settled) return;
    // As blackbox_exporter does: a refused connect or a handshake cut short still took time in its phase.
    const phase = STAGE_PHASE[this.currentStage];
    if (phase) this.addPhase(phase, performance.now() - this.stageSince);
    this.settle(this.outcome(false, kind, detail));
  }

  failWith(error: unknown): void {
    if (this.settled) return;
    const { kind, detail } = classifyError(error, this.stage);
    this.fail(kind, detail);
  }

  /** The outcome, built once, with the attempt's own phases object (settling freezes it). */
  private outcome(ok: boolean, kind: FailureKind | null, detail: string | undefined): Outcome {
    const outcome: Outcome = { ok, latencyMs: this.elapsed(), failure: kind };
    if (this.hasPhases) outcome.phases = this.phases;
    if (this.status !== undefined) outcome.status = this.status;
    if (this.certExpiresAt !== undefined) outcome.certExpiresAt = this.certExpiresAt;
    if (detail !== undefined) outcome.detail = detail;
    return outcome;
  }

  private settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.signal.onabort === this.onAbort) this.signal.onabort = null;
    else this.signal.removeEventListener('abort', this.onAbort);
    this.resolve(outcome);
    // The errors releases build (ours, and undici's for an aborted request and its socket, whose stacks
    // Node's stream destroy formats) are never shown: built without stacks, they cost next to nothing.
    withoutStack(() => {
      for (const release of this.releases) {
        try {
          release();
        } catch {
          // Releasing is best effort: the outcome is already decided and must not turn into a rejection.
        }
      }
    });
    this.releases.length = 0;
  }

  private readonly onTimeout = (): void => {
    this.fail('timeout', `no answer within ${this.timeoutMs} ms (during ${this.stage})`);
  };

  private readonly onAbort = (): void => {
    const reason: unknown = this.signal.reason;
    if (reason instanceof DOMException && reason.name === 'TimeoutError') this.onTimeout();
    else this.fail('timeout', `aborted by the prober during ${this.stage}`);
  };
}

/**
 * Runs one attempt: `start` begins the work and reports through the attempt; whatever it throws is
 * classified. The promise never rejects.
 */
export function runAttempt(timeoutMs: number, signal: AbortSignal, start: (attempt: Attempt) => void): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const attempt = new Attempt(resolve, timeoutMs, signal);
    try {
      start(attempt);
    } catch (error) {
      attempt.failWith(error);
    }
  });
}
