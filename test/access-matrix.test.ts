// Every route of the route table × every kind of caller: no token, malformed headers, an unknown token, and
// each role. Refused requests answer 401/403 JSON (the overview page: HTML) and change nothing: not the store,
// not the weights, not the audit log. A route added to the table without a case here does not type-check,
// and a route mounted outside the table fails the first test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/server/auth/roles.js';
import { ROUTES, type RouteKey, type RouteSpec } from '../src/server/routes/table.js';
import type { RunningServer } from '../src/server/start.js';
import { IDENTITIES, type IdentityKey, startAuthServer } from './helpers/auth-project.js';
import { metricSum, scrape } from './helpers/prom-text.js';

type Who = 'no token' | 'Basic header' | 'Bearer without token' | 'unknown token' | IdentityKey;

const CALLERS: ReadonlyArray<{ who: Who; headers: Record<string, string>; roles: readonly Role[] | null }> = [
  { who: 'no token', headers: {}, roles: null },
  { who: 'Basic header', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, roles: null },
  { who: 'Bearer without token', headers: { authorization: 'Bearer ' }, roles: null },
  { who: 'unknown token', headers: { authorization: 'Bearer not-a-token-anyone-has-0000' }, roles: null },
  { who: 'viewer', headers: {}, roles: ['viewer'] },
  { who: 'squad', headers: {}, roles: ['squad'] },
  { who: 'otherSquad', headers: {}, roles: ['squad'] },
  { who: 'imoc', headers: {}, roles: ['imoc'] },
  { who: 'admin', headers: {}, roles: ['admin'] },
  { who: 'prober', headers: {}, roles: ['prober'] },
];

/** Who the issue says may call a route, written out here independently of the route table. */
type Allowed = 'public' | 'anyone signed in' | readonly Role[];

const READERS: readonly Role[] = ['viewer', 'squad', 'imoc', 'admin'];
const IMOC: readonly Role[] = ['imoc', 'admin'];
const PROBERS: readonly Role[] = ['prober', 'admin'];
const SQUADS: readonly Role[] = ['squad', 'admin'];

interface Case {
  allowed: Allowed;
  path: string;
  body?: (who: Who) => unknown;
  /** The answer of the first caller let through (later ones may find the state changed: a second drain is blocked). */
  ok: number;
  /** Answers that differ from what the route's role implies, by caller (a squad acting on another squad's SLO). */
  except?: Partial<Record<Who, number>>;
}

const recent = () => new Date(Date.now() - 30_000).toISOString();
let batch = 0;

