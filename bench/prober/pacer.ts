// Starts work at a fixed rate without drift (the count due is computed from elapsed time, not summed from
// ticks), with bounded concurrency: when the limit is reached the slot is skipped and counted, not queued.

export interface PacerOptions {
  ratePerSecond: number;
  maxInFlight: number;
  /** Starts one unit of work; the promise settles when it is over. */
  start: () => Promise<void>;
  /** How often the pacer wakes up to start what is due (default 5 ms): each wake-up costs CPU too. */
  tickMs?: number;
}

export class Pacer {
  private started = 0;
  private skipped = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private idle: (() => void) | null = null;

  constructor(private readonly options: PacerOptions) {}

  run(): void {
    this.t0 = performance.now();
    this.tick();
  }

  /** Slots started and skipped so far. */
  counts(): { started: number; skipped: number } {
    return { started: this.started, skipped: this.skipped };
  }

  /** Stops starting work; resolves when the work in flight is over (or after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private tick = (): void => {
    const due = Math.floor(((performance.now() - this.t0) / 1000) * this.options.ratePerSecond);
    while (this.started + this.skipped < due) {
      if (this.inFlight >= this.options.maxInFlight) {
        this.skipped++;
        continue;
      }
      this.started++;
      this.inFlight++;
      void this.options.start().finally(this.finished);
    }
    this.timer = setTimeout(this.tick, this.options.tickMs ?? 5);
  };

  private finished = (): void => {
    this.inFlight--;
    if (this.inFlight === 0 && this.timer === null) this.idle?.();
  };
}
