// The JSON of the failover API (/api/v1/failover): request bodies the server parses, answers the server
// builds and `vigil failover` parses back. Times are ISO 8601 strings.
import { z } from 'zod';
import type { AuditEntry } from '../store/failover-store.js';
import type { FailoverStatus } from './controller.js';
import type { Decision } from './policy/types.js';

const reason = z.string().trim().min(1, 'say why (reason)').max(2000);
/**
 * Who the caller acts for (`vigil failover --actor`). The actor recorded is always the identity of the token;
 * this goes beside it. `actor` is the same field under its older name.
 */
const onBehalfOf = z.string().trim().min(1).max(200).optional();

export const regionCommandBody = z.strictObject({
  region: z.string().min(1).max(200),
  reason,
  force: z.boolean().default(false),
  onBehalfOf,
  actor: onBehalfOf,
});

export const automationCommandBody = z.strictObject({ reason, onBehalfOf, actor: onBehalfOf });

const weights = z.record(z.string(), z.number());

const regionStatusJson = z.object({
  phase: z.enum(['serving', 'draining', 'drained', 'restoring']),
  weight: z.number(),
  step: z.number().optional(),
  bakeUntil: z.string().optional(),
  halted: z.boolean().optional(),
  origin: z.enum(['auto', 'manual', 'drill']).optional(),
  since: z.string().optional(),
  healthySince: z.string().nullable(),
  /** Manual mode: when the automation proposed draining this region (or, in dry-run, would have). */
  proposedAt: z.string().optional(),
});

export const statusJson = z.object({
  mode: z.enum(['auto', 'manual', 'dry-run']),
  paused: z.boolean(),
  provider: z.string(),
  regions: z.record(z.string(), regionStatusJson),
  weights,
  lastActionAt: z.string().nullable(),
  pending: z.array(z.object({ id: z.number(), createdAt: z.string(), before: weights, after: weights })).optional(),
  onHold: z.string().optional(),
});

export type StatusJson = z.output<typeof statusJson>;

export const decisionJson = z.object({
  action: z.string(),
  region: z.string().nullable(),
  outcome: z.string(),
  rule: z.string().nullable(),
  reason: z.string(),
  actor: z.string(),
  onBehalfOf: z.string().nullable(),
  forced: z.boolean(),
});

export type DecisionJson = z.output<typeof decisionJson>;

export const commandAnswerJson = z.object({
  decisions: z.array(decisionJson),
  weights,
  /** A decision of the same round (not the command itself) could not be carried out at the provider. */
  failure: z.string().optional(),
});

export const auditEntryJson = z.object({
  id: z.number(),
  ts: z.string(),
  actor: z.string(),
  onBehalfOf: z.string().nullable(),
  action: z.string(),
  region: z.string().nullable(),
  outcome: z.string(),
  rule: z.string().nullable(),
  reason: z.string(),
  forced: z.boolean(),
  before: weights.nullable(),
  after: weights.nullable(),
});

export type AuditEntryJson = z.output<typeof auditEntryJson>;

export const auditJson = z.object({ entries: z.array(auditEntryJson) });

/** The error body of a refused command: 409 with the safety rule that blocked it. */
export const blockedDetailsJson = z.object({ rule: z.string(), action: z.string(), region: z.string().nullable(), reason: z.string() });

const iso = (ms: number) => new Date(ms).toISOString();

export function statusToJson(status: FailoverStatus): StatusJson {
  const { state } = status;
  const regions: StatusJson['regions'] = {};
  for (const [region, phase] of Object.entries(state.regions)) {
    const healthySince = state.healthySince[region] ?? null;
    const proposedAt = state.proposed[region];
    const entry: StatusJson['regions'][string] = {
      phase: phase.phase,
      weight: status.weights[region] ?? 0,
      healthySince: healthySince === null ? null : iso(healthySince),
    };
    if (phase.phase === 'draining' || phase.phase === 'restoring') {
      entry.step = phase.step;
      entry.bakeUntil = iso(phase.bakeUntil);
    }
    if (phase.phase === 'draining') entry.halted = phase.halted;
    if (phase.phase === 'drained') entry.since = iso(phase.since);
    if (phase.phase !== 'serving') entry.origin = phase.origin;
    if (proposedAt !== undefined) entry.proposedAt = iso(proposedAt);
    regions[region] = entry;
  }
  const json: StatusJson = {
    mode: status.mode,
    paused: state.paused,
    provider: status.provider,
    regions,
    weights: status.weights,
    lastActionAt: state.lastActionAt === null ? null : iso(state.lastActionAt),
  };
  if (status.pending.length > 0) {
    json.pending = status.pending.map((p) => ({ id: p.id, createdAt: iso(p.createdAt), before: p.before, after: p.after }));
  }
  if (status.onHold !== null) json.onHold = status.onHold;
  return json;
}

export function decisionToJson(d: Decision): DecisionJson {
  return {
    action: d.action,
    region: d.region,
    outcome: d.outcome,
    rule: d.rule,
    reason: d.reason,
    actor: d.actor,
    onBehalfOf: d.onBehalfOf ?? null,
    forced: d.forced,
  };
}

export function auditToJson(entry: AuditEntry & { id: number }): AuditEntryJson {
  return { ...entry, ts: iso(entry.ts) };
}
