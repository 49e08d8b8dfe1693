// A simulation scenario (apiVersion vigil/v1, kind Scenario): synthetic probe results over virtual time,
// a baseline plus episodes of errors or latency for some target regions and/or vantages.
import { z } from 'zod';
import { duration, instant, rfc1123Label } from '../../config/fields.js';

const rate = z.number().min(0, 'must be a share of attempts in [0, 1]').max(1, 'must be a share of attempts in [0, 1]');

const episode = z
  .strictObject({
    from: duration(),
    to: duration(),
    targetRegion: rfc1123Label.optional(),
    vantage: rfc1123Label.optional(),
    errorRate: rate.optional(),
    latencyMs: z.number().nonnegative().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.to <= e.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    if (e.errorRate === undefined && e.latencyMs === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs errorRate and/or latencyMs' });
    }
  });

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('Scenario'),
  metadata: z.strictObject({ name: rfc1123Label, description: z.string().optional() }),
  spec: z
    .strictObject({
      config: z.string().min(1).optional(),
      start: instant(),
      duration: duration({ min: 1000 }),
      probeInterval: duration({ min: 1000 }).default(10_000),
      seed: z.number().int().default(1),
      baseline: z.strictObject({ errorRate: rate.default(0), latencyMs: z.number().nonnegative().default(40) }).prefault({}),
      // Empty or null: no episodes.
      episodes: z
        .array(episode)
        .nullable()
        .default([])
        .transform((e) => e ?? []),
      /** Run the configuration's drill schedules in virtual time. */
      drills: z.boolean().default(false),
      /** Drill approvals: taken as given (default), or never given (`none`), so approval timeouts show. */
      approvals: z.enum(['given', 'none']).default('given'),
      /** Things people do at an offset into the scenario: start a drill. */
      actions: z
        .array(z.strictObject({ at: duration(), drill: rfc1123Label }))
        .nullable()
        .default([])
        .transform((a) => a ?? []),
    })
    .superRefine((spec, ctx) => {
      spec.episodes.forEach((e, i) => {
        if (e.from >= spec.duration) ctx.addIssue({ code: 'custom', path: ['episodes', i, 'from'], message: 'starts after the scenario ends' });
      });
      spec.actions.forEach((a, i) => {
        if (a.at >= spec.duration) ctx.addIssue({ code: 'custom', path: ['actions', i, 'at'], message: 'is after the scenario ends' });
      });
    }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type Episode = Scenario['spec']['episodes'][number];

/** Episodes active at `offsetMs` into the scenario that apply to (targetRegion, vantage), in file order. */
export function activeEpisodes(scenario: Scenario, offsetMs: number, targetRegion: string, vantage: string): Episode[] {
  return scenario.spec.episodes.filter(
    (e) =>
      e.from <= offsetMs &&
      offsetMs < e.to &&
      (e.targetRegion === undefined || e.targetRegion === targetRegion) &&
      (e.vantage === undefined || e.vantage === vantage),
  );
}
