// One target's attempts, one at a time, under deadlines the scheduler keeps: the runner's signal aborts at the
// timeout, and if the runner still has not answered a grace period later, the attempt ends as a timeout
// without it (the target stays busy until the runner does answer). Nothing here arms a timer per attempt or
// chains promises: an attempt costs one promise callback and a place in a deadline queue.
import { withoutStack } from '../lib/abort.js';
import { abortsAtTimeout } from './kinds/attempt.js';
import type { ProbeRunner } from './kinds/kind.js';
import { failure, type Outcome } from './outcome.js';
import type { TimerHandle, Timers } from './timers.js';

/** How long past its timeout a runner may take to notice the abort before the scheduler stops waiting. */
export const OVERRUN_GRACE_MS = 100;

/** Hears the attempts of one AttemptSlot. */
export interface AttemptOwner {
  /**
   * An attempt ended, once per attempt, at the latest timeout + grace after its start. `overran`: the runner
   * did not answer in time and the outcome is the deadline's timeout. `runnerError`: the runner rejected (a
   * bug in the probe type) and the outcome stands in for it.
   */
  attemptEnded(outcome: Outcome, startedAt: number, overran: boolean, runnerError: unknown): void;
}

/**
 * Abort controllers for attempts, handed out again once an attempt ends without aborting its own. A
 * signal per attempt was 13 % of what 2,000 attempts a second left in V8's old generation (Node's signals
 * outlive young-generation collections, each with a hidden class of its own), and one per target would
 * hold 10,000 of them at 10,000 targets; a pool holds about as many as there are attempts in flight. A
 * runner removes what it added to its signal when its attempt ends (ProbeRunner's contract).
 */
export class AttemptControllers {
  private readonly idle: AbortController[] = [];

  constructor(private readonly maxIdle = 256) {}

  /** A controller whose signal has not aborted; its owner aborts it with a TimeoutError at the timeout. */
  take(): AbortController {
    const known = this.idle.pop();
    if (known) return known;
    const controller = new AbortController();
    // The kinds' attempts rely on this signal for their timeout instead of arming their own timer.
    abortsAtTimeout(controller.signal);
    return controller;
  }

  /** Returns a controller once its attempt's runner has answered; an aborted one is dropped. */
  give(controller: AbortController): void {
    if (!controller.signal.aborted && this.idle.length < this.maxIdle) this.idle.push(controller);
  }
}

/**
 * Deadlines in the order they fall due: one first-in-first-out ring per delay, since deadlines of the same
 * delay are added in the order they fall due. An entry whose attempt ended is dropped when it reaches the
 * head, so an attempt that answers in time costs nothing to forget.
 */
export class AttemptDeadlines {
  private readonly rings = new Map<number, DeadlineRing>();

  /** `slot`'s attempt number `attempt` has a deadline `delayMs` from `now`. */
  add(slot: AttemptSlot, attempt: number, now: number, delayMs: number): void {
    let ring = this.rings.get(delayMs);
    if (!ring) {
      ring = new DeadlineRing();
      this.rings.set(delayMs, ring);
    }
    ring.push(slot, attempt, now + delayMs);
  }

  /** Passes every deadline due at or before `now` to its slot. */
  expire(now: number): void {
    for (const ring of this.rings.values()) ring.expire(now);
  }

  /** When the earliest deadline of an attempt still waiting falls due, or null. */
  next(): number | null {
    let earliest: number | null = null;
    for (const ring of this.rings.values()) {
      const at = ring.nextLive();
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  clear(): void {
    this.rings.clear();
  }
}

/** Parallel arrays used as a ring buffer (capacity a power of two), so that an entry allocates nothing. */
class DeadlineRing {
  private slots: Array<AttemptSlot | null> = new Array(16).fill(null);
  private attempts = new Float64Array(16);
  private dues = new Float64Array(16);
  private head = 0;
  private size = 0;

  push(slot: AttemptSlot, attempt: number, due: number): void {
    if (this.size === this.slots.length) this.grow();
    const i = (this.head + this.size) & (this.slots.length - 1);
    this.slots[i] = slot;
    this.attempts[i] = attempt;
    this.dues[i] = due;
    this.size++;
  }

  expire(now: number): void {
    const mask = this.slots.length - 1;
    while (this.size > 0) {
      const i = this.head;
      const slot = this.slots[i];
      const attempt = this.attempts[i] ?? 0;
      const live = slot?.waitsFor(attempt) ?? false;
      if (live && (this.dues[i] ?? 0) > now) return;
      this.slots[i] = null;
      this.head = (i + 1) & mask;
      this.size--;
      if (live) slot?.deadlinePassed(attempt, now);
    }
  }

  nextLive(): number | null {
    const mask = this.slots.length - 1;
    while (this.size > 0) {
      const i = this.head;
      if (this.slots[i]?.waitsFor(this.attempts[i] ?? 0)) return this.dues[i] ?? null;
      this.slots[i] = null;
      this.head = (i + 1) & mask;
      this.size--;
    }
    return null;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const slots: Array<AttemptSlot | null> = new Array(capacity).fill(null);
    const attempts = new Float64Array(capacity);
    const dues = new Float64Array(capacity);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & (this.slots.length - 1);
      slots[k] = this.slots[i] ?? null;
      attempts[k] = this.attempts[i] ?? 0;
      dues[k] = this.dues[i] ?? 0;
    }
    this.slots = slots;
    this.attempts = attempts;
    this.dues = dues;
    this.head = 0;
  }
}

export interface AttemptContext {
  timers: Timers;
  deadlines: AttemptDeadlines;
  controllers: AttemptControllers;
  graceMs: number;
}

type SlotState = 'idle' | 'running' | 'aborted' | 'overdue';

/** One target's runner and its attempt in flight, if any. */
export class AttemptSlot {
  /** Number of the current (or last) attempt: what deadlines refer to. */
  private attempt = 0;
  /** running: waiting for the runner; aborted: timed out, waiting up to the grace; overdue: ended without the runner. */
  private state: SlotState = 'idle';
  private startedAt = 0;
  private controller: AbortController | null = null;
  private idleWaiters: Array<() => void> | null = null;

