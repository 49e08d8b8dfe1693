// /drills: each drill's schedule and next run in its own time zone, runs awaiting approval, the run in
// progress (state, weights, time left in the hold) and past runs; an IMOC can run a drill now, approve a
// waiting run and abort the one in progress. /drills/NAME/runs/RUN is a run's report.
import type { DrillReport, RunJson } from '../../failover/drills/api-json.js';
import type { DrillSummary } from '../../failover/drills/runner.js';
import { formatDuration } from '../../lib/duration.js';
import { escapeHtml } from './html.js';
import { actionButton, badge, canAct, isoTime, renderPage, type Viewer } from './layout.js';

export interface DrillsView {
  drills: DrillSummary[];
  awaitingApproval: RunJson[];
  active: RunJson | null;
  weights: Record<string, number>;
  recent: RunJson[];
  now: number;
}

const runLink = (run: RunJson) => `<a href="/drills/${encodeURIComponent(run.drill)}/runs/${encodeURIComponent(run.id)}">${escapeHtml(run.id)}</a>`;

function active(view: DrillsView, imoc: boolean): string {
  const run = view.active;
  if (!run) return '<p class="muted">No drill is running.</p>';
  const holdLeft = run.state === 'holding' && run.holdUntil ? Math.max(0, Date.parse(run.holdUntil) - view.now) : null;
  const weights = Object.entries(view.weights).map(([r, w]) => `${escapeHtml(r)} ${w}`).join(' · ');
  const abort = imoc ? actionButton({ label: 'Abort drill', path: `/api/v1/drills/${encodeURIComponent(run.drill)}/abort`, title: `Abort ${run.drill}`, consequence: `Ends run ${run.id} now and restores ${run.region} through the restore steps.`, danger: true, id: 'abort-drill' }) : '';
  return `<div class="card" id="active-run"><dl class="facts">
<dt>Drill</dt><dd>${escapeHtml(run.drill)} (${escapeHtml(run.region)}), run ${runLink(run)}</dd>
<dt>State</dt><dd>${badge(run.state)}</dd>
<dt>Weights now</dt><dd>${weights}</dd>
<dt>Time left in the hold</dt><dd>${holdLeft === null ? '–' : formatDuration(Math.round(holdLeft / 1000) * 1000 || 0)}</dd>
<dt>Started</dt><dd>${isoTime(run.startedAt)} by ${escapeHtml(run.requestedBy)}${run.approvedBy ? `, approved by ${escapeHtml(run.approvedBy)}` : ''}</dd>
</dl><div class="actions">${abort}</div></div>`;
}

export function renderDrills(view: DrillsView | null, viewer: Viewer): string {
  if (view === null) {
    return renderPage({ title: 'Drills', nav: '/drills', viewer, body: '<h1>Drills</h1><p class="notice">No drills are configured: add <code>spec.drills</code> (with <code>spec.failover</code>) to vigil.yaml.</p>' });
  }
  const imoc = canAct(viewer, 'imoc');
  const schedule = view.drills
    .map((d) => {
      // At most one drill at a time: no Run now while one is in progress.
      const runNow = !imoc ? '' : view.active !== null ? '<span class="muted">a drill is running</span>' : actionButton({ label: 'Run now', path: `/api/v1/drills/${encodeURIComponent(d.name)}/start`, title: `Run ${d.name} now`, consequence: `Drains ${d.region} through the failover steps, holds it for ${formatDuration(d.holdSeconds * 1000)}, then restores it. Skipped if anything would block the drain.`, danger: true, id: `start-${d.name}` });
      return `<tr><td><strong>${escapeHtml(d.name)}</strong></td><td>${escapeHtml(d.region)}</td><td><code>${escapeHtml(d.schedule ?? 'on demand')}</code></td><td>${d.nextRunLocal === null ? '–' : `${escapeHtml(d.nextRunLocal)} <span class="muted">${escapeHtml(d.timeZone)}</span>`}</td><td>${d.requiresApproval ? 'yes' : 'no'}</td><td>${formatDuration(d.holdSeconds * 1000)}</td><td>${d.lastRun ? `${badge(d.lastRun.state)} <a href="/drills/${encodeURIComponent(d.name)}/runs/${encodeURIComponent(d.lastRun.run)}">${escapeHtml(d.lastRun.run)}</a>` : '–'}</td>${imoc ? `<td class="actions">${runNow}</td>` : ''}</tr>`;
    })
    .join('');
  const waiting =
    view.awaitingApproval.length === 0
      ? '<p class="muted">No run is waiting for approval.</p>'
      : `<table id="awaiting"><thead><tr><th>Run</th><th>Drill</th><th>Scheduled for</th>${imoc ? '<th>Act</th>' : ''}</tr></thead><tbody>${view.awaitingApproval
          .map(
            (r) =>
              `<tr><td>${runLink(r)}</td><td>${escapeHtml(r.drill)} (${escapeHtml(r.region)})</td><td>${isoTime(r.scheduledFor)}</td>${imoc ? `<td>${actionButton({ label: 'Approve', path: `/api/v1/drills/${encodeURIComponent(r.drill)}/approve`, title: `Approve ${r.drill}`, consequence: `Starts run ${r.id}: drains ${r.region}, holds it, restores it.`, body: { run: r.id }, reason: false, id: `approve-${r.id}` })}</td>` : ''}</tr>`,
          )
          .join('')}</tbody></table>`;
  const past =
    view.recent.length === 0
      ? '<p class="muted">No runs yet.</p>'
      : `<table id="past-runs"><thead><tr><th>Run</th><th>Drill</th><th>Outcome</th><th>Started</th><th>Ended</th><th>Reason</th></tr></thead><tbody>${view.recent
          .map((r) => `<tr><td>${runLink(r)}</td><td>${escapeHtml(r.drill)}</td><td>${badge(r.state)}</td><td>${isoTime(r.startedAt)}</td><td>${isoTime(r.endedAt)}</td><td>${escapeHtml(r.reason ?? '')}</td></tr>`)
          .join('')}</tbody></table>`;
  const body = `
<h1>Drills</h1>
<section data-live="drills">
<h2>In progress</h2>
${active(view, imoc)}
<h2>Schedule</h2>
<table id="drill-schedule"><thead><tr><th>Drill</th><th>Region</th><th>Schedule</th><th>Next run (local)</th><th>Approval</th><th>Hold</th><th>Last run</th>${imoc ? '<th>Act</th>' : ''}</tr></thead><tbody>${schedule}</tbody></table>
<h2>Awaiting approval</h2>
${waiting}
<h2>Past runs</h2>
${past}
</section>`;
  return renderPage({ title: 'Drills', nav: '/drills', viewer, body, scripts: imoc ? ['actions.js'] : [], liveSeconds: 5 });
}

