// One attempt under the scheduler's timeout: the runner's signal aborts at the timeout, and if the runner
// still has not answered a grace period later, the attempt is recorded as a timeout without it.
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

export function startAttempt(runner: ProbeRunner, timeoutMs: number, timers: Timers, graceMs = OVERRUN_GRACE_MS): RunningAttempt {
  const startedAt = timers.now();
  const controller = new AbortController();
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
    controller.abort(new DOMException('probe timed out', 'TimeoutError'));
  });
  // The kinds' attempts rely on this signal for their timeout instead of arming their own timer.
  abortsAtTimeout(controller.signal);

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
