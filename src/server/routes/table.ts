// Every route the server answers, with the role it needs and the body it takes: the one place that says who
// may do what. The app mounts exactly these (routes/mount.ts); a route without an entry here has no handler
// type to fill, and the access matrix test walks this list.
import type { RouteAccess } from '../auth/guard.js';

export interface RouteSpec {
  key: `${'GET' | 'POST' | 'DELETE'} /${string}`;
  access: RouteAccess;
  /** A JSON body is expected, at most this large (body-parser's notation, e.g. "16kb"); without it, no body. */
  body?: string;
  /** An HTML page: a caller who is not signed in gets the sign-in page instead of a JSON 401. */
  page?: true;
  summary: string;
}

export const ROUTES = [
  { key: 'GET /healthz', access: 'public', summary: 'liveness: {"status":"ok"}' },
  { key: 'GET /assets/:file', access: 'public', summary: "the pages' scripts and styles" },
  { key: 'GET /', access: ['viewer'], page: true, summary: 'the SLO overview page' },
  { key: 'GET /slos/:name', access: ['viewer'], page: true, summary: "an SLO's detail page: charts over time, alert history, runbook, YAML" },
  { key: 'GET /probes', access: ['viewer'], page: true, summary: 'the probes page: region × vantage matrix, latest failures, certificates' },
  { key: 'GET /failover', access: ['viewer'], page: true, summary: 'the failover page: weights, phases, decisions, audit log (commands for imoc)' },
  { key: 'GET /drills', access: ['viewer'], page: true, summary: 'the drills page: schedule, approvals, the run in progress, past runs' },
  { key: 'GET /drills/:name/runs/:run', access: ['viewer'], page: true, summary: "a drill run's report page" },
  { key: 'GET /reports', access: ['viewer'], page: true, summary: 'the weekly or monthly reliability report (?format=csv|md downloads it)' },
  { key: 'GET /runbooks/:name', access: ['viewer'], page: true, summary: 'a runbook, rendered' },
  { key: 'GET /metrics', access: ['viewer'], summary: 'Prometheus metrics: probes (blackbox_exporter names), ingest, evaluation, refusals' },

  { key: 'POST /api/v1/session', access: 'public', body: '4kb', summary: 'sign in with {"token"}: sets the session cookie, returns the CSRF token' },
  { key: 'GET /api/v1/session', access: 'signed-in', summary: 'who is calling: identity, roles, how' },
  { key: 'DELETE /api/v1/session', access: 'signed-in', summary: 'sign out: ends the session' },

  { key: 'GET /api/v1/openapi.json', access: 'public', summary: 'this API, as an OpenAPI 3.1 document' },
  { key: 'GET /api/v1/overview', access: ['viewer'], summary: 'one compact row per SLO (budget, burn, state, error) and the regions, for the overview' },
  { key: 'GET /api/v1/slos', access: ['viewer'], summary: 'the latest report of every SLO' },
  { key: 'GET /api/v1/slos/:name', access: ['viewer'], summary: 'the latest report of one SLO' },
  { key: 'GET /api/v1/slos/:name/history', access: ['viewer'], summary: 'an SLO over time (?from=ISO&to=ISO&step=5m&region=R&vantage=V): SLI, budget, burn rates' },
  { key: 'GET /api/v1/slos/:name/events', access: ['viewer'], summary: 'alerts, failover commands and drills touching an SLO (?from=ISO&to=ISO)' },
  { key: 'GET /api/v1/reports', access: ['viewer'], summary: 'the reliability report of a week or month (?period=week|month&start=DATE&squad=S&timeZone=Z)' },

  { key: 'GET /api/v1/probes', access: ['prober', 'viewer'], summary: 'probe definitions for an agent (?vantage=R), with an ETag' },
  { key: 'GET /api/v1/probes/summary', access: ['viewer'], summary: 'recent results: region × vantage success and latency, latest failures, certificates' },
  { key: 'POST /api/v1/results', access: ['prober'], body: '32mb', summary: 'a batch of probe results from an agent' },
  { key: 'POST /api/v1/events', access: ['prober'], body: '16mb', summary: 'a batch of pushed good/total event counts' },

  { key: 'GET /api/v1/failover', access: ['viewer'], summary: 'regions, phases, weights, mode, pending changes' },
  { key: 'GET /api/v1/failover/audit', access: ['viewer'], summary: 'the audit log, newest first (?limit=N)' },
  { key: 'POST /api/v1/failover/drain', access: ['imoc'], body: '16kb', summary: 'move traffic away from a region' },
  { key: 'POST /api/v1/failover/restore', access: ['imoc'], body: '16kb', summary: 'bring a drained region back' },
  { key: 'POST /api/v1/failover/pause', access: ['imoc'], body: '16kb', summary: 'stop automatic drains and failbacks' },
  { key: 'POST /api/v1/failover/resume', access: ['imoc'], body: '16kb', summary: 'let the automation decide again' },

  { key: 'GET /api/v1/drills', access: ['viewer'], summary: 'drills, next runs in their time zones, runs awaiting approval, the run in progress' },
  { key: 'GET /api/v1/drills/:name/plan', access: ['viewer'], summary: 'what the drill would do now and what would block it' },
  { key: 'GET /api/v1/drills/:name/runs', access: ['viewer'], summary: "a drill's runs, newest first (?limit=N)" },
  { key: 'GET /api/v1/drills/:name/report', access: ['viewer'], summary: 'the report of a run (?run=ID; default the latest)' },
  { key: 'POST /api/v1/drills/:name/start', access: ['imoc'], body: '16kb', summary: 'start the drill now' },
  { key: 'POST /api/v1/drills/:name/approve', access: ['imoc'], body: '16kb', summary: 'approve a scheduled run waiting for approval' },
  { key: 'POST /api/v1/drills/:name/abort', access: ['imoc'], body: '16kb', summary: 'abort the run in progress (restoring at once)' },

  { key: 'GET /api/v1/silences', access: ['viewer'], summary: 'alert silences in effect' },
  { key: 'POST /api/v1/silences', access: ['squad'], body: '16kb', summary: "silence an SLO's alerts for a while (its squad, or an admin)" },
  { key: 'DELETE /api/v1/silences/:id', access: ['squad'], summary: 'end a silence early (its squad, or an admin)' },

  { key: 'POST /api/v1/admin/reload', access: ['admin'], body: '4kb', summary: 're-read the SLO and probe definitions now' },
  { key: 'POST /api/v1/demo/faults/:region', access: ['admin'], body: '4kb', summary: "inject a fault into a demo stand-in (vigil up's demo only)" },
] as const satisfies readonly RouteSpec[];

export type RouteKey = (typeof ROUTES)[number]['key'];