export function renderDrillReport(report: DrillReport, viewer: Viewer): string {
  const objectives = report.objectives
    .map((o) => `<tr><td>${escapeHtml(o.name)}</td><td class="num">${o.limit}</td><td class="num">${o.value ?? '–'}</td><td>${o.passed === null ? '–' : o.passed ? badge('met', 'ok') : badge('missed', 'bad')}</td></tr>`)
    .join('');
  const timeline = report.timeline
    .map((t) => `<tr><td>${isoTime(t.t)}</td><td>${badge(t.state)}</td><td>${escapeHtml(Object.entries(t.weights).map(([r, w]) => `${r} ${w}`).join(' · '))}</td><td>${escapeHtml(t.detail)}</td></tr>`)
    .join('');
  const spent = report.budgetSpent.map((b) => `<tr><td><a href="/slos/${encodeURIComponent(b.slo)}">${escapeHtml(b.slo)}</a></td><td>${escapeHtml(b.region)}</td><td class="num">${b.percent}%</td></tr>`).join('');
  const audit = report.audit.map((a) => `<tr><td>${isoTime(a.ts)}</td><td>${escapeHtml(a.action)}</td><td>${badge(a.outcome)}</td><td>${escapeHtml(a.actor)}</td><td>${escapeHtml(a.reason)}</td></tr>`).join('');
  const body = `
<h1>Drill ${escapeHtml(report.drill)}, run ${escapeHtml(report.run)}</h1>
<section data-live="drill-report">
<div class="card"><dl class="facts">
<dt>Region</dt><dd>${escapeHtml(report.region)}</dd>
<dt>Outcome</dt><dd>${badge(report.outcome ?? report.state)}${report.reason ? ` ${escapeHtml(report.reason)}` : ''}</dd>
<dt>Requested by</dt><dd>${escapeHtml(report.requestedBy)}${report.approvedBy ? `, approved by ${escapeHtml(report.approvedBy)}` : ''}</dd>
<dt>Started / ended</dt><dd>${isoTime(report.startedAt)} – ${isoTime(report.endedAt)}</dd>
<dt>Drain / restore</dt><dd>${report.drainSeconds ?? '–'} s / ${report.restoreSeconds ?? '–'} s</dd>
</dl></div>
<h2>Objectives</h2>
${objectives === '' ? '<p class="muted">This drill declares no objectives.</p>' : `<table><thead><tr><th>Objective</th><th class="num">Limit</th><th class="num">Value</th><th>Result</th></tr></thead><tbody>${objectives}</tbody></table>`}
<h2>Timeline</h2>
<table><thead><tr><th>When</th><th>State</th><th>Weights</th><th>Detail</th></tr></thead><tbody>${timeline}</tbody></table>
<h2>Error budget spent</h2>
${spent === '' ? '<p class="muted">None measured.</p>' : `<table><thead><tr><th>SLO</th><th>Region</th><th class="num">Spent</th></tr></thead><tbody>${spent}</tbody></table>`}
<h2>Audit</h2>
${audit === '' ? '<p class="muted">No entries.</p>' : `<table><thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>Actor</th><th>Reason</th></tr></thead><tbody>${audit}</tbody></table>`}
</section>
<p class="muted">JSON: <a href="/api/v1/drills/${encodeURIComponent(report.drill)}/report?run=${encodeURIComponent(report.run)}">/api/v1/drills/${escapeHtml(report.drill)}/report</a></p>`;
  return renderPage({ title: `Drill ${report.drill}`, nav: '/drills', viewer, body, liveSeconds: report.outcome === null ? 5 : 0 });
}
