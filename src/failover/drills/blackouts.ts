// Blackouts: fixed windows (a release freeze) and recurring ones (a cron start in a time zone plus a
// duration, which may cross midnight or a DST change). Pure: what is blacked out at an instant.
import { CronSchedule } from './cron-schedule.js';
import type { BlackoutSpec } from './schema.js';

export interface BlackoutWindow {
  name: string;
  from: number;
  to: number;
}

type Compiled = { name: string; fixed: { from: number; to: number } } | { name: string; schedule: CronSchedule; durationMs: number };

export class Blackouts {
  private readonly compiled: Compiled[];

  constructor(specs: readonly BlackoutSpec[]) {
    this.compiled = specs.map((spec) =>
      'cron' in spec ? { name: spec.name, schedule: new CronSchedule(spec.cron, spec.timeZone), durationMs: spec.duration } : { name: spec.name, fixed: { from: spec.from, to: spec.to } },
    );
  }

  /** The blackout in effect at `now` that lasts longest, or null. */
  activeAt(now: number): BlackoutWindow | null {
    let active: BlackoutWindow | null = null;
    for (const window of this.windowsAround(now, now)) {
      if (window.from <= now && now < window.to && (active === null || window.to > active.to)) active = window;
    }
    return active;
  }

  /** Every window that overlaps [from, to), in start order. */
  windowsAround(from: number, to: number): BlackoutWindow[] {
    const windows: BlackoutWindow[] = [];
    for (const c of this.compiled) {
      if ('fixed' in c) {
        if (c.fixed.from <= to && c.fixed.to > from) windows.push({ name: c.name, ...c.fixed });
        continue;
      }
      // Starts in (from - duration, to] are the windows that overlap; whole seconds, as cron fires.
      for (let start = c.schedule.nextAfter(from - c.durationMs); start <= to; start = c.schedule.nextAfter(start)) {
        windows.push({ name: c.name, from: start, to: start + c.durationMs });
      }
    }
    return windows.sort((a, b) => a.from - b.from);
  }
}
