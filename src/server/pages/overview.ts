// The plain HTML overview at /: one row per SLO (and per region), rendered on the server.
import type { WindowStatus } from '../../slo/evaluate.js';
import type { SloReport } from '../../slo/report-format.js';
import { escapeHtml } from './html.js';

/** Who is looking, for the page's header: a session can sign out, and its CSRF token goes to the page's script. */
export interface Viewer {
  name: string;
  roles: readonly string[];
  csrfToken: string | null;
}


function pct(value: number | null, digits: number): string {
  return value === null ? '–' : `${(value * 100).toFixed(digits)}%`;
}

function cells(status: WindowStatus): string {
  const firing = status.alerts.filter((a) => a.firing);
  const budgetClass = status.errorBudget.remaining < 0 ? 'bad' : status.errorBudget.remaining < 0.25 ? 'warn' : 'ok';
  return [
    `<td>${pct(status.objective, 3)}</td>`,
    `<td>${escapeHtml(status.window)}</td>`,
    `<td>${pct(status.sli, 4)}</td>`,
    `<td class="${budgetClass}">${pct(status.errorBudget.remaining, 1)}</td>`,
    `<td>${(status.burnRates['1h'] ?? 0).toFixed(2)}</td>`,
    `<td>${(status.burnRates['6h'] ?? 0).toFixed(2)}</td>`,
    `<td>${(status.burnRates['3d'] ?? 0).toFixed(2)}</td>`,
    `<td class="${firing.length ? 'bad' : ''}">${firing.map((a) => escapeHtml(`${a.severity} ${a.long}/${a.short}${a.silenced ? ` (silenced by ${a.silenced.by} until ${a.silenced.until})` : ''}`)).join('<br>') || '–'}</td>`,
  ].join('');
}

function header(viewer: Viewer): string {
  const signOut = viewer.csrfToken === null ? '' : ' <button id="sign-out" type="button">Sign out</button>';
  return `<p class="who">${escapeHtml(viewer.name)} (${escapeHtml(viewer.roles.join(', '))})${signOut}</p>`;
}

export function renderOverview(report: SloReport, viewer: Viewer): string {
  const rows = report.slos
    .map((slo) => {
      const regions = Object.entries(slo.regions)
        .map(([region, status]) => `<tr class="region"><td>↳ ${escapeHtml(region)}</td><td></td>${cells(status)}</tr>`)
        .join('');
      return `<tr><td><a href="/api/v1/slos/${encodeURIComponent(slo.name)}">${escapeHtml(slo.name)}</a></td><td>${escapeHtml(slo.squad)}</td>${cells(slo)}</tr>${regions}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta http-equiv="refresh" content="30">
${viewer.csrfToken === null ? '' : `<meta name="csrf-token" content="${escapeHtml(viewer.csrfToken)}">`}
<script src="/assets/session.js" defer></script>
<title>Vigil — SLO overview</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; }
th, td { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; white-space: nowrap; }
tr.region td { color: #555; font-size: 13px; }
.who { float: right; color: #555; margin: 0; }
.ok { color: #16794c; } .warn { color: #a76200; } .bad { color: #b3261e; font-weight: 600; }
</style>
</head>
<body>
${header(viewer)}
<h1>SLO overview</h1>
<p>${report.slos.length} SLOs, evaluated at <time>${escapeHtml(report.at)}</time>. JSON: <a href="/api/v1/slos">/api/v1/slos</a></p>
<table>
<thead><tr><th>SLO</th><th>Squad</th><th>Objective</th><th>Window</th><th>SLI</th><th>Budget left</th><th>Burn 1h</th><th>Burn 6h</th><th>Burn 3d</th><th>Firing</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
