// OpenSLO v1 SLO documents, mapped onto the same model as Vigil's own: one objective, one time window,
// an inline ratioMetric indicator from Prometheus or Cloud Monitoring.
import { z } from 'zod';
import { MINUTE_MS, parseDuration } from '../../lib/duration.js';
import type { RatioSource, SloDefinition, SloWindow } from '../../slo/model.js';
import { minutes, rfc1123Label, timeZone } from '../fields.js';
import type { Problem } from '../problems.js';
import type { YamlDocument } from '../yaml-document.js';
import {
  calendarWindow,
  defaultAlertWindows,
  isValidSliceMinutes,
  objectiveOf,
  timeslices,
} from './slo-fields.js';

const SOURCE_TYPES: Record<string, RatioSource> = {
  prometheus: 'prometheus',
  cloudmonitoring: 'cloud-monitoring',
  googlecloudmonitoring: 'cloud-monitoring',
  stackdriver: 'cloud-monitoring',
};

const metricSpec = z.strictObject({
  metricSource: z.strictObject({
    type: z.string().refine((t) => t.toLowerCase() in SOURCE_TYPES, {
      message: 'is not a supported metric source (supported: Prometheus, CloudMonitoring)',
    }),
    metricSourceRef: z.string().optional(),
    spec: z.looseObject({ query: z.string().min(1).optional(), filter: z.string().min(1).optional() }).refine(
      (s) => s.query !== undefined || s.filter !== undefined,
      { message: 'needs a query (Prometheus) or filter (Cloud Monitoring)' },
    ),
  }),
});

const stringOrList = z.union([z.string(), z.array(z.string())]);

/** OpenSLO durations: a number and one of m, h, d, w, M, Q, Y. */
const OPENSLO_DURATION = /^(\d+)([mhdwMQY])$/;

export const openSloSchema = z.strictObject({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: rfc1123Label,
    displayName: z.string().optional(),
    labels: z.record(z.string(), stringOrList).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    description: z.string().optional(),
    service: z.string().min(1),
    indicatorRef: z
      .string()
      .optional()
      .refine((ref) => ref === undefined, { message: 'is not supported: inline the indicator under spec.indicator' }),
    indicator: z.strictObject({
      metadata: z.looseObject({ name: z.string().optional() }).optional(),
      spec: z.strictObject({
        ratioMetric: z.strictObject({
          counter: z.boolean().optional(),
          good: metricSpec,
          total: metricSpec,
          bad: z.unknown().refine((v) => v === undefined, { message: 'is not supported: give good and total' }).optional(),
        }),
      }),
    }),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']).refine((m) => m !== 'RatioTimeslices', {
      message: 'RatioTimeslices is not supported: use Occurrences or Timeslices',
    }),
    timeWindow: z
      .array(
        z.strictObject({
          duration: z.string().regex(OPENSLO_DURATION, { message: 'must be a number and one of m, h, d, w, M, Q, Y' }),
          isRolling: z.boolean(),
          calendar: z.strictObject({ startTime: z.string().optional(), timeZone: timeZone.optional() }).optional(),
        }),
      )
      .length(1, 'must hold exactly one time window'),
    objectives: z
      .array(
        z.strictObject({
          displayName: z.string().optional(),
          op: z.string().optional(),
          value: z.number().optional(),
          target: z.number().gt(0, 'must be a fraction in (0, 1)').lt(1, 'must be a fraction in (0, 1)').optional(),
          targetPercent: z.number().gt(0, 'must be in (0, 100)').lt(100, 'must be in (0, 100)').optional(),
          timeSliceTarget: z.number().gt(0).max(1).optional(),
          timeSliceWindow: z.string().optional(),
        }),
      )
      .length(1, 'must hold exactly one objective: Vigil tracks one objective per SLO, split the others into their own SLOs'),
    alertPolicies: z.array(z.unknown()).optional(),
  }),
});

type OpenSlo = z.output<typeof openSloSchema>;

function label(labels: OpenSlo['metadata']['labels'], key: string): string | undefined {
  const value = labels?.[key];
  return Array.isArray(value) ? value[0] : value;
}

function sourceOf(spec: z.output<typeof metricSpec>): { source: RatioSource; query: string } {
  const { type, spec: params } = spec.metricSource;
  return { source: SOURCE_TYPES[type.toLowerCase()] as RatioSource, query: params.query ?? params.filter ?? '' };
}

