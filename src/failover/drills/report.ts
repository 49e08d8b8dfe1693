// What a drill run is judged by and reported as: time to drain and to restore, error budget spent during
// the run, the objectives against their limits. Pure; the runner supplies the budget from the minute buckets.
import type { DrillReport } from './api-json.js';
import type { DrillOutcome, DrillRun } from './run.js';
import { isOutcome } from './run.js';
import { type DrillSpec, OBJECTIVE_NAMES } from './schema.js';

export interface BudgetSpent {
  slo: string;
  region: string;
  /** Share of the SLO's error budget (over its window at the end of the run) that the run's minutes used, in %. */
  percent: number;
}

export interface ObjectiveResult {
  name: (typeof OBJECTIVE_NAMES)[number];
  limit: number;
  /** Null when the run never got there (it was skipped, or aborted before the region drained). */
  value: number | null;
  passed: boolean | null;
}

export interface AuditRef {
  id: number;
  ts: string;
  actor: string;
  action: string;
  outcome: string;
  reason: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.round((to - from) / 100) / 10);

/** From the drain command to the region's weight reaching 0. */
export const drainSeconds = (run: DrillRun): number | null => seconds(run.startedAt, run.drainedAt);
/** From the first restore step to full weight. */
export const restoreSeconds = (run: DrillRun): number | null => seconds(run.restoreStartedAt, run.restoredAt);

export function objectiveResults(run: DrillRun, drill: DrillSpec, budget: readonly BudgetSpent[]): ObjectiveResult[] {
  const worstBudget = run.startedAt === null ? null : budget.reduce((max, b) => Math.max(max, b.percent), 0);
  const values: Record<ObjectiveResult['name'], number | null> = {
    maxDrainSeconds: drainSeconds(run),
    maxRestoreSeconds: restoreSeconds(run),
    maxBudgetSpentPercent: worstBudget,
  };
  return OBJECTIVE_NAMES.flatMap((name) => {
    const limit = drill.objectives[name];
    if (limit === undefined) return [];
    const value = values[name];
    return [{ name, limit, value, passed: value === null ? null : value <= limit }];
  });
}

/** A run that restored cleanly passes unless an objective was missed; the other outcomes stand. */
export function judge(run: DrillRun, drill: DrillSpec, budget: readonly BudgetSpent[]): { outcome: DrillOutcome; reason: string } | null {
  if (run.state !== 'passed') return null;
  const missed = objectiveResults(run, drill, budget).filter((o) => o.passed === false);
  if (missed.length === 0) return { outcome: 'passed', reason: 'drained, held and restored within every objective' };
  return { outcome: 'failed', reason: `missed ${missed.map((o) => `${o.name} (${o.value} > ${o.limit})`).join(', ')}` };
}

export function drillReport(run: DrillRun, drill: DrillSpec, budget: readonly BudgetSpent[], audit: readonly AuditRef[]): DrillReport {
  return {
    drill: run.drill,
    run: run.id,
    region: run.region,
    state: run.state,
    outcome: isOutcome(run.state) ? run.state : null,
    reason: run.reason,
    scheduledFor: iso(run.scheduledFor),
    requestedBy: run.requestedBy,
    approvedBy: run.approvedBy,
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    drainSeconds: drainSeconds(run),
    restoreSeconds: restoreSeconds(run),
    timeline: run.timeline.map((e) => ({ t: new Date(e.t).toISOString(), state: e.state, weights: e.weights, detail: e.detail })),
    budgetSpent: [...budget],
    receivingBurnRates: Object.entries(run.receivingBurn).flatMap(([slo, regions]) => Object.entries(regions).map(([region, burnRates]) => ({ slo, region, burnRates }))),
    objectives: objectiveResults(run, drill, budget),
    runbook: drill.runbook ?? null,
    audit: [...audit],
  };
}

export const REPORT_FORMATS = ['json', 'markdown', 'table'] as const;
export type DrillReportFormat = (typeof REPORT_FORMATS)[number];

