// SLO statuses as the JSON document of `vigil report` and /api/v1/slos, or as a table for people.
import type { SloStatus, WindowStatus } from './evaluate.js';

export interface SloReport {
  at: string;
  slos: SloStatus[];
}

export const REPORT_FORMATS = ['json', 'table', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function reportDocument(atMs: number, slos: SloStatus[]): SloReport {
  return { at: new Date(atMs).toISOString(), slos };
}

function percent(value: number | null, digits: number): string {
  return value === null ? '-' : `${(value * 100).toFixed(digits)}%`;
}

function rate(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(2);
}

function firing(status: WindowStatus): string {
  const alerts = status.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long}/${a.short}`);
  return alerts.length ? alerts.join(', ') : '-';
}

const HEADER = ['SLO', 'SQUAD', 'OBJECTIVE', 'WINDOW', 'SLI', 'BUDGET LEFT', 'BURN 1h', 'BURN 6h', 'BURN 3d', 'FIRING'];

function row(name: string, squad: string, s: WindowStatus): string[] {
  return [
    name,
    squad,
    percent(s.objective, 3),
    s.window,
    percent(s.sli, 4),
    percent(s.errorBudget.remaining, 1),
    rate(s.burnRates['1h']),
    rate(s.burnRates['6h']),
    rate(s.burnRates['3d']),
    firing(s),
  ];
}

function rows(report: SloReport): string[][] {
  return report.slos.flatMap((slo) => [
    row(slo.name, slo.squad, slo),
    ...Object.entries(slo.regions).map(([region, status]) => row(`  ${region}`, '', status)),
  ]);
}

export function formatTable(report: SloReport): string {
  const all = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines = all.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return `SLO report at ${report.at}\n\n${lines.join('\n')}\n`;
}

export function formatMarkdown(report: SloReport): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const body = rows(report).map((r) => line(r.map((cell, i) => (i === 0 && cell.startsWith('  ') ? `↳ ${cell.trim()}` : cell))));
  return [`## SLO report at ${report.at}`, '', line(HEADER), line(HEADER.map(() => '---')), ...body, ''].join('\n');
}

export function formatReport(report: SloReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return formatMarkdown(report);
  return formatTable(report);
}