/** Maps a schema-valid OpenSLO document, reporting what has no equivalent in Vigil's model. */
export function fromOpenSlo(slo: OpenSlo, doc: YamlDocument): { definition: SloDefinition | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const { metadata, spec } = slo;
  const squad = label(metadata.labels, 'squad') ?? label(metadata.labels, 'team') ?? metadata.annotations?.['vigil/squad'];
  if (!squad) problems.push(doc.problem(['metadata'], 'OpenSLO SLO needs an owning squad: set metadata.labels.squad'));

  const objective = spec.objectives[0] as OpenSlo['spec']['objectives'][number];
  let percent = objective.targetPercent;
  if (percent === undefined && objective.target !== undefined) percent = Number((objective.target * 100).toPrecision(15));
  if (percent === undefined) problems.push(doc.problem(['spec', 'objectives', 0], 'objective needs target or targetPercent'));

  const window = windowOf(spec.timeWindow[0] as OpenSlo['spec']['timeWindow'][number], doc, problems);

  let budgeting: SloDefinition['budgeting'] = { method: 'occurrences' };
  if (spec.budgetingMethod === 'Timeslices') {
    const slice = sliceMinutes(objective.timeSliceWindow);
    if (slice === null || objective.timeSliceTarget === undefined) {
      problems.push(
        doc.problem(
          ['spec', 'objectives', 0],
          'Timeslices needs timeSliceTarget and a timeSliceWindow of whole minutes that divides 1h (e.g. 1m, 5m)',
        ),
      );
    } else budgeting = timeslices(slice, objective.timeSliceTarget);
  }

  const good = sourceOf(spec.indicator.spec.ratioMetric.good);
  const total = sourceOf(spec.indicator.spec.ratioMetric.total);
  if (good.source !== total.source) {
    problems.push(doc.problem(['spec', 'indicator', 'spec', 'ratioMetric'], 'good and total must come from the same source'));
  }
  if (spec.alertPolicies?.length) {
    problems.push(
      doc.problem(['spec', 'alertPolicies'], 'alertPolicies are ignored: Vigil alerts with its default burn-rate windows', {
        severity: 'warning',
      }),
    );
  }
  if (problems.some((p) => p.severity === 'error') || !squad || percent === undefined || !window) {
    return { definition: null, problems };
  }
  const at = doc.position(['metadata', 'name']);
  const labels: Record<string, string> = {};
  for (const key of Object.keys(metadata.labels ?? {})) labels[key] = label(metadata.labels, key) ?? '';
  return {
    definition: {
      name: metadata.name,
      squad,
      labels,
      service: spec.service,
      description: spec.description ?? metadata.displayName ?? '',
      ...objectiveOf(percent),
      window,
      budgeting,
      regions: [],
      indicator: { kind: 'ratio', source: good.source, good: good.query, total: total.query, regionLabel: null, vantageLabel: null },
      alertWindows: defaultAlertWindows(),
      runbook: metadata.annotations?.['vigil/runbook'] ?? null,
      source: { file: doc.file, line: at.line, col: at.col },
    },
    problems,
  };
}

function windowOf(
  tw: OpenSlo['spec']['timeWindow'][number],
  doc: YamlDocument,
  problems: Problem[],
): SloWindow | null {
  const [, count, unit] = OPENSLO_DURATION.exec(tw.duration) as RegExpExecArray;
  const path = ['spec', 'timeWindow', 0, 'duration'];
  if (tw.isRolling) {
    if (unit === 'M' || unit === 'Q' || unit === 'Y') {
      problems.push(doc.problem(path, `a rolling window must be in m, h, d or w (e.g. 28d), got ${tw.duration}`));
      return null;
    }
    // The native format's rule for a rolling window: whole minutes, at least one, within range.
    const parsed = minutes().safeParse(tw.duration);
    if (!parsed.success) {
      problems.push(doc.problem(path, parsed.error.issues.map((issue) => issue.message).join('; ')));
      return null;
    }
    return { kind: 'rolling', minutes: parsed.data, text: tw.duration };
  }
  const calendarUnit = count === '1' ? ({ w: 'week', M: 'month', Q: 'quarter' } as const)[unit as 'w'] : undefined;
  if (!calendarUnit) {
    problems.push(doc.problem(path, `a calendar window must be 1w, 1M or 1Q, got ${tw.duration}`));
    return null;
  }
  return calendarWindow(calendarUnit, tw.calendar?.timeZone);
}

function sliceMinutes(text: string | undefined): number | null {
  if (text === undefined || !/^\d+[mh]$/.test(text)) return null;
  const mins = parseDuration(text) / MINUTE_MS;
  return isValidSliceMinutes(mins) ? mins : null;
}
