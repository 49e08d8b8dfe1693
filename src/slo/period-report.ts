// The weekly and monthly reliability report: each SLO's attainment over the period against its objective,
// the budget the period spent, the alerts it fired, and the failovers and drills in it; per squad and
// overall. Pure over counts the caller reads from the store; as JSON, CSV and Markdown.
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { toUnitSeries } from './event-report.js';
import type { Counts } from './math/budget.js';
import { toNumber } from './math/rational.js';
import { unitMinutes } from './math/windows.js';
import type { SloDefinition } from './model.js';

export const REPORT_PERIODS = ['week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** The week (Monday 00:00) or calendar month containing `at`, in `zone`. */
export function periodBounds(period: ReportPeriod, at: number, zone: string): { from: number; to: number } {
  const start = DateTime.fromMillis(at, { zone }).startOf(period === 'week' ? 'week' : 'month');
  return { from: start.toMillis(), to: start.plus(period === 'week' ? { weeks: 1 } : { months: 1 }).toMillis() };
}

const sloRowJson = z.object({
  name: z.string(),
  squad: z.string(),
  service: z.string(),
  /** The objective, e.g. 0.999. */
  objective: z.number(),
  good: z.number(),
  total: z.number(),
  /** good ÷ total over the period (units: events, or timeslices), null without data. */
  attainment: z.number().nullable(),
  met: z.boolean().nullable(),
  /** Bad units over the period's error budget (1 − objective of its total), in %. */
  budgetSpentPercent: z.number().nullable(),
  alertsFired: z.number(),
  pagesFired: z.number(),
  minutesFiring: z.number(),
});

export const periodReportJson = z.object({
  period: z.enum(REPORT_PERIODS),
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  squad: z.string().nullable(),
  overall: z.object({ slos: z.number(), met: z.number(), missed: z.number(), noData: z.number() }),
  squads: z.array(z.object({ squad: z.string(), slos: z.number(), met: z.number(), missed: z.number(), noData: z.number() })),
  slos: z.array(sloRowJson),
  failovers: z.array(z.object({ ts: z.string(), action: z.string(), region: z.string().nullable(), outcome: z.string(), rule: z.string().nullable(), actor: z.string(), reason: z.string() })),
  drills: z.array(z.object({ drill: z.string(), run: z.string(), region: z.string(), state: z.string(), startedAt: z.string().nullable(), endedAt: z.string().nullable(), reason: z.string().nullable() })),
});

export type PeriodReport = z.output<typeof periodReportJson>;
export type SloPeriodRow = z.output<typeof sloRowJson>;

export interface PeriodInputs {
  period: ReportPeriod;
  timeZone: string;
  from: number;
  to: number;
  squad: string | null;
  /** When the report is read: an alert still firing counts up to now, not to the end of a running period. */
  now: number;
  definitions: readonly SloDefinition[];
  /** Units (events or timeslices) per SLO over the period. */
  counts: ReadonlyMap<string, Counts>;
  alerts: ReadonlyArray<{ slo: string; severity: string; startedAt: number; endedAt: number | null }>;
  failovers: PeriodReport['failovers'];
  drills: PeriodReport['drills'];
}

/**
 * An SLO's units (events, or its timeslices) over [from, to), from its minute counts (keyed by minute
 * number). A timeslice that straddles an edge of the period is left out, so no slice counts in two periods.
 */
export function periodCounts(def: SloDefinition, minutes: ReadonlyMap<number, Counts>, from: number, to: number): Counts {
  const unitMs = unitMinutes(def) * 60_000;
  return toUnitSeries(def, minutes).sum(Math.ceil(from / unitMs), Math.floor(to / unitMs) - 1);
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function periodReport(inputs: PeriodInputs): PeriodReport {
  const { from, to } = inputs;
  const defs = inputs.definitions.filter((d) => inputs.squad === null || d.squad === inputs.squad);
  const slos = defs.map((def): SloPeriodRow => {
    const counts = inputs.counts.get(def.name) ?? { good: 0, total: 0 };
    const alerts = inputs.alerts.filter((a) => a.slo === def.name);
    const minutesFiring = alerts.reduce((sum, a) => sum + (Math.min(a.endedAt ?? inputs.now, to) - Math.max(a.startedAt, from)) / 60_000, 0);
    const attainment = counts.total === 0 ? null : counts.good / counts.total;
    const allowed = toNumber(def.budget) * counts.total;
    return {
      name: def.name,
      squad: def.squad,
      service: def.service,
      objective: def.objectiveValue,
      good: counts.good,
      total: counts.total,
      attainment: attainment === null ? null : round(attainment, 6),
      // Compared as counts, not rounded ratios: met when bad ≤ budget × total.
      met: counts.total === 0 ? null : counts.total - counts.good <= allowed + 1e-9 * Math.max(1, allowed),
      budgetSpentPercent: allowed <= 0 ? null : round(((counts.total - counts.good) / allowed) * 100, 3),
      alertsFired: alerts.length,
      pagesFired: alerts.filter((a) => a.severity === 'page').length,
      minutesFiring: Math.round(Math.max(0, minutesFiring)),
    };
  });
  const tally = (rows: readonly SloPeriodRow[]) => ({
    slos: rows.length,
    met: rows.filter((r) => r.met === true).length,
    missed: rows.filter((r) => r.met === false).length,
    noData: rows.filter((r) => r.met === null).length,
  });
  const squads = [...new Set(slos.map((s) => s.squad))].sort().map((squad) => ({ squad, ...tally(slos.filter((s) => s.squad === squad)) }));
  return {
    period: inputs.period,
    timeZone: inputs.timeZone,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    squad: inputs.squad,
    overall: tally(slos),
    squads,
    slos,
    failovers: inputs.failovers,
    drills: inputs.drills,
  };
}

const percent = (value: number | null, digits = 3) => (value === null ? '' : (value * 100).toFixed(digits));

export function reportCsv(report: PeriodReport): string {
  const header = ['period_from', 'period_to', 'slo', 'squad', 'service', 'objective_percent', 'attainment_percent', 'met', 'good', 'total', 'budget_spent_percent', 'alerts_fired', 'pages_fired', 'minutes_firing'];
  const rows = report.slos.map((s) => [report.from, report.to, s.name, s.squad, s.service, percent(s.objective), percent(s.attainment, 4), s.met === null ? '' : String(s.met), s.good, s.total, s.budgetSpentPercent ?? '', s.alertsFired, s.pagesFired, s.minutesFiring]);
  return stringify([header, ...rows]);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(report: PeriodReport): string {
  const lines = [
    `# Reliability report: ${report.period} of ${report.from.slice(0, 10)}${report.squad ? `, squad ${cell(report.squad)}` : ''}`,
    '',
    `${report.from} to ${report.to} (${report.timeZone}). ${report.overall.met} of ${report.overall.slos} SLOs met their objective, ${report.overall.missed} missed it, ${report.overall.noData} had no data.`,
    '',
    '## Squads',
    '',
    '| Squad | SLOs | Met | Missed | No data |',
    '| --- | --- | --- | --- | --- |',
    ...report.squads.map((s) => `| ${cell(s.squad)} | ${s.slos} | ${s.met} | ${s.missed} | ${s.noData} |`),
    '',
    '## SLOs',
    '',
    '| SLO | Squad | Objective | Attainment | Met | Budget spent | Alerts (pages) | Minutes firing |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.slos.map(
      (s) =>
        `| ${cell(s.name)} | ${cell(s.squad)} | ${percent(s.objective)}% | ${s.attainment === null ? '–' : `${percent(s.attainment, 4)}%`} | ${s.met === null ? '–' : s.met ? 'yes' : '**no**'} | ${s.budgetSpentPercent === null ? '–' : `${s.budgetSpentPercent}%`} | ${s.alertsFired} (${s.pagesFired}) | ${s.minutesFiring} |`,
    ),
    '',
    '## Failovers',
    '',
    ...(report.failovers.length === 0 ? ['None.'] : report.failovers.map((f) => `- ${f.ts} ${f.action} ${f.region ?? 'all'} (${f.outcome}${f.rule ? `: ${f.rule}` : ''}) by ${cell(f.actor)}: ${cell(f.reason)}`)),
    '',
    '## Drills',
    '',
    ...(report.drills.length === 0 ? ['None.'] : report.drills.map((d) => `- ${d.drill} ${d.run} (${d.region}): ${d.state}${d.reason ? `, ${cell(d.reason)}` : ''}`)),
    '',
  ];
  return lines.join('\n');
}
