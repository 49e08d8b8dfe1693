// Prometheus recording and multi-window burn-rate alert rules for SLOs with a Prometheus ratio SLI, under
// Sloth's rule and label names so that Sloth's dashboards and alert routes keep working.
import { stringify } from 'yaml';
import { counterSelector, formatSelector, PromqlShapeError } from '../lib/promql-selector.js';
import { alertThreshold } from '../slo/math/budget.js';
import { toNumber } from '../slo/math/rational.js';
import type { AlertWindowSpec, Severity, SloDefinition } from '../slo/model.js';

export interface RuleGroup {
  name: string;
  rules: Array<
    | { record: string; expr: string; labels: Record<string, string> }
    | { alert: string; expr: string; labels: Record<string, string>; annotations: Record<string, string> }
  >;
}

export interface SkippedSlo {
  slo: SloDefinition;
  reason: string;
}

/** Calendar periods have no PromQL equivalent: they are approximated by the rolling window Sloth would use. */
const CALENDAR_DAYS = { week: 7, month: 30, quarter: 90 } as const;

export function periodMinutesOf(def: SloDefinition): number {
  return def.window.kind === 'rolling' ? def.window.minutes : CALENDAR_DAYS[def.window.unit] * 1440;
}

/** A PromQL range in one unit, as Sloth names its windows: 5m, 30m, 1h, 6h, 1d, 30d. */
export function promDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** A number as PromQL reads it back exactly enough: at most 15 significant digits, no exponent surprises. */
function promNumber(value: number): string {
  return String(Number(value.toPrecision(15)));
}

function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** The SLO's `alertname` label when it is a valid alert name (kept by `vigil import sloth`), else NameErrorBudgetBurn. */
function alertNameOf(def: SloDefinition): string {
  const given = def.labels.alertname;
  return given && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(given) ? given : `${pascalCase(def.name)}ErrorBudgetBurn`;
}

export function slothId(def: SloDefinition): string {
  return `${def.service}-${def.name}`;
}

function sloLabels(def: SloDefinition): Record<string, string> {
  return { sloth_id: slothId(def), sloth_service: def.service, sloth_slo: def.name };
}

function matchSlo(def: SloDefinition): string {
  return `{sloth_id=${JSON.stringify(slothId(def))}, sloth_service=${JSON.stringify(def.service)}, sloth_slo=${JSON.stringify(def.name)}}`;
}

interface Queries {
  good: string;
  total: string;
  by: string;
}

function queriesOf(def: SloDefinition): Queries | string {
  if (def.indicator.kind !== 'ratio' || def.indicator.source !== 'prometheus') return 'its indicator is not a Prometheus ratio';
  try {
    const good = formatSelector(counterSelector(def.indicator.good));
    const total = formatSelector(counterSelector(def.indicator.total));
    return { good, total, by: def.indicator.regionLabel ? ` by (${def.indicator.regionLabel}) ` : '' };
  } catch (error) {
    if (error instanceof PromqlShapeError) return `indicator.ratio: ${error.message}`;
    throw error;
  }
}

function errorRatio(q: Queries, minutes: number): string {
  const range = promDuration(minutes);
  return `1 - (sum${q.by}(rate(${q.good}[${range}])) / sum${q.by}(rate(${q.total}[${range}])))`;
}

function alertExpr(def: SloDefinition, windows: AlertWindowSpec[], periodMinutes: number): string {
  const budget = promNumber(toNumber(def.budget));
  const clause = (minutes: number, threshold: string) =>
    `max(slo:sli_error:ratio_rate${promDuration(minutes)}${matchSlo(def)} >= (${threshold} * ${budget})) without (sloth_window)`;
  return windows
    .map((w) => {
      const threshold = promNumber(toNumber(alertThreshold(w, periodMinutes)));
      return `(\n  ${clause(w.longMinutes, threshold)}\n  and\n  ${clause(w.shortMinutes, threshold)}\n)`;
    })
    .join('\nor\n');
}

function groupsFor(def: SloDefinition, q: Queries): RuleGroup[] {
  const id = slothId(def);
  const labels = sloLabels(def);
  const periodMinutes = periodMinutesOf(def);
  const period = promDuration(periodMinutes);
  const windows = [...new Set([...def.alertWindows.flatMap((w) => [w.shortMinutes, w.longMinutes]), periodMinutes])].sort(
    (a, b) => a - b,
  );
  const sli: RuleGroup = {
    name: `sloth-slo-sli-recordings-${id}`,
    rules: windows.map((minutes) => ({
      record: `slo:sli_error:ratio_rate${promDuration(minutes)}`,
      expr: errorRatio(q, minutes),
      labels: { ...labels, sloth_window: promDuration(minutes) },
    })),
  };
  const shortest = promDuration(windows[0] as number);
  const meta: RuleGroup = {
    name: `sloth-slo-meta-recordings-${id}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${promNumber(def.objectiveValue)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(1 - ${promNumber(def.objectiveValue)})`, labels },
      { record: 'slo:time_period:days', expr: `vector(${promNumber(periodMinutes / 1440)})`, labels },
      {
        record: 'slo:current_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate${shortest}${matchSlo(def)}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${matchSlo(def)}`,
        labels,
      },
      {
        record: 'slo:period_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate${period}${matchSlo(def)}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${matchSlo(def)}`,
        labels,
      },
      { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${matchSlo(def)}`, labels },
      { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels, sloth_objective: promNumber(def.objectiveValue * 100) } },
    ],
  };
  const alerts: RuleGroup = { name: `sloth-slo-alerts-${id}`, rules: [] };
  for (const severity of ['page', 'ticket'] as const satisfies readonly Severity[]) {
    const mine = def.alertWindows.filter((w) => w.severity === severity);
    if (mine.length === 0) continue;
    alerts.rules.push({
      alert: alertNameOf(def),
      expr: alertExpr(def, mine, periodMinutes),
      labels: { sloth_severity: severity, severity, vigil_slo: def.name, squad: def.squad },
      annotations: {
        title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}}: the error budget burns too fast`,
        summary: `${def.name} (${promNumber(def.objectiveValue * 100)}% over ${period}) is burning its error budget at a ${severity}-level rate.`,
        ...(def.runbook ? { runbook_url: def.runbook } : {}),
      },
    });
  }
  return alerts.rules.length > 0 ? [sli, meta, alerts] : [sli, meta];
}

/** The rule groups of every Prometheus-ratio SLO, and why each other SLO was left out. */
export function prometheusRules(slos: readonly SloDefinition[]): { groups: RuleGroup[]; skipped: SkippedSlo[] } {
  const groups: RuleGroup[] = [];
  const skipped: SkippedSlo[] = [];
  for (const def of slos) {
    const queries = queriesOf(def);
    if (typeof queries === 'string') skipped.push({ slo: def, reason: queries });
    else groups.push(...groupsFor(def, queries));
  }
  return { groups, skipped };
}

export function formatRuleFile(groups: RuleGroup[]): string {
  const header = '# Generated by `vigil export prometheus-rules` from the SLO definitions: edit those, not this file.\n';
  return header + stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}
