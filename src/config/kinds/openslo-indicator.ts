// OpenSLO indicators and alert policies mapped onto Vigil's: ratio metrics from the sources Vigil pulls,
// `bad` Prometheus selectors turned into good ones, the `Vigil` source type for probe SLIs, and inline
// burn-rate AlertConditions. What Vigil cannot pull still loads, fed by pushed events only.
import { z } from 'zod';
import { MINUTE_MS, parseDuration } from '../../lib/duration.js';
import { counterSelector, formatSelector, goodFromErrors, PromqlShapeError } from '../../lib/promql-selector.js';
import { fromDecimal } from '../../slo/math/rational.js';
import type { AlertWindowSpec, Indicator, RatioSource, Severity } from '../../slo/model.js';
import type { Problem } from '../problems.js';
import type { Path, YamlDocument } from '../yaml-document.js';

export const SOURCE_TYPES: Record<string, RatioSource> = {
  prometheus: 'prometheus',
  cloudmonitoring: 'cloud-monitoring',
  googlecloudmonitoring: 'cloud-monitoring',
  stackdriver: 'cloud-monitoring',
};

/** The source type `vigil export openslo` writes for probe and pushed-event SLIs. */
export const VIGIL_SOURCE_TYPE = 'Vigil';

export const metricSpec = z.strictObject({
  metricSource: z.strictObject({
    type: z.string().min(1),
    metricSourceRef: z.string().optional(),
    spec: z.record(z.string(), z.unknown()).default({}),
  }),
});

export type MetricSpec = z.output<typeof metricSpec>;

