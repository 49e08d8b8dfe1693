// Virtual time for scheduler and shipper tests: timers fire only when the test advances the clock, in
// due order, with pending promise callbacks run between them.
import type { TimerHandle, Timers } from '../../src/prober/timers.js';

interface Pending {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export class VirtualTimers implements Timers {
  private pending: Pending[] = [];
  private seq = 0;

  constructor(private current = Date.parse('2026-11-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const timer: Pending = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fire, cancelled: false };
    this.pending.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      this.pending = this.pending.filter((t) => !t.cancelled);
      let next: Pending | undefined;
      for (const t of this.pending) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      const due = next;
      this.pending = this.pending.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fire();
    }
    this.current = end;
    await settle();
  }
}

/** Lets every promise callback that is ready run (several rounds, for chains). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
