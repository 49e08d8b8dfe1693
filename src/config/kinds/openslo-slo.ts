// OpenSLO v1 SLO documents, mapped onto the same model as Vigil's own. Files written for other tools
// load too: each of several objectives becomes its own SLO (NAME-OBJECTIVE), RatioTimeslices is counted
// as occurrences, and metric sources Vigil cannot pull leave the SLO fed by pushed events; each with a warning.
import { z } from 'zod';
import { MINUTE_MS, parseDuration } from '../../lib/duration.js';
import type { SloDefinition, SloWindow } from '../../slo/model.js';
import { minutes, rfc1123Label, timeZone } from '../fields.js';
import type { Problem } from '../problems.js';
import type { YamlDocument } from '../yaml-document.js';
import { alertWindowsOf, indicatorOf, indicatorSpec } from './openslo-indicator.js';
import { calendarWindow, defaultAlertWindows, isValidSliceMinutes, objectiveOf, timeslices } from './slo-fields.js';

const stringOrList = z.union([z.string(), z.array(z.string())]);

/** OpenSLO durations: a number and one of m, h, d, w, M, Q, Y. */
const OPENSLO_DURATION = /^(\d+)([mhdwMQY])$/;

export const openSloSchema = z.strictObject({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: rfc1123Label,
    displayName: z.string().optional(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), stringOrList).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .strictObject({
      description: z.string().optional(),
      service: z.string().min(1),
      indicatorRef: z.string().optional(),
      indicator: z
        .strictObject({ metadata: z.looseObject({ name: z.string().optional() }).optional(), spec: indicatorSpec })
        .optional(),
      budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
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
          z.looseObject({
            displayName: z.string().optional(),
            op: z.string().optional(),
            value: z.number().optional(),
            target: z.number().gt(0, 'must be a fraction in (0, 1)').lt(1, 'must be a fraction in (0, 1)').optional(),
            targetPercent: z.number().gt(0, 'must be in (0, 100)').lt(100, 'must be in (0, 100)').optional(),
            timeSliceTarget: z.number().gt(0).max(1).optional(),
            timeSliceWindow: z.string().optional(),
          }),
        )
        .min(1, 'must hold at least one objective'),
      // `alertPolicies:` with nothing under it is common in published examples: it means none.
      alertPolicies: z.array(z.unknown()).nullable().optional(),
    })
    .superRefine((spec, ctx) => {
      if (spec.indicator && spec.indicatorRef !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['indicatorRef'], message: 'give indicator or indicatorRef, not both' });
      } else if (spec.indicatorRef !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['indicatorRef'],
          message: 'refers to an SLI document that is not loaded: give the SLO and SLI files together',
        });
      } else if (!spec.indicator) {
        ctx.addIssue({ code: 'custom', message: 'needs an indicator (or an indicatorRef resolved by vigil import openslo)' });
      }
    }),
});

type OpenSlo = z.output<typeof openSloSchema>;
type Objective = OpenSlo['spec']['objectives'][number];

const SQUAD_LABELS = ['squad', 'team', 'owner'] as const;