const CASES: Record<RouteKey, Case> = {
  'GET /healthz': { allowed: 'public', path: '/healthz', ok: 200 },
  'GET /assets/:file': { allowed: 'public', path: '/assets/session.js', ok: 200 },
  'GET /': { allowed: READERS, path: '/', ok: 200 },
  'GET /slos/:name': { allowed: READERS, path: '/slos/api', ok: 200 },
  'GET /probes': { allowed: READERS, path: '/probes', ok: 200 },
  'GET /failover': { allowed: READERS, path: '/failover', ok: 200 },
  'GET /drills': { allowed: READERS, path: '/drills', ok: 200 },
  // No such run: an allowed caller gets the not-found page.
  'GET /drills/:name/runs/:run': { allowed: READERS, path: '/drills/eu-evacuation/runs/r-none', ok: 404 },
  'GET /reports': { allowed: READERS, path: '/reports?period=week', ok: 200 },
  'GET /runbooks/:name': { allowed: READERS, path: '/runbooks/none-here', ok: 404 },
  'GET /api/v1/openapi.json': { allowed: 'public', path: '/api/v1/openapi.json', ok: 200 },
  'GET /api/v1/overview': { allowed: READERS, path: '/api/v1/overview', ok: 200 },
  'GET /api/v1/slos/:name/history': { allowed: READERS, path: '/api/v1/slos/api/history?step=1h', ok: 200 },
  'GET /api/v1/slos/:name/events': { allowed: READERS, path: '/api/v1/slos/api/events', ok: 200 },
  'GET /api/v1/reports': { allowed: READERS, path: '/api/v1/reports?period=month', ok: 200 },
  'GET /api/v1/probes/summary': { allowed: READERS, path: '/api/v1/probes/summary', ok: 200 },
  'GET /metrics': { allowed: READERS, path: '/metrics', ok: 200 },
  'POST /api/v1/session': {
    allowed: 'public',
    path: '/api/v1/session',
    // Sign-in takes the token in the body: every identity signs in with its own, the rest fail.
    body: (who) => ({ token: who in IDENTITIES ? IDENTITIES[who as IdentityKey].token : 'not-a-token-anyone-has-0000' }),
    ok: 200,
    except: { 'no token': 401, 'Basic header': 401, 'Bearer without token': 401, 'unknown token': 401 },
  },
  'GET /api/v1/session': { allowed: 'anyone signed in', path: '/api/v1/session', ok: 200 },
  // With a bearer token there is no session to end.
  'DELETE /api/v1/session': { allowed: 'anyone signed in', path: '/api/v1/session', ok: 409 },
  'GET /api/v1/slos': { allowed: READERS, path: '/api/v1/slos', ok: 200 },
  'GET /api/v1/slos/:name': { allowed: READERS, path: '/api/v1/slos/api', ok: 200 },
  'GET /api/v1/probes': { allowed: [...READERS, 'prober'], path: '/api/v1/probes?vantage=eu-west1', ok: 200 },
  'POST /api/v1/results': { allowed: PROBERS, path: '/api/v1/results', body: () => ({ batchId: `m-${++batch}`, vantage: 'eu-west1', results: [] }), ok: 200 },
  'POST /api/v1/events': {
    allowed: PROBERS,
    path: '/api/v1/events',
    body: () => ({ batchId: `e-${++batch}`, events: [{ slo: 'api', ts: recent(), good: 10, total: 10, region: 'eu-west1', vantage: 'us-central1' }] }),
    ok: 200,
  },
  'GET /api/v1/failover': { allowed: READERS, path: '/api/v1/failover', ok: 200 },
  'GET /api/v1/failover/audit': { allowed: READERS, path: '/api/v1/failover/audit?limit=5', ok: 200 },
  'POST /api/v1/failover/drain': { allowed: IMOC, path: '/api/v1/failover/drain', body: () => ({ region: 'eu-west1', reason: 'matrix' }), ok: 200 },
  'POST /api/v1/failover/restore': { allowed: IMOC, path: '/api/v1/failover/restore', body: () => ({ region: 'eu-west1', reason: 'matrix' }), ok: 200 },
  'POST /api/v1/failover/pause': { allowed: IMOC, path: '/api/v1/failover/pause', body: () => ({ reason: 'matrix' }), ok: 200 },
  'POST /api/v1/failover/resume': { allowed: IMOC, path: '/api/v1/failover/resume', body: () => ({ reason: 'matrix' }), ok: 200 },
  'GET /api/v1/drills': { allowed: READERS, path: '/api/v1/drills', ok: 200 },
  'GET /api/v1/drills/:name/plan': { allowed: READERS, path: '/api/v1/drills/eu-evacuation/plan', ok: 200 },
  'GET /api/v1/drills/:name/runs': { allowed: READERS, path: '/api/v1/drills/eu-evacuation/runs', ok: 200 },
  // No run yet when the report is asked for: an allowed caller learns that.
  'GET /api/v1/drills/:name/report': { allowed: READERS, path: '/api/v1/drills/eu-evacuation/report', ok: 404 },
  'POST /api/v1/drills/:name/start': { allowed: IMOC, path: '/api/v1/drills/eu-evacuation/start', body: () => ({ reason: 'matrix' }), ok: 200 },
  'POST /api/v1/drills/:name/approve': { allowed: IMOC, path: '/api/v1/drills/eu-evacuation/approve', body: () => ({ run: 'r-none' }), ok: 404 },
  'POST /api/v1/drills/:name/abort': { allowed: IMOC, path: '/api/v1/drills/eu-evacuation/abort', body: () => ({ reason: 'matrix' }), ok: 200 },
  'GET /api/v1/silences': { allowed: READERS, path: '/api/v1/silences', ok: 200 },
  // SLO "api" belongs to squad core: web-bot's squad role does not reach it.
  'POST /api/v1/silences': { allowed: SQUADS, path: '/api/v1/silences', body: () => ({ slo: 'api', duration: '1h', reason: 'matrix' }), ok: 201, except: { otherSquad: 403 } },
  'DELETE /api/v1/silences/:id': { allowed: SQUADS, path: '/api/v1/silences/1', ok: 200, except: { otherSquad: 403 } },
  'POST /api/v1/admin/reload': { allowed: ['admin'], path: '/api/v1/admin/reload', body: () => ({ reason: 'matrix' }), ok: 200 },
  // `vigil serve` runs no demo stand-ins: an admin gets past the guard and learns that.
  'POST /api/v1/demo/faults/:region': { allowed: ['admin'], path: '/api/v1/demo/faults/eu-west1', body: () => ({ errorRate: 1 }), ok: 404 },
};

let server: RunningServer;
let dir: string;
let weightsFile: string;
let db: Database.Database;

