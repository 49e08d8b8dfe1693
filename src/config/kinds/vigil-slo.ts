// The native SLO document (apiVersion vigil/v1, kind SLO): schema and mapping to the engine's model.
import { z } from 'zod';
import { fromDecimal } from '../../slo/math/rational.js';
import { type AlertWindowSpec, type Indicator, SEVERITIES, type SloDefinition, type SloWindow } from '../../slo/model.js';
import { duration, isMap, isString, minutes, oneOf, rfc1123Label, timeZone, withText } from '../fields.js';
import type { YamlDocument } from '../yaml-document.js';
import {
  CALENDAR_UNITS,
  calendarWindow,
  defaultAlertWindows,
  isValidSliceMinutes,
  objectiveOf,
  timeslices,
} from './slo-fields.js';

const ROLLING = { regex: /^\d+[mhdw]$/, hint: 'a rolling window is a number and one unit of m, h, d or w (e.g. 28d)' };

const windowField = oneOf<SloWindow>(
  [
    {
      when: isString,
      schema: withText(minutes({ pattern: ROLLING })).transform(
        ({ value, text }): SloWindow => ({ kind: 'rolling', minutes: value, text }),
      ),
    },
    {
      when: isMap,
      schema: z
        .strictObject({ calendar: z.enum(CALENDAR_UNITS), timeZone: timeZone.optional() })
        .transform((c) => calendarWindow(c.calendar, c.timeZone)),
    },
  ],
  'a rolling duration such as 28d, or { calendar: week|month|quarter, timeZone: Area/City }',
);

const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const indicatorField = z
  .strictObject({
    probe: z.strictObject({ name: rfc1123Label, latencyThreshold: duration({ min: 1 }).optional() }).optional(),
    ratio: z
      .strictObject({
        source: z.enum(['prometheus', 'cloud-monitoring']),
        good: z.string().min(1, 'must be a non-empty query'),
        total: z.string().min(1, 'must be a non-empty query'),
        regionLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_.]*$/, 'must be a label name').optional(),
        vantageLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_.]*$/, 'must be a label name').optional(),
      })
      .optional(),
    events: z.strictObject({}).optional(),
  })
  .superRefine((indicator, ctx) => {
    const given = Object.entries(indicator).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of probe, ratio or events${given.length ? ` (got ${given.join(', ')})` : ''}`,
      });
    }
  });

const alertWindowField = z
  .strictObject({
    severity: z.enum(SEVERITIES),
    long: minutes(),
    short: minutes(),
    burnRate: z.number().positive('must be a positive burn rate'),
  })
  .superRefine((w, ctx) => {
    if (w.short >= w.long) ctx.addIssue({ code: 'custom', path: ['short'], message: 'must be shorter than long' });
  });

const alertingField = z.strictObject({
  windows: oneOf<'default' | z.output<typeof alertWindowField>[]>(
    [
      { when: isString, schema: z.literal('default', { error: 'must be "default" or a list of windows' }) },
      { when: Array.isArray, schema: z.array(alertWindowField).min(1, 'must list at least one window') },
    ],
    '"default" or a list of { severity, long, short, burnRate }',
  ).default('default'),
  runbook: z.string().min(1).optional(),
});

export const vigilSloSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: rfc1123Label,
    squad: z.string().min(1, 'must name the owning squad'),
    labels: z.record(z.string(), labelValue).optional(),
  }),
  spec: z
    .strictObject({
      service: z.string().min(1),
      description: z.string().optional(),
      objective: z
        .number()
        .gt(0, 'must be a percentage strictly between 0 and 100 (e.g. 99.9)')
        .lt(100, 'must be a percentage strictly between 0 and 100 (e.g. 99.9)'),
      window: windowField,
      budgetingMethod: z.enum(['occurrences', 'timeslices']).default('occurrences'),
      timeslice: z
        .strictObject({
          window: minutes().refine(isValidSliceMinutes, 'must be a whole number of minutes that divides 1h (1m, 5m, 10m…)'),
          target: z.number().gt(0, 'must be a fraction in (0, 1]').max(1, 'must be a fraction in (0, 1]'),
        })
        .optional(),
      regions: z
        .array(rfc1123Label)
        .refine((list) => new Set(list).size === list.length, 'lists a region twice')
        .default([]),
      indicator: indicatorField,
      alerting: alertingField.optional(),
    })
    .superRefine((spec, ctx) => {
      if (spec.budgetingMethod === 'timeslices' && !spec.timeslice) {
        ctx.addIssue({ code: 'custom', path: ['budgetingMethod'], message: 'timeslices needs spec.timeslice: { window, target }' });
      }
      if (spec.budgetingMethod !== 'timeslices' && spec.timeslice) {
        ctx.addIssue({ code: 'custom', path: ['timeslice'], message: 'only applies with budgetingMethod: timeslices' });
      }
    }),
});

type VigilSlo = z.output<typeof vigilSloSchema>;

function indicatorOf(spec: VigilSlo['spec']): Indicator {
  const { probe, ratio } = spec.indicator;
  if (probe) return { kind: 'probe', probe: probe.name, latencyThresholdMs: probe.latencyThreshold ?? null };
  if (ratio) return { kind: 'ratio', source: ratio.source, good: ratio.good, total: ratio.total, regionLabel: ratio.regionLabel ?? null, vantageLabel: ratio.vantageLabel ?? null };
  return { kind: 'events' };
}

function alertWindowsOf(spec: VigilSlo['spec']): AlertWindowSpec[] {
  const windows = spec.alerting?.windows ?? 'default';
  if (windows === 'default') return defaultAlertWindows();
  return windows.map((w) => ({
    severity: w.severity,
    longMinutes: w.long,
    shortMinutes: w.short,
    threshold: { kind: 'burnRate', value: fromDecimal(w.burnRate) },
  }));
}

export function toSloDefinition(slo: VigilSlo, doc: YamlDocument): SloDefinition {
  const { spec, metadata } = slo;
  const at = doc.position(['metadata', 'name']);
  return {
    name: metadata.name,
    squad: metadata.squad,
    labels: metadata.labels ?? {},
    service: spec.service,
    description: spec.description ?? '',
    ...objectiveOf(spec.objective),
    window: spec.window,
    budgeting:
      spec.budgetingMethod === 'timeslices' && spec.timeslice
        ? timeslices(spec.timeslice.window, spec.timeslice.target)
        : { method: 'occurrences' },
    regions: spec.regions,
    indicator: indicatorOf(spec),
    alertWindows: alertWindowsOf(spec),
    runbook: spec.alerting?.runbook ?? null,
    source: { file: doc.file, line: at.line, col: at.col },
  };
}
