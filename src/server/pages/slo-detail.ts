// /slos/NAME: one SLO's numbers now (whole and per region), its charts over time (drawn in the browser by
// /assets/slo-detail.js from the history API, with alerts, failovers and drills marked), its alert history,
// the runbook rendered and the YAML it came from.
import type { WindowStatus } from '../../slo/evaluate.js';
import { longestPeriodMinutes } from '../../slo/math/windows.js';
import type { SloDefinition } from '../../slo/model.js';
import type { SloReport } from '../../slo/report-format.js';
import type { SloSourceStatus } from '../../slo/sources/puller.js';
import type { SloEventsJson } from '../slo-timeline.js';
import { escapeHtml } from './html.js';
import { badge, isoTime, pct, renderPage, type Viewer } from './layout.js';

export interface SloDetail {
  def: SloDefinition;
  /** When the report shown was evaluated. */
  at: string;
  status: SloReport['slos'][number] | null;
  events: SloEventsJson;
  warning: string | null;
  dataSince: string | null;
  vantages: readonly string[];
  /** The runbook's page (/runbooks/NAME) and its rendered HTML, when the SLO names one that exists. */
  runbook: { href: string; html: string } | null;
  yaml: { file: string; text: string } | null;
  /** The metric source a ratio SLO is pulled from, and how it is doing. */
  source: SloSourceStatus | null;
}

/** A failing or lagging metric source, said above the numbers: its minutes show as no data, not as good. */
function sourceNotices(source: SloSourceStatus | null): string {
  if (source === null) return '';
  const notices = source.warnings.map((w) => `<p class="notice">${escapeHtml(w)}</p>`);
  if (source.lastError !== null) {
    notices.unshift(
      `<p class="notice error">Reading ${escapeHtml(source.source)} failed${source.lastErrorAt ? ` at ${isoTime(source.lastErrorAt)}` : ''}: ${escapeHtml(source.lastError)}. Minutes it could not read show as no data; they are read again once it answers (${source.lastSuccessAt === null ? 'nothing read yet' : `read up to ${isoTime(source.completeBefore)}`}).</p>`,
    );
  }
  return notices.join('\n');
}

function statusRow(label: string, status: WindowStatus): string {
  const firing = status.alerts.filter((a) => a.firing);
  const burn = (w: string) => (status.burnRates[w] === undefined ? '–' : (status.burnRates[w] as number).toFixed(2));
  const alerts = firing.length === 0 ? badge('ok') : firing.map((a) => badge(`${a.severity} ${a.long}/${a.short}${a.silenced ? ' (silenced)' : ''}`, a.silenced ? 'warn' : a.severity)).join(' ');
  return `<tr><td>${escapeHtml(label)}</td><td class="num">${status.good}</td><td class="num">${status.total}</td><td class="num">${pct(status.sli, 4)}</td><td class="num">${pct(status.errorBudget.remaining, 2)}</td><td class="num">${burn('1h')}</td><td class="num">${burn('6h')}</td><td class="num">${burn('3d')}</td><td>${alerts}</td></tr>`;
}

