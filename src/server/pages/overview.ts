// The overview at /: every SLO in one server-rendered table (filtered, sorted and searched in the browser by
// /assets/overview.js, so a thousand SLOs cost one request), and a strip with each region's weight and
// failover phase. An SLO that failed to evaluate shows its error in its row; the others are unaffected.
import type { Overview, OverviewRow } from '../overview-model.js';
import { SLO_STATES } from '../overview-model.js';
import { escapeHtml } from './html.js';
import { badge, isoTime, pct, renderPage, type Viewer } from './layout.js';

function budgetBar(remaining: number): string {
  const kind = remaining < 0 ? 'bad' : remaining < 0.25 ? 'warn' : '';
  // Overspent: the whole bar in red.
  const width = remaining < 0 ? 100 : Math.min(1, remaining) * 100;
  return `<span class="bar ${kind}"><span style="width:${width.toFixed(1)}%"></span></span>${pct(remaining, 1)}`;
}

const burn = (value: number | null) => (value === null ? '–' : value.toFixed(2));

function row(slo: OverviewRow): string {
  const href = `/slos/${encodeURIComponent(slo.name)}`;
  const search = `${slo.name} ${slo.squad} ${slo.service}`.toLowerCase();
  const data = [
    `data-name="${escapeHtml(slo.name)}"`,
    `data-squad="${escapeHtml(slo.squad)}"`,
    `data-service="${escapeHtml(slo.service)}"`,
    `data-state="${slo.state}"`,
    `data-budget="${slo.error === null ? slo.budgetRemaining : -1e9}"`,
    `data-burn1h="${slo.burn1h ?? 0}"`,
    `data-search="${escapeHtml(search)}"`,
  ].join(' ');
  if (slo.error !== null) {
    return `<tr ${data} class="error"><td><a href="${href}">${escapeHtml(slo.name)}</a></td><td>${escapeHtml(slo.squad)}</td><td>${escapeHtml(slo.service)}</td><td colspan="7" class="bad">Could not evaluate: ${escapeHtml(slo.error)}</td><td>${badge('error', 'bad')}</td></tr>`;
  }
  const state = slo.state === 'page' || slo.state === 'ticket' ? badge(slo.silenced ? `${slo.state} (silenced)` : slo.state, slo.silenced ? 'warn' : slo.state) : badge(slo.state === 'no_data' ? 'no data' : 'ok', slo.state === 'no_data' ? '' : 'ok');
  return `<tr ${data}><td><a href="${href}">${escapeHtml(slo.name)}</a></td><td>${escapeHtml(slo.squad)}</td><td>${escapeHtml(slo.service)}</td><td class="num">${pct(slo.objective, 3)}</td><td>${escapeHtml(slo.window)}</td><td>${escapeHtml(slo.indicator)}</td><td class="num">${pct(slo.sli, 4)}</td><td>${budgetBar(slo.budgetRemaining)}</td><td class="num">${burn(slo.burn1h)}</td><td class="num">${burn(slo.burn6h)}</td><td title="${escapeHtml(slo.firing.join(', '))}">${state}</td></tr>`;
}

function regionStrip(overview: Overview): string {
  if (overview.regions.length === 0) return '';
  const cards = overview.regions
    .map((r) => `<div class="region"><strong>${escapeHtml(r.name)}</strong>weight ${r.weight} of ${r.fullWeight} ${badge(r.phase)}${r.origin ? ` <span class="muted">(${escapeHtml(r.origin)})</span>` : ''}</div>`)
    .join('');
  const mode = overview.failover ? `<div class="region"><strong>Failover</strong>${escapeHtml(overview.failover.mode)}${overview.failover.paused ? ` ${badge('paused', 'warn')}` : ''}${overview.failover.onHold ? ` ${badge('on hold', 'bad')}` : ''}</div>` : '';
  return `<div class="regions" data-live="regions">${cards}${mode}</div>`;
}

function options(values: readonly string[], all: string): string {
  return [`<option value="">${all}</option>`, ...values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`)].join('');
}

export function renderOverview(overview: Overview, viewer: Viewer): string {
  const squads = [...new Set(overview.slos.map((s) => s.squad))].sort();
  const services = [...new Set(overview.slos.map((s) => s.service).filter((s) => s !== ''))].sort();
  const states = SLO_STATES.map((s) => `<option value="${s}">${s.replace('_', ' ')}</option>`).join('');
  const body = `
<h1>SLO overview</h1>
${regionStrip(overview)}
<form class="filters" id="slo-filters" role="search">
<label>Search<input type="search" name="q" placeholder="name, squad, service" autocomplete="off"></label>
<label>Squad<select name="squad">${options(squads, 'all squads')}</select></label>
<label>Service<select name="service">${options(services, 'all services')}</select></label>
<label>State<select name="state"><option value="">any state</option>${states}</select></label>
<label>Sort<select name="sort"><option value="budget">budget remaining (least first)</option><option value="burn1h">burn rate 1h (highest first)</option><option value="name">name</option><option value="squad">squad</option></select></label>
<span class="muted" id="slo-count">${overview.slos.length} SLOs</span>
</form>
<table id="slo-table">
<thead><tr><th>SLO</th><th>Squad</th><th>Service</th><th class="num">Objective</th><th>Window</th><th>SLI kind</th><th class="num">SLI</th><th>Budget remaining</th><th class="num">Burn 1h</th><th class="num">Burn 6h</th><th>State</th></tr></thead>
<tbody id="slo-rows" data-live="slo-rows">
${overview.slos.map(row).join('\n')}
</tbody>
</table>
<p class="muted" data-live="evaluated">Evaluated ${isoTime(overview.at)}. JSON: <a href="/api/v1/overview">/api/v1/overview</a></p>`;
  return renderPage({ title: 'SLO overview', nav: '/', viewer, body, scripts: ['overview.js'], liveSeconds: 15 });
}
