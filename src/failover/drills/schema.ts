// vigil.yaml spec.drills and spec.drillBlackouts: disaster-recovery drills (a region evacuated through the
// failover orchestrator, on a cron schedule or on demand) and the windows in which none may start.
import { z } from 'zod';
import { duration, instant, isMap, oneOf, rfc1123Label, timeZone } from '../../config/fields.js';
import { SEVERITIES } from '../../slo/model.js';
import { cronProblem } from './cron-schedule.js';

const cron = z
  .string()
  .min(1)
  .superRefine((expression, ctx) => {
    const problem = cronProblem(expression);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a cron expression (${problem}); e.g. "0 10 * * 2" is Tuesdays at 10:00` });
  });

const abortIf = z.strictObject({
  severity: z.enum(SEVERITIES).default('page'),
  /** Whose alerts abort the drill: every region but the drilled one, every region, or these. */
  regions: z.union([z.enum(['others', 'all']), z.array(rfc1123Label).min(1)]).default('others'),
});

const objectives = z.strictObject({
  maxDrainSeconds: z.number().positive().optional(),
  maxRestoreSeconds: z.number().positive().optional(),
  maxBudgetSpentPercent: z.number().positive().max(100).optional(),
});

export const OBJECTIVE_NAMES = ['maxDrainSeconds', 'maxRestoreSeconds', 'maxBudgetSpentPercent'] as const;

const drill = z.strictObject({
  name: rfc1123Label,
  region: rfc1123Label,
  /** When runs start by themselves (node-cron syntax, in timeZone); on demand only without it. */
  schedule: cron.optional(),
  timeZone: timeZone.default('UTC'),
  /** How long the region stays fully drained. */
  hold: duration({ min: 60_000 }).default(30 * 60_000),
  requiresApproval: z.boolean().default(true),
  approvalTimeout: duration({ min: 60_000 }).default(3_600_000),
  abortIf: abortIf.prefault({}),
  objectives: objectives.default({}),
  runbook: z.string().min(1).optional(),
});

const fixedBlackout = z.strictObject({ name: rfc1123Label, from: instant(), to: instant() }).superRefine((b, ctx) => {
  if (b.to <= b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
});

/** Recurring: from each time the cron fires (in timeZone), for `duration` (which may cross midnight). */
const recurringBlackout = z.strictObject({ name: rfc1123Label, cron, duration: duration({ min: 60_000 }), timeZone: timeZone.default('UTC') });

type Blackout = z.output<typeof fixedBlackout> | z.output<typeof recurringBlackout>;

const blackout = oneOf<Blackout>(
  [
    { when: (v) => isMap(v) && 'cron' in (v as object), schema: recurringBlackout },
    { when: isMap, schema: fixedBlackout },
  ],
  'a blackout: { name, from, to } or { name, cron, duration, timeZone }',
);

export const drillsSpec = z
  .array(drill)
  .default([])
  .superRefine((drills, ctx) => {
    const seen = new Map<string, number>();
    drills.forEach((d, i) => {
      const first = seen.get(d.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate drill "${d.name}" (first at drills[${first}])` });
      else seen.set(d.name, i);
    });
  });

export const blackoutsSpec = z.array(blackout).default([]);

export type DrillSpec = z.output<typeof drill>;
export type BlackoutSpec = Blackout;
export type Objectives = z.output<typeof objectives>;
