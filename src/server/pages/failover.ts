// /failover: each region's phase and weight (Vigil's and what the provider reports), the mode, pending
// changes, and the audit log with every decision, blocked ones with the rule that blocked them. An IMOC gets
// Drain / Restore / Pause / Resume buttons (each asks for confirmation and a reason); for anyone else the
// buttons are not in the page at all.
import type { StatusJson } from '../../failover/api-json.js';
import { escapeHtml } from './html.js';
import { actionButton, badge, canAct, isoTime, renderPage, type Viewer } from './layout.js';

export interface FailoverView {
  status: StatusJson;
  /** Weights as the provider reports them now, or why they could not be read. */
  provider: { weights: Record<string, number> } | { error: string };
  audit: Array<{ id: number; ts: string; actor: string; onBehalfOf: string | null; action: string; region: string | null; outcome: string; rule: string | null; reason: string; forced: boolean }>;
}

function regionRows(view: FailoverView, imoc: boolean): string {
  const { status } = view;
  return Object.entries(status.regions)
    .map(([region, r]) => {
      const providerWeight = 'weights' in view.provider ? String(view.provider.weights[region] ?? '–') : '?';
      const detail = [r.step !== undefined ? `step ${r.step}` : '', r.bakeUntil ? `bake until ${r.bakeUntil}` : '', r.since ? `since ${r.since}` : '', r.halted ? 'halted' : ''].filter((x) => x !== '').join(', ');
      const buttons = !imoc
        ? ''
        : [
            r.phase === 'serving' || r.phase === 'restoring'
              ? actionButton({ label: 'Drain', path: '/api/v1/failover/drain', title: `Drain ${region}`, consequence: `Moves traffic away from ${region} through the failover steps. The safety rules still apply; a blocked drain changes nothing.`, body: { region }, danger: true, id: `drain-${region}` })
              : '',
            r.phase !== 'serving'
              ? actionButton({ label: 'Restore', path: '/api/v1/failover/restore', title: `Restore ${region}`, consequence: `Brings traffic back to ${region} through the restore steps.`, body: { region }, id: `restore-${region}` })
              : '',
          ].join(' ');
      return `<tr><td><strong>${escapeHtml(region)}</strong></td><td>${badge(r.phase)}</td><td>${escapeHtml(r.origin ?? '')}</td><td class="num">${r.weight}</td><td class="num">${escapeHtml(providerWeight)}</td><td>${escapeHtml(detail)}</td><td>${isoTime(r.healthySince)}</td>${imoc ? `<td class="actions">${buttons}</td>` : ''}</tr>`;
    })
    .join('');
}

function auditRows(view: FailoverView): string {
  if (view.audit.length === 0) return '<p class="muted">Nothing decided yet.</p>';
  const rows = view.audit
    .map((e) => `<tr><td>${isoTime(e.ts)}</td><td>${escapeHtml(e.action)} ${escapeHtml(e.region ?? '')}${e.forced ? ' (forced)' : ''}</td><td>${badge(e.outcome)}${e.rule ? ` <code>${escapeHtml(e.rule)}</code>` : ''}</td><td>${escapeHtml(e.actor)}${e.onBehalfOf ? ` for ${escapeHtml(e.onBehalfOf)}` : ''}</td><td>${escapeHtml(e.reason)}</td></tr>`)
    .join('');
  return `<table id="audit-log"><thead><tr><th>When</th><th>Decision</th><th>Outcome</th><th>Actor</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderFailover(view: FailoverView | null, viewer: Viewer): string {
  if (view === null) {
    return renderPage({ title: 'Failover', nav: '/failover', viewer, body: '<h1>Failover</h1><p class="notice">Failover is not configured: add <code>spec.failover</code> to vigil.yaml.</p>' });
  }
  const imoc = canAct(viewer, 'imoc');
  const { status } = view;
  const automation = !imoc
    ? ''
    : `<div class="actions">${
        status.paused
          ? actionButton({ label: 'Resume automation', path: '/api/v1/failover/resume', title: 'Resume automatic failover', consequence: 'The automation decides again: regions whose budget burns fast (confirmed by the quorum of vantages) are drained, healthy ones restored.', id: 'resume' })
          : actionButton({ label: 'Pause automation', path: '/api/v1/failover/pause', title: 'Pause automatic failover', consequence: 'No automatic drain or failback happens until someone resumes. IMOC commands still work.', id: 'pause' })
      }</div>`;
  const pending = status.pending?.length
    ? `<div class="notice">Pending provider changes (not yet confirmed): ${status.pending.map((p) => `#${p.id} since ${escapeHtml(p.createdAt)}`).join(', ')}</div>`
    : '';
  const providerError = 'error' in view.provider ? `<div class="notice error">Cannot read the provider's weights: ${escapeHtml(view.provider.error)}</div>` : '';
  const body = `
<h1>Failover</h1>
<section data-live="failover">
<div class="card"><dl class="facts">
<dt>Mode</dt><dd>${escapeHtml(status.mode)} ${status.paused ? badge('paused', 'warn') : badge('active', 'ok')}</dd>
<dt>Provider</dt><dd>${escapeHtml(status.provider)}</dd>
<dt>Last action</dt><dd>${isoTime(status.lastActionAt)}</dd>
</dl></div>
${status.onHold ? `<div class="notice error">Decisions on hold: ${escapeHtml(status.onHold)}</div>` : ''}
${pending}${providerError}
${automation}
<h2>Regions</h2>
<table id="regions"><thead><tr><th>Region</th><th>Phase</th><th>Origin</th><th class="num">Weight</th><th class="num" title="as the provider reported it at most 10 s ago">Provider's weight</th><th>Progress</th><th>Healthy since</th>${imoc ? '<th>Act</th>' : ''}</tr></thead><tbody>${regionRows(view, imoc)}</tbody></table>
<h2>Decisions and audit log</h2>
${auditRows(view)}
</section>`;
  return renderPage({ title: 'Failover', nav: '/failover', viewer, body, scripts: imoc ? ['actions.js'] : [], liveSeconds: 5 });
}