function alertRows(events: SloEventsJson): string {
  if (events.alerts.length === 0) return '<p class="muted">No alerts fired in this window.</p>';
  const rows = [...events.alerts]
    .reverse()
    .map((a) => `<tr><td>${badge(a.severity)}</td><td>${escapeHtml(a.region ?? 'whole SLO')}</td><td>${isoTime(a.startedAt)}</td><td>${a.endedAt === null ? badge('firing', 'bad') : isoTime(a.endedAt)}</td><td>${escapeHtml(a.windows.join(', '))}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>Severity</th><th>Where</th><th>Started</th><th>Ended</th><th>Windows</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function changeRows(events: SloEventsJson): string {
  const rows = [
    ...events.failovers.map((f) => ({ t: f.ts, html: `<td>${isoTime(f.ts)}</td><td>${escapeHtml(f.action)} ${escapeHtml(f.region ?? '')}</td><td>${badge(f.outcome)}${f.rule ? ` ${escapeHtml(f.rule)}` : ''}</td><td>${escapeHtml(f.actor)}${f.onBehalfOf ? ` for ${escapeHtml(f.onBehalfOf)}` : ''}: ${escapeHtml(f.reason)}</td>` })),
    ...events.drills.map((d) => ({ t: d.startedAt ?? '', html: `<td>${isoTime(d.startedAt)}</td><td>drill <a href="/drills/${encodeURIComponent(d.drill)}/runs/${encodeURIComponent(d.run)}">${escapeHtml(d.drill)}</a> (${escapeHtml(d.region)})</td><td>${badge(d.state)}</td><td>ended ${isoTime(d.endedAt)}</td>` })),
  ].sort((a, b) => b.t.localeCompare(a.t));
  if (rows.length === 0) return '<p class="muted">No failovers or drills in this window.</p>';
  return `<table><thead><tr><th>When</th><th>What</th><th>Outcome</th><th>Who, why</th></tr></thead><tbody>${rows.map((r) => `<tr>${r.html}</tr>`).join('')}</tbody></table>`;
}

export function renderSloDetail(detail: SloDetail, viewer: Viewer): string {
  const { def, status } = detail;
  const regionOptions = ['<option value="">all regions</option>', ...def.regions.map((r) => `<option value="${escapeHtml(r)}">${escapeHtml(r)}</option>`)].join('');
  const vantageOptions = ['<option value="">all vantages</option>', ...detail.vantages.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`)].join('');
  const numbers =
    status === null
      ? '<p class="muted">Not evaluated yet.</p>'
      : status.error !== undefined
        ? `<p class="notice error">Could not evaluate: ${escapeHtml(status.error)}</p>`
        : `<table><thead><tr><th>Scope</th><th class="num">Good</th><th class="num">Total</th><th class="num">SLI</th><th class="num">Budget left</th><th class="num">Burn 1h</th><th class="num">Burn 6h</th><th class="num">Burn 3d</th><th>Alerts</th></tr></thead><tbody>${statusRow('whole SLO', status)}${Object.entries(status.regions)
            .map(([region, s]) => statusRow(region, s))
            .join('')}</tbody></table>`;
  const body = `
<h1>${escapeHtml(def.name)}</h1>
<p class="sub">${escapeHtml(def.description)}</p>
<div class="card"><dl class="facts">
<dt>Squad</dt><dd>${escapeHtml(def.squad)}</dd>
<dt>Service</dt><dd>${escapeHtml(def.service)}</dd>
<dt>Objective</dt><dd>${pct(def.objectiveValue, 3)} over ${escapeHtml(def.window.text)} (${escapeHtml(def.budgeting.method)})</dd>
<dt>SLI</dt><dd>${escapeHtml(def.indicator.kind)}${def.indicator.kind === 'ratio' ? ` from ${escapeHtml(def.indicator.source)}` : ''}</dd>
<dt>Regions</dt><dd>${escapeHtml(def.regions.join(', ') || '–')}</dd>
<dt>Data held since</dt><dd>${isoTime(detail.dataSince)}</dd>
<dt>Runbook</dt><dd>${detail.runbook ? `<a href="${escapeHtml(detail.runbook.href)}">${escapeHtml(def.runbook ?? '')}</a>` : escapeHtml(def.runbook ?? 'none')}</dd>
</dl></div>
${sourceNotices(detail.source)}
<p class="notice" id="history-warning"${detail.warning === null ? ' hidden' : ''}>${escapeHtml(detail.warning ?? '')}</p>
<section data-live="numbers"><h2>Now</h2>${numbers}<p class="muted">Evaluated ${isoTime(detail.at)}.</p></section>
<h2>Over time</h2>
<form class="filters" id="chart-controls">
<label>Span<select name="range"><option value="1440">1 day</option><option value="10080">7 days</option><option value="window" selected>the window (${escapeHtml(def.window.text)})</option></select></label>
<label>Region<select name="region">${regionOptions}</select></label>
<label>Vantage<select name="vantage">${vantageOptions}</select></label>
<button type="button" id="reset-zoom">Reset zoom</button>
<span class="legend-list"><span class="l-page">page alert</span><span class="l-ticket">ticket alert</span><span class="l-drill">drill</span><span class="l-failover">failover command</span></span>
</form>
<p class="muted" id="chart-status" aria-live="polite"></p>
<div id="slo-charts" data-slo="${escapeHtml(def.name)}" data-window-minutes="${longestPeriodMinutes(def)}"></div>
<h2>Alert history</h2>
${alertRows(detail.events)}
<h2>Failovers and drills</h2>
${changeRows(detail.events)}
<h2>Runbook</h2>
${detail.runbook ? `<div class="markdown">${detail.runbook.html}</div>` : '<p class="muted">This SLO names no runbook.</p>'}
<h2>Definition</h2>
${detail.yaml ? `<p class="muted">${escapeHtml(detail.yaml.file)}:${def.source.line}</p><pre class="yaml">${escapeHtml(detail.yaml.text)}</pre>` : `<p class="muted">${escapeHtml(def.source.file)}</p>`}`;
  return renderPage({ title: def.name, nav: '/', viewer, body, scripts: ['slo-detail.js'], classicScripts: ['uplot.js'], styles: ['uplot.css'], liveSeconds: 30 });
}
