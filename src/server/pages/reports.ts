// /reports: the weekly or monthly reliability report, overall and per squad, with CSV and Markdown downloads
// of the same numbers (/reports?format=csv|md and the same parameters) and a print style.
import type { PeriodReport } from '../../slo/period-report.js';
import { escapeHtml } from './html.js';
import { badge, isoTime, pct, renderPage, type Viewer } from './layout.js';

export interface ReportsView {
  report: PeriodReport;
  squads: readonly string[];
  /** The query as given (for the form and the download links). */
  query: { period: string; start: string; squad: string; timeZone: string };
  previousStart: string;
  nextStart: string;
}

function link(query: ReportsView['query'], changes: Partial<ReportsView['query']> & { format?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...changes })) if (v !== '' && !(k === 'timeZone' && v === 'UTC')) params.set(k, v);
  return `/reports?${params}`;
}

export function renderReports(view: ReportsView, viewer: Viewer): string {
  const { report, query } = view;
  const squadOptions = ['<option value="">all squads</option>', ...view.squads.map((s) => `<option value="${escapeHtml(s)}"${s === query.squad ? ' selected' : ''}>${escapeHtml(s)}</option>`)].join('');
  const squads = report.squads.map((s) => `<tr><td>${escapeHtml(s.squad)}</td><td class="num">${s.slos}</td><td class="num ok">${s.met}</td><td class="num${s.missed ? ' bad' : ''}">${s.missed}</td><td class="num">${s.noData}</td></tr>`).join('');
  const slos = report.slos
    .map(
      (s) =>
        `<tr><td><a href="/slos/${encodeURIComponent(s.name)}">${escapeHtml(s.name)}</a></td><td>${escapeHtml(s.squad)}</td><td class="num">${pct(s.objective, 3)}</td><td class="num">${pct(s.attainment, 4)}</td><td>${s.met === null ? badge('no data') : s.met ? badge('met', 'ok') : badge('missed', 'bad')}</td><td class="num">${s.budgetSpentPercent === null ? '–' : `${s.budgetSpentPercent}%`}</td><td class="num">${s.alertsFired} (${s.pagesFired})</td><td class="num">${s.minutesFiring}</td></tr>`,
    )
    .join('');
  const failovers = report.failovers.length === 0 ? '<p class="muted">None.</p>' : `<table><thead><tr><th>When</th><th>Command</th><th>Outcome</th><th>Actor</th><th>Reason</th></tr></thead><tbody>${report.failovers.map((f) => `<tr><td>${isoTime(f.ts)}</td><td>${escapeHtml(f.action)} ${escapeHtml(f.region ?? '')}</td><td>${badge(f.outcome)}${f.rule ? ` ${escapeHtml(f.rule)}` : ''}</td><td>${escapeHtml(f.actor)}</td><td>${escapeHtml(f.reason)}</td></tr>`).join('')}</tbody></table>`;
  const drills = report.drills.length === 0 ? '<p class="muted">None.</p>' : `<table><thead><tr><th>Drill</th><th>Run</th><th>Region</th><th>Outcome</th><th>Started</th><th>Ended</th></tr></thead><tbody>${report.drills.map((d) => `<tr><td>${escapeHtml(d.drill)}</td><td><a href="/drills/${encodeURIComponent(d.drill)}/runs/${encodeURIComponent(d.run)}">${escapeHtml(d.run)}</a></td><td>${escapeHtml(d.region)}</td><td>${badge(d.state)}${d.reason ? ` ${escapeHtml(d.reason)}` : ''}</td><td>${isoTime(d.startedAt)}</td><td>${isoTime(d.endedAt)}</td></tr>`).join('')}</tbody></table>`;
  const body = `
<h1>Reliability report: ${escapeHtml(report.period)} of ${escapeHtml(report.from.slice(0, 10))}${report.squad ? `, squad ${escapeHtml(report.squad)}` : ''}</h1>
<form class="filters" method="get" action="/reports">
<label>Period<select name="period"><option value="week"${query.period === 'week' ? ' selected' : ''}>week</option><option value="month"${query.period === 'month' ? ' selected' : ''}>month</option></select></label>
<label>Containing<input type="date" name="start" value="${escapeHtml(query.start)}"></label>
<label>Squad<select name="squad">${squadOptions}</select></label>
<label>Time zone<input name="timeZone" value="${escapeHtml(query.timeZone)}" size="16"></label>
<button type="submit" class="primary">Show</button>
<span class="actions"><a href="${escapeHtml(link(query, { start: view.previousStart }))}">← previous</a> <a href="${escapeHtml(link(query, { start: view.nextStart }))}">next →</a></span>
<span class="actions"><a id="download-csv" href="${escapeHtml(link(query, { format: 'csv' }))}">Download CSV</a> <a id="download-md" href="${escapeHtml(link(query, { format: 'md' }))}">Download Markdown</a></span>
</form>
<p class="sub">${isoTime(report.from)} to ${isoTime(report.to)} (${escapeHtml(report.timeZone)})${Date.parse(report.to) > Date.now() ? ', still running: the numbers so far' : ''}. <strong>${report.overall.met}</strong> of ${report.overall.slos} SLOs met their objective, <strong class="${report.overall.missed ? 'bad' : ''}">${report.overall.missed}</strong> missed it, ${report.overall.noData} had no data.</p>
<h2>Squads</h2>
<table id="report-squads"><thead><tr><th>Squad</th><th class="num">SLOs</th><th class="num">Met</th><th class="num">Missed</th><th class="num">No data</th></tr></thead><tbody>${squads}</tbody></table>
<h2>SLOs</h2>
<table id="report-slos"><thead><tr><th>SLO</th><th>Squad</th><th class="num">Objective</th><th class="num">Attainment</th><th>Met</th><th class="num">Budget spent</th><th class="num">Alerts (pages)</th><th class="num">Minutes firing</th></tr></thead><tbody>${slos}</tbody></table>
<h2>Failovers</h2>
${failovers}
<h2>Drills</h2>
${drills}`;
  return renderPage({ title: 'Reliability report', nav: '/reports', viewer, body });
}
