// /probes: the target region × vantage matrix (success ratio, latency p50/p95/p99 over each target's recent
// attempts), the latest failures with their kind and detail, and certificates by expiry, soonest first.
import type { ProbeSummary } from '../probe-board.js';
import { escapeHtml } from './html.js';
import { badge, isoTime, pct, renderPage, type Viewer } from './layout.js';

const ms = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} ms`);

function matrix(summary: ProbeSummary): string {
  if (summary.matrix.length === 0) return '<p class="muted">No probe results yet.</p>';
  const targets = [...new Set(summary.matrix.map((c) => c.targetRegion))].sort();
  const vantages = [...new Set(summary.matrix.map((c) => c.vantage))].sort();
  const cell = (t: string, v: string) => {
    const c = summary.matrix.find((m) => m.targetRegion === t && m.vantage === v);
    if (!c) return '<td class="muted">–</td>';
    const kind = c.successRatio === null ? '' : c.successRatio >= 0.999 ? 'ok' : c.successRatio >= 0.95 ? 'warn' : 'bad';
    return `<td><span class="${kind}">${pct(c.successRatio, 2)}</span><br><span class="muted">p50 ${ms(c.latencyMs.p50)} · p95 ${ms(c.latencyMs.p95)} · p99 ${ms(c.latencyMs.p99)}</span><br><span class="muted">${c.targets} targets, ${c.attempts} attempts</span></td>`;
  };
  const head = vantages.map((v) => `<th>from ${escapeHtml(v || '(local)')}</th>`).join('');
  const rows = targets.map((t) => `<tr><th>${escapeHtml(t || '(none)')}</th>${vantages.map((v) => cell(t, v)).join('')}</tr>`).join('');
  return `<table id="probe-matrix"><thead><tr><th>Target region</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function failures(summary: ProbeSummary): string {
  if (summary.failures.length === 0) return '<p class="muted">No failures among the recent attempts.</p>';
  const rows = summary.failures
    .map((f) => `<tr><td>${isoTime(f.ts)}</td><td>${escapeHtml(f.probe)}</td><td>${escapeHtml(f.target)}</td><td>${escapeHtml(f.targetRegion)}</td><td>${escapeHtml(f.vantage)}</td><td>${badge(f.failure, 'bad')}</td><td>${escapeHtml(f.detail ?? '')}</td></tr>`)
    .join('');
  return `<table id="probe-failures"><thead><tr><th>When</th><th>Probe</th><th>Target</th><th>Region</th><th>Vantage</th><th>Failure</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function certificates(summary: ProbeSummary): string {
  if (summary.certificates.length === 0) return '<p class="muted">No TLS certificates seen yet.</p>';
  const rows = summary.certificates
    .map((c) => `<tr><td class="${c.daysLeft < 14 ? 'bad' : c.daysLeft < 30 ? 'warn' : ''}">${c.daysLeft} days</td><td>${isoTime(c.expiresAt)}</td><td>${escapeHtml(c.probe)}</td><td>${escapeHtml(c.target)}</td><td>${escapeHtml(c.targetRegion)}</td><td>${escapeHtml(c.vantage)}</td></tr>`)
    .join('');
  return `<table id="probe-certificates"><thead><tr><th>Left</th><th>Expires</th><th>Probe</th><th>Target</th><th>Region</th><th>Vantage</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderProbes(summary: ProbeSummary, viewer: Viewer): string {
  const body = `
<h1>Probes</h1>
<p class="sub">Over the last ${summary.attemptsPerTarget} attempts of each target, as results reach this server. JSON: <a href="/api/v1/probes/summary">/api/v1/probes/summary</a></p>
<section data-live="probes">
<h2>Target region × vantage</h2>
${matrix(summary)}
<h2>Latest failures</h2>
${failures(summary)}
<h2>Certificates, soonest expiry first</h2>
${certificates(summary)}
<p class="muted">As of ${isoTime(summary.at)}.</p>
</section>`;
  return renderPage({ title: 'Probes', nav: '/probes', viewer, body, liveSeconds: 10 });
}
