// vigil.yaml (apiVersion vigil/v1, kind Config): where Vigil keeps its data and listens, the regions it
// serves from, where probers run, who may call it, and the failover policy.
import { z } from 'zod';
import { blackoutsSpec, drillsSpec } from '../../failover/drills/schema.js';
import { PROVIDER_KINDS } from '../../failover/providers/index.js';
import { NOTIFIER_KINDS } from '../../notify/index.js';
import { cloudMonitoringExportSchema } from '../../prober/exporters/schema.js';
import { SEVERITIES } from '../../slo/model.js';
import { SOURCE_KINDS } from '../../slo/sources/index.js';
import { byKind, duration, rfc1123Label } from '../fields.js';
import { didYouMean } from '../schema-problems.js';
import { authSpec } from './auth-spec.js';

const regionSpec = z.strictObject({
  weight: z.number().positive('must be > 0: the weight of the region when fully serving'),
  capacity: z.number().gt(0, 'must be a share of global peak traffic in (0, 100]').max(100, 'must be at most 100'),
  targets: z.array(z.string().min(1)).default([]),
});

/** `spec.sources`: one entry per metric SLI source kind, each checked by that kind's own schema. */
const sourcesSpec = z
  .record(z.string(), z.unknown())
  .default({})
  .transform((sources, ctx): Record<string, unknown> => {
    const parsed: Record<string, unknown> = {};
    const known = [...SOURCE_KINDS.keys()];
    for (const [kind, config] of Object.entries(sources)) {
      const entry = SOURCE_KINDS.get(kind);
      if (!entry) {
        const hint = didYouMean(kind, known);
        ctx.issues.push({ code: 'custom', input: kind, path: [kind], message: `unknown source kind "${kind}" (known: ${known.join(', ') || 'none'})${hint}` });
        continue;
      }
      const result = entry.schema.safeParse(config);
      if (result.success) parsed[kind] = result.data;
      else for (const issue of result.error.issues) ctx.issues.push({ ...issue, path: [kind, ...issue.path], input: config } as z.core.$ZodRawIssue);
    }
    return parsed;
  });

const failoverSpec = z
  .strictObject({
    mode: z.enum(['auto', 'manual', 'dry-run']).default('manual'),
    triggers: z.strictObject({
      slos: z.array(rfc1123Label).min(1, 'must name at least one SLO'),
      severity: z.enum(SEVERITIES).default('page'),
      quorum: z.number().int().min(1).default(2),
    }),
    safety: z
      .strictObject({
        minServingRegions: z.number().int().min(1).default(2),
        maxDrainedRegions: z.number().int().min(1).default(1),
        cooldown: duration().default(15 * 60_000),
      })
      .prefault({}),
    steps: z
      .array(z.strictObject({ weightPercent: z.number().min(0).max(100), bake: duration().default(0) }))
      .min(1)
      .default([{ weightPercent: 0, bake: 0 }])
      .superRefine((steps, ctx) => {
        steps.forEach((step, i) => {
          const previous = steps[i - 1];
          if (previous && step.weightPercent >= previous.weightPercent) {
            ctx.addIssue({ code: 'custom', path: [i, 'weightPercent'], message: 'steps must lower the weight, one after another' });
          }
        });
        if (steps.at(-1)?.weightPercent !== 0) {
          ctx.addIssue({ code: 'custom', path: [steps.length - 1, 'weightPercent'], message: 'the last step must drain to 0' });
        }
      }),
    failback: z
      .discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('manual') }),
        z.strictObject({ mode: z.literal('auto'), healthyFor: duration().default(30 * 60_000) }),
      ])
      .default({ mode: 'manual' }),
    provider: byKind(PROVIDER_KINDS, 'provider kind').default({ kind: 'file', config: { kind: 'file', path: 'data/weights.json' } }),
  })
  .optional();