function label(labels: OpenSlo['metadata']['labels'], key: string): string | undefined {
  const value = labels?.[key];
  return Array.isArray(value) ? value[0] : value;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Each objective's SLO name: the document's own for one objective, NAME-OBJECTIVE (or NAME-INDEX) for several. */
function objectiveNames(name: string, objectives: Objective[]): string[] {
  if (objectives.length === 1) return [name];
  const names = objectives.map((o, i) => {
    const candidate = `${name}-${slug(o.displayName ?? '') || i + 1}`;
    return rfc1123Label.safeParse(candidate).success ? candidate : `${name}-${i + 1}`;
  });
  return names.map((n, i) => (names.indexOf(n) === i ? n : `${name}-${i + 1}`));
}

function percentOf(objective: Objective): number | undefined {
  if (objective.targetPercent !== undefined) return objective.targetPercent;
  if (objective.target !== undefined) return Number((objective.target * 100).toPrecision(15));
  return undefined;
}

function budgetingOf(spec: OpenSlo['spec'], objective: Objective, at: number, doc: YamlDocument, problems: Problem[]): SloDefinition['budgeting'] | null {
  if (spec.budgetingMethod === 'Occurrences') return { method: 'occurrences' };
  if (spec.budgetingMethod === 'RatioTimeslices') {
    problems.push(
      doc.problem(['spec', 'budgetingMethod'], 'RatioTimeslices (the mean of per-slice ratios) is counted as Occurrences (summed good/total): the two differ when traffic is uneven', {
        severity: 'warning',
      }),
    );
    return { method: 'occurrences' };
  }
  const slice = sliceMinutes(objective.timeSliceWindow);
  if (slice === null || objective.timeSliceTarget === undefined) {
    problems.push(
      doc.problem(['spec', 'objectives', at], 'Timeslices needs timeSliceTarget and a timeSliceWindow of whole minutes that divides 1h (e.g. 1m, 5m)'),
    );
    return null;
  }
  return timeslices(slice, objective.timeSliceTarget);
}

/** Maps a schema-valid OpenSLO document to one definition per objective, reporting what has no equivalent. */
export function fromOpenSlo(slo: OpenSlo, doc: YamlDocument): { definitions: SloDefinition[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const { metadata, spec } = slo;
  const annotations = metadata.annotations ?? {};
  const squadKey = SQUAD_LABELS.find((key) => label(metadata.labels, key));
  let squad = squadKey ? label(metadata.labels, squadKey) : annotations['vigil/squad'];
  if (!squad) {
    squad = spec.service;
    problems.push(
      doc.problem(['metadata'], `OpenSLO SLO names no owning squad: set metadata.labels.squad; owned by squad "${squad}" (its service) until then`, {
        severity: 'warning',
      }),
    );
  }
  const window = windowOf(spec.timeWindow[0] as OpenSlo['spec']['timeWindow'][number], doc, problems);
  const names = objectiveNames(metadata.name, spec.objectives);
  if (names.length > 1) {
    problems.push(
      doc.problem(['spec', 'objectives'], `${names.length} objectives: Vigil tracks one per SLO, so this document loads as ${names.join(', ')}`, {
        severity: 'warning',
      }),
    );
  }
  const alertWindows = alertWindowsOf(spec.alertPolicies, doc, ['spec', 'alertPolicies'], problems) ?? defaultAlertWindows();
  const labels: Record<string, string> = {};
  for (const key of Object.keys(metadata.labels ?? {})) if (key !== squadKey) labels[key] = label(metadata.labels, key) ?? '';
  const regions = (annotations['vigil/regions'] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const at = doc.position(['metadata', 'name']);
  const definitions: SloDefinition[] = [];
  for (const [i, objective] of spec.objectives.entries()) {
    const before = problems.filter((p) => p.severity === 'error').length;
    const percent = percentOf(objective);
    if (percent === undefined) problems.push(doc.problem(['spec', 'objectives', i], 'objective needs target or targetPercent'));
    const budgeting = budgetingOf(spec, objective, i, doc, problems);
    const indicator = indicatorOf((spec.indicator as NonNullable<OpenSlo['spec']['indicator']>).spec, {
      doc,
      path: ['spec', 'indicator', 'spec'],
      problems,
      regionLabel: annotations['vigil/region-label'] ?? null,
      vantageLabel: annotations['vigil/vantage-label'] ?? null,
      threshold: { op: objective.op, value: objective.value },
    });
    const failed = problems.filter((p) => p.severity === 'error').length > before;
    if (failed || percent === undefined || !budgeting || !indicator || !window) continue;
    definitions.push({
      name: names[i] as string,
      squad,
      labels,
      service: spec.service,
      description: spec.description ?? metadata.displayName ?? '',
      ...objectiveOf(percent),
      window,
      budgeting,
      regions,
      indicator,
      alertWindows,
      runbook: annotations['vigil/runbook'] ?? null,
      source: { file: doc.file, line: at.line, col: at.col },
    });
  }
  // An indicator problem is reported once per objective; keep one of each.
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.line === p.line && q.col === p.col && q.message === p.message) === i);
  return { definitions: problems.some((p) => p.severity === 'error') ? [] : definitions, problems: unique };
}

function windowOf(tw: OpenSlo['spec']['timeWindow'][number], doc: YamlDocument, problems: Problem[]): SloWindow | null {
  const [, count, written] = OPENSLO_DURATION.exec(tw.duration) as RegExpExecArray;
  const path = ['spec', 'timeWindow', 0, 'duration'];
  let unit = written;
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
  if (count === '1' && unit === 'm') {
    // A calendar period of one minute is never meant: "1m" here is a month written in lowercase.
    problems.push(doc.problem(path, 'a calendar window of 1m (one minute) read as 1M (one month): write 1M', { severity: 'warning' }));
    unit = 'M';
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
