// Time as the scheduler and shipper see it: a sub-millisecond clock and one-shot timers, swappable for
// virtual time so tests can check spreading, skipping and backoff deterministically.

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Milliseconds since the epoch, with sub-millisecond resolution where the platform has it. */
  now(): number;
  /** Calls `fire` once after `delayMs` (never synchronously). */
  setTimer(delayMs: number, fire: () => void): TimerHandle;
}

/** Wall-clock time from the monotonic high-resolution clock, anchored at process start. */
export const realTimers: Timers = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, fire) {
    const timer = setTimeout(fire, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Waits on `timers` (real or virtual) as a promise. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimer(ms, resolve);
  });
}