export const vigilConfigSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('Config'),
  metadata: z.strictObject({ name: z.string().optional() }).optional(),
  spec: z
    .strictObject({
      dataDir: z.string().min(1).default('data'),
      /** How long minute buckets stay in the store; never less than the longest SLO period + 1 day. */
      retention: duration({ min: 24 * 3_600_000 }).default(100 * 24 * 3_600_000),
      definitions: z
        .strictObject({
          slos: z.string().min(1).default('slo-definitions'),
          probes: z.string().min(1).default('probes'),
        })
        .prefault({}),
      server: z
        .strictObject({
          host: z.string().min(1).default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(8080),
          /** Requests with an unknown token, per client address: past `count` within `per`, answered 429 until `per` ends. */
          unknownTokenLimit: z
            .strictObject({ count: z.number().int().min(1).max(100_000).default(10), per: duration({ min: 1000 }).default(60_000) })
            .prefault({}),
        })
        .prefault({}),
      engine: z
        .strictObject({
          evaluationInterval: duration({ min: 1000 }).default(10_000),
        })
        .prefault({}),
      regions: z.record(rfc1123Label, regionSpec).default({}),
      /** Where ratio SLOs' metrics are pulled from (`indicator.ratio.source` names one of these). */
      sources: sourcesSpec,
      /** Where probe results are exported besides /metrics (the in-process probers of `vigil up`). */
      export: z.strictObject({ 'cloud-monitoring': cloudMonitoringExportSchema.optional() }).prefault({}),
      /** Prober regions `vigil up` runs in-process; default: every region. */
      vantages: z.array(rfc1123Label).optional(),
      failover: failoverSpec,
      /** Disaster-recovery drills: regional evacuations on a schedule or on demand, through the orchestrator. */
      drills: drillsSpec,
      /** Windows in which no drill starts (and a running one is restored). */
      drillBlackouts: blackoutsSpec,
      /** Who may call the server: identities, roles and tokens. Without it, see the README's access section. */
      auth: authSpec,
      /** Who hears about failover decisions (halts, blocked drains, drains, failures): one entry per notifier. */
      notify: z.array(byKind(NOTIFIER_KINDS, 'notifier kind')).default([]),
      /**
       * Local stand-ins for each region's service (loopback ports), started by `vigil up`, so a new user
       * sees probing, burn and failover on one machine.
       */
      demo: z.strictObject({ services: z.record(rfc1123Label, z.number().int().min(1).max(65535)) }).optional(),
    })
    .prefault({})
    .superRefine((spec, ctx) => {
      const regions = Object.keys(spec.regions);
      if (spec.failover && regions.length > 0 && spec.failover.safety.minServingRegions > regions.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['failover', 'safety', 'minServingRegions'],
          message: `is ${spec.failover.safety.minServingRegions} but only ${regions.length} regions are configured`,
        });
      }
      const vantages = spec.vantages ?? regions;
      if (spec.failover && vantages.length > 0 && spec.failover.triggers.quorum > vantages.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['failover', 'triggers', 'quorum'],
          message: `is ${spec.failover.triggers.quorum} but only ${vantages.length} vantage region(s) probe: no region could ever be drained automatically`,
        });
      }
      if (spec.failover && regions.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['failover'], message: 'needs spec.regions to move traffic between' });
      }
      spec.drills.forEach((drill, i) => {
        if (!spec.failover) ctx.addIssue({ code: 'custom', path: ['drills', i], message: 'a drill moves traffic through spec.failover, which is not configured' });
        if (!regions.includes(drill.region)) {
          ctx.addIssue({ code: 'custom', path: ['drills', i, 'region'], message: `is not one of spec.regions (${regions.join(', ') || 'none'})` });
        }
        const abortRegions = drill.abortIf.regions;
        if (Array.isArray(abortRegions)) {
          abortRegions.forEach((r, j) => {
            if (!regions.includes(r)) ctx.addIssue({ code: 'custom', path: ['drills', i, 'abortIf', 'regions', j], message: `is not one of spec.regions (${regions.join(', ')})` });
          });
        }
      });
    }),
});

export type VigilConfig = z.output<typeof vigilConfigSchema>['spec'];
export type FailoverConfig = NonNullable<VigilConfig['failover']>;

export function defaultConfig(): VigilConfig {
  return vigilConfigSchema.parse({ apiVersion: 'vigil/v1', kind: 'Config' }).spec;
}

/** Prober regions: the configured vantages, else every serving region. */
export function vantagesOf(config: VigilConfig): string[] {
  return config.vantages ?? Object.keys(config.regions);
}