beforeAll(async () => {
  ({ server, dir, weightsFile } = await startAuthServer({ server: 'unknownTokenLimit: { count: 100000, per: 1m }' }));
  db = new Database(path.join(dir, 'data', 'vigil.db'), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await server?.close();
});

/** Everything a request could change: store rows, the failover state, the weights on disk. */
function snapshot(): unknown {
  const row = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM blocks) AS blocks, (SELECT COALESCE(SUM(total), 0) FROM blocks) AS events,
              (SELECT COUNT(*) FROM ingested_batches) AS batches, (SELECT COUNT(*) FROM audit_log) AS audit,
              (SELECT COUNT(*) FROM silences WHERE ended_at IS NULL) AS silences, (SELECT COUNT(*) FROM sessions) AS sessions,
              (SELECT state FROM failover_state WHERE id = 1) AS failoverState,
              (SELECT COUNT(*) FROM failover_journal) AS journal, (SELECT COUNT(*) FROM drill_runs) AS drillRuns`,
    )
    .get();
  let weights: string | null = null;
  try {
    weights = readFileSync(weightsFile, 'utf8');
  } catch {
    weights = null;
  }
  return { row, weights };
}

function expectedStatus(testCase: Case, who: Who, roles: readonly Role[] | null, firstAllowed: boolean): number | 'let through' {
  const exception = testCase.except?.[who];
  if (exception !== undefined) return exception;
  const through = firstAllowed ? testCase.ok : 'let through';
  if (testCase.allowed === 'public') return through;
  if (roles === null) return 401;
  if (testCase.allowed !== 'anyone signed in' && !roles.some((role) => (testCase.allowed as readonly Role[]).includes(role))) return 403;
  return through;
}

describe('access matrix', () => {
  it('mounts exactly the routes of the table, each with a case here', () => {
    const tableRoutes = ROUTES.map((r) => r.key).sort();
    expect([...server.routes].sort()).toEqual(tableRoutes);
    expect(Object.keys(CASES).sort()).toEqual(tableRoutes);
  });

  it('answers every route × caller as the route table says, and a refused request changes nothing', async () => {
    const refusals = { unauthorized: 0, forbidden: 0 };
    const seen: string[] = [];
    for (const route of ROUTES as readonly RouteSpec[]) {
      const [method, _] = route.key.split(' ') as [string, string];
      const testCase = CASES[route.key as RouteKey];
      let allowedYet = false;
      for (const caller of CALLERS) {
        const headers: Record<string, string> = { ...caller.headers };
        if (caller.who in IDENTITIES) headers.authorization = `Bearer ${IDENTITIES[caller.who as IdentityKey].token}`;
        // Sign-in reads its token from the body; the header kinds must not sign anyone in either.
        if (route.key === 'POST /api/v1/session') delete headers.authorization;
        const body = testCase.body?.(caller.who);
        if (body !== undefined) headers['content-type'] = 'application/json';
        const expected = expectedStatus(testCase, caller.who, caller.roles, !allowedYet);
        const before = snapshot();
        const res = await fetch(`${server.url}${testCase.path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
        const text = await res.text();
        const label = `${route.key} as ${caller.who}`;
        seen.push(`${label}: ${res.status}`);
        if (expected === 'let through') {
          expect(res.status, `${label}: ${text.slice(0, 200)}`).not.toBeOneOf([401, 403, 429]);
          expect(res.status, label).toBeLessThan(500);
        } else {
          expect(res.status, `${label}: ${text.slice(0, 200)}`).toBe(expected);
        }
        if (res.status === 401 || res.status === 403) {
          if (res.status === 401) refusals.unauthorized++;
          else refusals.forbidden++;
          expect(snapshot(), `${label} changed something`).toEqual(before);
          if (route.page) {
            expect(res.headers.get('content-type'), label).toMatch(/^text\/html/);
            expect(text, label).toContain(res.status === 401 ? 'id="sign-in"' : 'Not allowed');
          } else {
            const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
            expect(error.code, label).toBe(res.status === 401 ? 'unauthorized' : 'forbidden');
            if (res.status === 403 && Array.isArray(testCase.allowed) && testCase.except?.[caller.who] === undefined) {
              expect(error.message, label).toMatch(new RegExp(`needs role (${testCase.allowed.join('|')})`));
            }
          }
        } else if (res.status < 300 || expected === 'let through') allowedYet = true;
        else if (typeof expected === 'number' && expected === testCase.ok) allowedYet = true;
      }
    }
    expect(seen.length).toBe(ROUTES.length * CALLERS.length);
    // Every refusal is counted in /metrics, by code.
    const metrics = await scrape(`${server.url}/metrics`, { authorization: `Bearer ${IDENTITIES.viewer.token}` });
    expect(metricSum(metrics, 'vigil_http_refused_total', { code: 'unauthorized' })).toBe(refusals.unauthorized);
    expect(metricSum(metrics, 'vigil_http_refused_total', { code: 'forbidden' })).toBe(refusals.forbidden);
  });

  it('records the identity of the token as the actor, never a name the caller gives', async () => {
    const audit = (await (await fetch(`${server.url}/api/v1/failover/audit?limit=1000`, { headers: { authorization: `Bearer ${IDENTITIES.viewer.token}` } })).json()) as {
      entries: Array<{ actor: string; action: string; outcome: string; onBehalfOf: string | null }>;
    };
    // Oldest first: the first caller let through on each route is the one that did it.
    const people = audit.entries.filter((e) => ['drain', 'restore', 'pause', 'resume', 'silence', 'unsilence', 'reload'].includes(e.action)).reverse();
    expect(new Set(people.map((e) => e.actor))).toEqual(new Set([IDENTITIES.imoc.name, IDENTITIES.admin.name, IDENTITIES.squad.name]));
    expect(people.find((e) => e.action === 'drain' && e.outcome === 'executed')?.actor).toBe(IDENTITIES.imoc.name);
    expect(people.find((e) => e.action === 'silence')?.actor).toBe(IDENTITIES.squad.name);
  });
});
