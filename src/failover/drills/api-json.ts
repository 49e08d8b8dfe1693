// The JSON of /api/v1/drills: request bodies the server parses, and the run as the server answers it and
// `vigil drill` reads it back. Times are ISO 8601 strings.
import { z } from 'zod';
import { DRILL_OUTCOMES, DRILL_STATES, type DrillRun } from './run.js';
import { OBJECTIVE_NAMES } from './schema.js';

const reason = z.string().trim().min(1, 'say why (reason)').max(2000);
const onBehalfOf = z.string().trim().min(1).max(200).optional();

export const startBody = z.strictObject({ reason, onBehalfOf });
export const approveBody = z.strictObject({ run: z.string().min(1).max(100), onBehalfOf });
export const abortBody = z.strictObject({ reason, onBehalfOf });

const time = z.string().nullable();

export const runJson = z.object({
  id: z.string(),
  drill: z.string(),
  region: z.string(),
  state: z.enum([...DRILL_STATES, ...DRILL_OUTCOMES]),
  reason: z.string().nullable(),
  scheduledFor: time,
  createdAt: z.string(),
  requestedBy: z.string(),
  approvedBy: z.string().nullable(),
  startedAt: time,
  drainedAt: time,
  holdUntil: time,
  restoreStartedAt: time,
  restoredAt: time,
  endedAt: time,
});

export type RunJson = z.output<typeof runJson>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function runToJson(run: DrillRun): RunJson {
  return {
    id: run.id,
    drill: run.drill,
    region: run.region,
    state: run.state,
    reason: run.reason,
    scheduledFor: iso(run.scheduledFor),
    createdAt: new Date(run.createdAt).toISOString(),
    requestedBy: run.requestedBy,
    approvedBy: run.approvedBy,
    startedAt: iso(run.startedAt),
    drainedAt: iso(run.drainedAt),
    holdUntil: iso(run.holdUntil),
    restoreStartedAt: iso(run.restoreStartedAt),
    restoredAt: iso(run.restoredAt),
    endedAt: iso(run.endedAt),
  };
}

const weights = z.record(z.string(), z.number());

/** A drill report (GET /api/v1/drills/NAME/report), as `vigil drill report` reads it back. */
export const drillReportJson = z.object({
  drill: z.string(),
  run: z.string(),
  region: z.string(),
  state: z.enum([...DRILL_STATES, ...DRILL_OUTCOMES]),
  outcome: z.enum(DRILL_OUTCOMES).nullable(),
  reason: z.string().nullable(),
  scheduledFor: time,
  requestedBy: z.string(),
  approvedBy: z.string().nullable(),
  startedAt: time,
  endedAt: time,
  drainSeconds: z.number().nullable(),
  restoreSeconds: z.number().nullable(),
  timeline: z.array(z.object({ t: z.string(), state: z.enum([...DRILL_STATES, ...DRILL_OUTCOMES]), weights, detail: z.string() })),
  budgetSpent: z.array(z.object({ slo: z.string(), region: z.string(), percent: z.number() })),
  receivingBurnRates: z.array(z.object({ slo: z.string(), region: z.string(), burnRates: weights })),
  objectives: z.array(
    z.object({ name: z.enum(OBJECTIVE_NAMES), limit: z.number(), value: z.number().nullable(), passed: z.boolean().nullable() }),
  ),
  runbook: z.string().nullable(),
  audit: z.array(z.object({ id: z.number(), ts: z.string(), actor: z.string(), action: z.string(), outcome: z.string(), reason: z.string() })),
});

export type DrillReport = z.output<typeof drillReportJson>;