const shown = (value: number | null, unit = '') => (value === null ? '–' : `${value}${unit}`);
const weightsText = (weights: Record<string, number>) =>
  Object.entries(weights)
    .map(([r, w]) => `${r}=${w}`)
    .join(' ');

export function formatDrillReport(report: DrillReport, format: DrillReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const md = format === 'markdown';
  const lines: string[] = [];
  const heading = (text: string) => lines.push(md ? `\n## ${text}\n` : `\n${text.toUpperCase()}`);
  lines.push(md ? `# Drill ${report.drill}, run ${report.run}` : `drill ${report.drill}  run ${report.run}`);
  lines.push(
    `${md ? '- **Outcome:** ' : 'outcome: '}${report.outcome ?? `in progress (${report.state})`}${report.reason ? ` (${report.reason})` : ''}`,
    `${md ? '- **Region:** ' : 'region: '}${report.region}`,
    `${md ? '- **Scheduled for:** ' : 'scheduled for: '}${report.scheduledFor ?? 'on demand'}; requested by ${report.requestedBy}; approved by ${report.approvedBy ?? '–'}`,
    `${md ? '- **Started / ended:** ' : 'started / ended: '}${report.startedAt ?? '–'} / ${report.endedAt ?? '–'}`,
    `${md ? '- **Time to drain / restore:** ' : 'time to drain / restore: '}${shown(report.drainSeconds, ' s')} / ${shown(report.restoreSeconds, ' s')}`,
  );
  if (report.runbook) lines.push(`${md ? '- **Runbook:** ' : 'runbook: '}${md ? `[${report.runbook}](${report.runbook})` : report.runbook}`);
  heading('Objectives');
  if (report.objectives.length === 0) lines.push('(none declared)');
  if (md && report.objectives.length > 0) lines.push('| Objective | Limit | Value | Passed |', '| --- | --- | --- | --- |');
  for (const o of report.objectives) {
    const passed = o.passed === null ? '–' : o.passed ? 'yes' : 'NO';
    lines.push(md ? `| ${o.name} | ${o.limit} | ${shown(o.value)} | ${passed} |` : `${o.name.padEnd(24)}${String(o.limit).padStart(8)}${shown(o.value).padStart(10)}  ${passed}`);
  }
  heading('Error budget spent during the run');
  if (report.budgetSpent.length === 0) lines.push('(nothing measured)');
  if (md && report.budgetSpent.length > 0) lines.push('| SLO | Region | Budget spent |', '| --- | --- | --- |');
  for (const b of report.budgetSpent) lines.push(md ? `| ${b.slo} | ${b.region} | ${b.percent}% |` : `${b.slo.padEnd(32)}${b.region.padEnd(16)}${`${b.percent}%`.padStart(10)}`);
  heading('Burn rates seen in the receiving regions (highest)');
  if (report.receivingBurnRates.length === 0) lines.push('(none)');
  for (const r of report.receivingBurnRates) lines.push(`${md ? '- ' : ''}${r.slo} ${r.region}: ${Object.entries(r.burnRates).map(([w, v]) => `${w} ${v}`).join(', ')}`);
  heading('Timeline');
  if (md) lines.push('| Time | State | Weights | Detail |', '| --- | --- | --- | --- |');
  for (const e of report.timeline) lines.push(md ? `| ${e.t} | ${e.state} | ${weightsText(e.weights)} | ${e.detail} |` : `${e.t}  ${e.state.padEnd(18)}${weightsText(e.weights).padEnd(44)}${e.detail}`);
  heading('Audit entries');
  if (report.audit.length === 0) lines.push('(none)');
  for (const a of report.audit) lines.push(`${md ? '- ' : ''}#${a.id} ${a.ts} ${a.actor} ${a.action} ${a.outcome}: ${a.reason}`);
  return `${lines.join('\n')}\n`;
}
