// One attempt under the scheduler's timeout: the runner's signal aborts at the timeout, and if the runner
// still has not answered a grace period later, the attempt is recorded as a timeout without it.
import { withoutStack } from '../lib/abort.js';
import { abortsAtTimeout } from './kinds/attempt.js';
import type { ProbeRunner } from './kinds/kind.js';
import { failure, type Outcome } from './outcome.js';
import type { TimerHandle, Timers } from './timers.js';

/** How long past its timeout a runner may take to notice the abort before the scheduler stops waiting. */
export const OVERRUN_GRACE_MS = 100;

export interface AttemptEnd {
  outcome: Outcome;
  /** The runner did not answer within timeout + grace: the outcome is the scheduler's own timeout. */
  overran: boolean;
  /** The runner rejected instead of resolving (a bug in the probe type); the outcome stands in for it. */
  runnerError: unknown;
}

export interface RunningAttempt {
  /** Settles at the latest timeout + grace after the start. Never rejects. */
  end: Promise<AttemptEnd>;
  /** Settles when the runner's own promise does: later than `end` for a runner that overran. */
  finished: Promise<void>;
  /** Aborts early (reload, shutdown); the runner still answers through `end`. */
  abort(): void;
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

  /** A controller whose signal has not aborted. */
  take(): AbortController {
    return this.idle.pop() ?? deadlineController();
  }

  /** Returns a controller once its attempt's runner has answered; an aborted one is dropped. */
  give(controller: AbortController): void {
    if (!controller.signal.aborted && this.idle.length < this.maxIdle) this.idle.push(controller);
  }
}

/** A controller that startAttempt aborts with a TimeoutError at the attempt's timeout. */
function deadlineController(): AbortController {
  const controller = new AbortController();
  // The kinds' attempts rely on this signal for their timeout instead of arming their own timer.
  abortsAtTimeout(controller.signal);
  return controller;
}

/**
 * Starts one attempt of `runner`. `controller` (from AttemptControllers) is aborted at the timeout; without
 * one, the attempt gets its own.
 */
export function startAttempt(
  runner: ProbeRunner,
  timeoutMs: number,
  timers: Timers,
  graceMs = OVERRUN_GRACE_MS,
  controller: AbortController = deadlineController(),
): RunningAttempt {
  if (controller.signal.aborted) throw new Error('an attempt needs a controller that has not been aborted');
  const startedAt = timers.now();
  let resolveEnd: (end: AttemptEnd) => void = () => {};
  const end = new Promise<AttemptEnd>((resolve) => {
    resolveEnd = resolve;
  });
  let settled = false;
  // One timer at a time: the timeout, then (only for a runner that has not answered by then) the grace.
  let timer: TimerHandle | null = null;
  const settle = (value: AttemptEnd) => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    timer = null;
    resolveEnd(value);
  };
  timer = timers.setTimer(timeoutMs, () => {
    timer = timers.setTimer(graceMs, () => {
      settle({ outcome: failure('timeout', timers.now() - startedAt), overran: true, runnerError: null });
    });
    controller.abort(withoutStack(() => new DOMException('probe timed out', 'TimeoutError')));
  });
  let attempt: Promise<Outcome>;
  try {
    attempt = runner.probe(controller.signal);
  } catch (error) {
    attempt = Promise.reject(error);
  }
  const finished = attempt.then(
    (outcome) => settle({ outcome, overran: false, runnerError: null }),
    (error: unknown) =>
      settle({
        outcome: failure('protocol_error', timers.now() - startedAt, { detail: 'the probe type failed unexpectedly' }),
        overran: false,
        runnerError: error ?? new Error('rejected without a reason'),
      }),
  );
  return { end, finished, abort: () => controller.abort(new DOMException('probe stopped', 'AbortError')) };
}