  constructor(
    readonly runner: ProbeRunner,
    private readonly owner: AttemptOwner,
    private readonly context: AttemptContext,
  ) {}

  /** An attempt's runner has not answered yet. */
  get busy(): boolean {
    return this.state !== 'idle';
  }

  /** Starts an attempt (the slot must not be busy); its end reaches the owner. */
  start(timeoutMs: number): void {
    if (this.state !== 'idle') throw new Error('an attempt is already running in this slot');
    const { timers, deadlines, controllers } = this.context;
    const controller = controllers.take();
    this.controller = controller;
    this.state = 'running';
    this.attempt++;
    this.startedAt = timers.now();
    deadlines.add(this, this.attempt, this.startedAt, timeoutMs);
    let answer: Promise<Outcome>;
    try {
      answer = this.runner.probe(controller.signal);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(this.answered, this.rejected);
  }

  /** Aborts the attempt in flight early (reload, shutdown); the runner still answers. */
  abort(): void {
    const controller = this.controller;
    if (controller && !controller.signal.aborted) controller.abort(new DOMException('probe stopped', 'AbortError'));
  }

  /** Resolves once no attempt is in flight (at once when none is). */
  idle(): Promise<void> {
    if (this.state === 'idle') return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters ??= [];
      this.idleWaiters.push(resolve);
    });
  }

  /** Attempt number `attempt` is still waiting for a deadline (its runner has not answered). */
  waitsFor(attempt: number): boolean {
    return attempt === this.attempt && (this.state === 'running' || this.state === 'aborted');
  }

  /** A deadline of attempt `attempt` fell due: the timeout aborts the runner, the grace ends the attempt without it. */
  deadlinePassed(attempt: number, now: number): void {
    if (attempt !== this.attempt) return;
    if (this.state === 'running') {
      this.state = 'aborted';
      this.context.deadlines.add(this, attempt, now, this.context.graceMs);
      this.controller?.abort(withoutStack(() => new DOMException('probe timed out', 'TimeoutError')));
    } else if (this.state === 'aborted') {
      this.state = 'overdue';
      this.owner.attemptEnded(failure('timeout', now - this.startedAt), this.startedAt, true, null);
    }
  }

  private finish(outcome: Outcome | null, runnerError: unknown): void {
    const overdue = this.state === 'overdue';
    const controller = this.controller;
    this.state = 'idle';
    this.controller = null;
    if (controller) this.context.controllers.give(controller);
    if (!overdue) {
      const ended =
        outcome ?? failure('protocol_error', this.context.timers.now() - this.startedAt, { detail: 'the probe type failed unexpectedly' });
      this.owner.attemptEnded(ended, this.startedAt, false, runnerError);
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = null;
    if (waiters) for (const wake of waiters) wake();
  }

  private readonly answered = (outcome: Outcome): void => this.finish(outcome, null);

  private readonly rejected = (error: unknown): void => this.finish(null, error ?? new Error('rejected without a reason'));
}

export interface AttemptEnd {
  outcome: Outcome;
  startedAt: number;
  overran: boolean;
  runnerError: unknown;
}

/** One attempt on its own (`vigil probe --once`): resolves with its end, at the latest timeout + grace. */
export function attemptOnce(runner: ProbeRunner, timeoutMs: number, timers: Timers, graceMs = OVERRUN_GRACE_MS): Promise<AttemptEnd> {
  return new Promise((resolve) => {
    const deadlines = new AttemptDeadlines();
    let timer: TimerHandle | null = null;
    const owner: AttemptOwner = {
      attemptEnded: (outcome, startedAt, overran, runnerError) => {
        timer?.cancel();
        timer = null;
        resolve({ outcome, startedAt, overran, runnerError });
      },
    };
    const slot = new AttemptSlot(runner, owner, { timers, deadlines, controllers: new AttemptControllers(0), graceMs });
    const wake = (): void => {
      deadlines.expire(timers.now());
      const next = deadlines.next();
      timer = next === null ? null : timers.setTimer(next - timers.now(), wake);
    };
    slot.start(timeoutMs);
    wake();
  });
}