export const indicatorSpec = z
  .strictObject({
    ratioMetric: z
      .strictObject({
        counter: z.boolean().optional(),
        good: metricSpec.optional(),
        bad: metricSpec.optional(),
        total: metricSpec,
        rawType: z.unknown().optional(),
        raw: z.unknown().optional(),
      })
      .optional(),
    thresholdMetric: metricSpec.optional(),
  })
  .superRefine((spec, ctx) => {
    if ((spec.ratioMetric === undefined) === (spec.thresholdMetric === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of ratioMetric or thresholdMetric' });
    }
    const ratio = spec.ratioMetric;
    if (ratio && (ratio.good === undefined) === (ratio.bad === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ratioMetric'], message: 'needs exactly one of good or bad beside total' });
    }
  });

export type IndicatorSpec = z.output<typeof indicatorSpec>;

function queryOf(metric: MetricSpec): string | null {
  const { query, filter } = metric.metricSource.spec;
  if (typeof query === 'string' && query.length > 0) return query;
  if (typeof filter === 'string' && filter.length > 0) return filter;
  return null;
}

/** Where each SLO's counts come from, once the OpenSLO metric sources are read. */
export interface IndicatorContext {
  doc: YamlDocument;
  path: Path;
  problems: Problem[];
  regionLabel: string | null;
  vantageLabel: string | null;
  /** The objective's threshold (`op`, `value`) for a thresholdMetric. */
  threshold: { op?: string; value?: number };
}

function pushedOnly(ctx: IndicatorContext, at: Path, why: string): Indicator {
  ctx.problems.push(
    ctx.doc.problem(at, `${why}: Vigil cannot pull it, so only pushed events (POST /api/v1/events) will feed this SLO`, {
      severity: 'warning',
    }),
  );
  return { kind: 'events' };
}

function vigilIndicator(metric: MetricSpec, latencyMs: number | null, ctx: IndicatorContext, at: Path): Indicator | null {
  const { probe, events } = metric.metricSource.spec;
  if (typeof probe === 'string' && probe.length > 0) return { kind: 'probe', probe, latencyThresholdMs: latencyMs };
  if (events === true && latencyMs === null) return { kind: 'events' };
  ctx.problems.push(ctx.doc.problem([...at, 'metricSource', 'spec'], 'a Vigil metric source needs probe: NAME (or events: true for a ratio)'));
  return null;
}

function thresholdIndicator(metric: MetricSpec, ctx: IndicatorContext): Indicator | null {
  const at = [...ctx.path, 'thresholdMetric'];
  const { op, value } = ctx.threshold;
  if (metric.metricSource.type === VIGIL_SOURCE_TYPE) {
    if ((op !== 'lt' && op !== 'lte') || value === undefined || !Number.isInteger(value) || value < 1) {
      ctx.problems.push(ctx.doc.problem(at, 'a probe latency threshold needs an objective with op: lte (or lt) and value: whole milliseconds'));
      return null;
    }
    return vigilIndicator(metric, value, ctx, at);
  }
  return pushedOnly(ctx, at, `a thresholdMetric (latency threshold) from ${metric.metricSource.type}`);
}

/** Maps an indicator; null when it cannot be (problems say why). */
export function indicatorOf(spec: IndicatorSpec, ctx: IndicatorContext): Indicator | null {
  if (spec.thresholdMetric) return thresholdIndicator(spec.thresholdMetric, ctx);
  const ratio = spec.ratioMetric as NonNullable<IndicatorSpec['ratioMetric']>;
  const at = [...ctx.path, 'ratioMetric'];
  const part = (ratio.good ?? ratio.bad) as MetricSpec;
  const partKey = ratio.good ? 'good' : 'bad';
  const types = [part.metricSource.type, ratio.total.metricSource.type];
  if (types.every((t) => t === VIGIL_SOURCE_TYPE)) return vigilIndicator(ratio.total, null, ctx, [...at, 'total']);
  const sources = types.map((t) => SOURCE_TYPES[t.toLowerCase()]);
  if (sources.some((s) => s === undefined)) {
    const unknown = types.filter((t) => SOURCE_TYPES[t.toLowerCase()] === undefined);
    return pushedOnly(ctx, at, `metric source type ${[...new Set(unknown)].join(', ')} is not one Vigil pulls (Prometheus, CloudMonitoring)`);
  }
  if (sources[0] !== sources[1]) {
    ctx.problems.push(ctx.doc.problem(at, `${partKey} and total must come from the same source`));
    return null;
  }
  const source = sources[0] as RatioSource;
  const partQuery = queryOf(part);
  const totalQuery = queryOf(ratio.total);
  if (partQuery === null || totalQuery === null) {
    const missing = partQuery === null ? partKey : 'total';
    ctx.problems.push(ctx.doc.problem([...at, missing, 'metricSource', 'spec'], 'needs a query (Prometheus) or filter (Cloud Monitoring)'));
    return null;
  }
  const labels = { regionLabel: ctx.regionLabel, vantageLabel: ctx.vantageLabel };
  if (ratio.good) return { kind: 'ratio', source, good: partQuery, total: totalQuery, ...labels };
  if (source !== 'prometheus') {
    ctx.problems.push(ctx.doc.problem([...at, 'bad'], 'bad is only mapped for Prometheus counter selectors: give good and total'));
    return null;
  }
  try {
    const total = counterSelector(totalQuery);
    const good = goodFromErrors(counterSelector(partQuery), total);
    return { kind: 'ratio', source, good: formatSelector(good), total: formatSelector(total), ...labels };
  } catch (error) {
    if (!(error instanceof PromqlShapeError)) throw error;
    ctx.problems.push(ctx.doc.problem([...at, 'bad'], `bad cannot be turned into good = total − bad: ${error.message}`));
    return null;
  }
}

const PAGE_SEVERITIES = new Set(['page', 'critical', 'high', 'p1', 'sev1']);

const burnRateCondition = z.looseObject({
  kind: z.string(),
  op: z.string().optional(),
  threshold: z.number().positive(),
  lookbackWindow: z.string(),
  alertAfter: z.string().optional(),
});

const inlinePolicy = z.looseObject({
  kind: z.literal('AlertPolicy'),
  spec: z.looseObject({
    conditions: z.array(
      z.looseObject({ kind: z.literal('AlertCondition'), spec: z.looseObject({ severity: z.string(), condition: burnRateCondition }) }),
    ),
  }),
});

function wholeMinutes(text: string | undefined): number | null {
  if (text === undefined) return null;
  try {
    const ms = parseDuration(text);
    return ms >= MINUTE_MS && ms % MINUTE_MS === 0 ? ms / MINUTE_MS : null;
  } catch {
    return null;
  }
}

/**
 * Inline burn-rate alert policies as alert windows: lookbackWindow is the long window, alertAfter the short
 * one (a twelfth of the long one when absent, as the SRE workbook pairs them). Null: use Vigil's defaults.
 */
export function alertWindowsOf(policies: unknown[] | null | undefined, doc: YamlDocument, path: Path, problems: Problem[]): AlertWindowSpec[] | null {
  if (!policies || policies.length === 0) return null;
  const windows: AlertWindowSpec[] = [];
  for (const [i, policy] of policies.entries()) {
    const parsed = inlinePolicy.safeParse(policy);
    const conditions = parsed.success ? parsed.data.spec.conditions : [];
    const mapped = conditions.map((c) => {
      const long = wholeMinutes(c.spec.condition.lookbackWindow);
      const short = wholeMinutes(c.spec.condition.alertAfter) ?? (long === null ? null : Math.max(1, Math.round(long / 12)));
      if (c.spec.condition.kind.toLowerCase() !== 'burnrate' || long === null || short === null || short >= long) return null;
      const severity: Severity = PAGE_SEVERITIES.has(c.spec.severity.toLowerCase()) ? 'page' : 'ticket';
      return { severity, longMinutes: long, shortMinutes: short, threshold: { kind: 'burnRate', value: fromDecimal(c.spec.condition.threshold) } } as const;
    });
    if (!parsed.success || mapped.length === 0 || mapped.some((m) => m === null)) {
      problems.push(
        doc.problem([...path, i], 'this alert policy is not an inline burnrate AlertCondition with a lookbackWindow: Vigil alerts with its default burn-rate windows instead', {
          severity: 'warning',
        }),
      );
      return null;
    }
    windows.push(...(mapped as AlertWindowSpec[]));
  }
  return windows;
}
