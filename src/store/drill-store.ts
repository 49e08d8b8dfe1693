// Persistence of drill runs (each saved whole after every change, so a restart resumes where it was) and of
// how far each drill's schedule has been handled.
import { z } from 'zod';
import { DRILL_OUTCOMES, DRILL_STATES, type DrillRun } from '../failover/drills/run.js';
import type { Db } from './database.js';

const state = z.enum([...DRILL_STATES, ...DRILL_OUTCOMES]);
const weights = z.record(z.string(), z.number());

const runJson = z.object({
  id: z.string(),
  drill: z.string(),
  region: z.string(),
  state,
  reason: z.string().nullable(),
  scheduledFor: z.number().nullable(),
  createdAt: z.number(),
  requestedBy: z.string(),
  requestReason: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.number().nullable(),
  onBehalfOf: z.string().nullable(),
  startedAt: z.number().nullable(),
  drainedAt: z.number().nullable(),
  holdUntil: z.number().nullable(),
  restoreStartedAt: z.number().nullable(),
  restoreIssued: z.boolean(),
  restoredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  ending: z.object({ outcome: z.enum(['aborted', 'interrupted']), cause: z.string() }).nullable(),
  timeline: z.array(z.object({ t: z.number(), state, weights, detail: z.string() })),
  receivingBurn: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))),
});

export class DrillStore {
  constructor(private readonly db: Db) {}

  save(run: DrillRun): void {
    this.db
      .prepare(
        `INSERT INTO drill_runs (id, drill, state, created_at, ended_at, run) VALUES (@id, @drill, @state, @createdAt, @endedAt, @run)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at, run = excluded.run`,
      )
      .run({ id: run.id, drill: run.drill, state: run.state, createdAt: run.createdAt, endedAt: run.endedAt, run: JSON.stringify(run) });
  }

  get(id: string): DrillRun | null {
    const row = this.db.prepare('SELECT run FROM drill_runs WHERE id = ?').get(id) as { run: string } | undefined;
    return row ? runJson.parse(JSON.parse(row.run)) : null;
  }

  /** Runs that have not ended, oldest first (at most one, unless a crash left more). */
  active(): DrillRun[] {
    const rows = this.db.prepare('SELECT run FROM drill_runs WHERE ended_at IS NULL ORDER BY created_at, id').all() as Array<{ run: string }>;
    return rows.map((r) => runJson.parse(JSON.parse(r.run)));
  }

  /** A drill's runs, newest first. */
  runs(drill: string, limit = 50): DrillRun[] {
    const rows = this.db.prepare('SELECT run FROM drill_runs WHERE drill = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(drill, limit) as Array<{ run: string }>;
    return rows.map((r) => runJson.parse(JSON.parse(r.run)));
  }

  /** Runs of any drill that were alive at some time in [from, to), oldest first. */
  overlapping(from: number, to: number, limit = 500): DrillRun[] {
    const rows = this.db
      .prepare('SELECT run FROM drill_runs WHERE created_at < ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY created_at, id LIMIT ?')
      .all(to, from, limit) as Array<{ run: string }>;
    return rows.map((r) => runJson.parse(JSON.parse(r.run)));
  }

  lastFire(drill: string): number | null {
    const row = this.db.prepare('SELECT last_fire AS lastFire FROM drill_schedule WHERE drill = ?').get(drill) as { lastFire: number } | undefined;
    return row?.lastFire ?? null;
  }

  setLastFire(drill: string, at: number): void {
    this.db.prepare('INSERT INTO drill_schedule (drill, last_fire) VALUES (?, ?) ON CONFLICT (drill) DO UPDATE SET last_fire = excluded.last_fire').run(drill, at);
  }
}
