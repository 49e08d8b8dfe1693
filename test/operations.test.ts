// What the squad and admin roles are for: silencing an SLO's alerts (its squad only), re-reading the
// definitions and injecting demo faults (admins), each audited with the identity that did it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { AUTH_ENV, AUTH_YAML, bearer, startAuthServer } from './helpers/auth-project.js';
import { makeFailoverProject, TRIGGER_SLO } from './helpers/failover-project.js';
import { freePort } from './helpers/peer-process.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function call(url: string, method: string, route: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

interface AlertJson {
  severity: string;
  silenced?: { id: number; by: string; until: string };
}
interface SloJson {
  slo: { alerts: AlertJson[]; regions: Record<string, { alerts: AlertJson[] }> };
}

describe('alert silences', () => {
  it("a squad silences its own SLO's alerts for a while, shown on the report; another squad may not; an admin may end it", async () => {
    const { server } = await startAuthServer();
    running.push(server);
    const { url } = server;
    const silence = { slo: 'api', region: 'eu-west1', severity: 'page', duration: '2h', reason: 'deploying the fix', onBehalfOf: 'kim' };

    const other = await call(url, 'POST', '/api/v1/silences', bearer('otherSquad'), silence);
    expect(other.status).toBe(403);
    expect(other.body.error?.message).toContain('needs role squad for squad "core"');
    expect((await call(url, 'POST', '/api/v1/silences', bearer('squad'), { ...silence, slo: 'nope' })).status).toBe(404);
    const badRegion = await call(url, 'POST', '/api/v1/silences', bearer('squad'), { ...silence, region: 'mars-north1' });
    expect(badRegion.status).toBe(400);
    expect(badRegion.body.error?.message).toContain('has no region "mars-north1"');
    expect((await call(url, 'POST', '/api/v1/silences', bearer('squad'), { ...silence, duration: '60d' })).status).toBe(400);

    const made = await call(url, 'POST', '/api/v1/silences', bearer('squad'), silence);
    expect(made.status).toBe(201);
    const created = made.body.silence as { id: number; createdBy: string; onBehalfOf: string; startsAt: string; endsAt: string };
    expect(created).toMatchObject({ slo: 'api', region: 'eu-west1', severity: 'page', createdBy: 'core-bot', onBehalfOf: 'kim', reason: 'deploying the fix' });
    expect(Date.parse(created.endsAt) - Date.parse(created.startsAt)).toBe(2 * 3_600_000);

    const listed = await call(url, 'GET', '/api/v1/silences', bearer('viewer'));
    expect((listed.body.silences as unknown[]).length).toBe(1);
    const report = (await call(url, 'GET', '/api/v1/slos/api', bearer('viewer'))).body as unknown as SloJson;
    const eu = report.slo.regions['eu-west1']?.alerts ?? [];
    expect(eu.filter((a) => a.severity === 'page').every((a) => a.silenced?.id === created.id && a.silenced.by === 'core-bot')).toBe(true);
    expect(eu.filter((a) => a.severity === 'ticket').some((a) => a.silenced)).toBe(false);
    // The silence is for eu-west1: the SLO's alerts as a whole and in other regions are not silenced.
    expect(report.slo.alerts.some((a) => a.silenced)).toBe(false);
    expect(report.slo.regions['us-central1']?.alerts.some((a) => a.silenced)).toBe(false);

    expect((await call(url, 'DELETE', `/api/v1/silences/${created.id}`, bearer('otherSquad'))).status).toBe(403);
    expect((await call(url, 'DELETE', '/api/v1/silences/999', bearer('admin'))).status).toBe(404);
    expect((await call(url, 'DELETE', `/api/v1/silences/${created.id}`, bearer('admin'))).status).toBe(200);
    expect((await call(url, 'DELETE', `/api/v1/silences/${created.id}`, bearer('admin'))).status).toBe(409);
    expect((await call(url, 'GET', '/api/v1/silences', bearer('viewer'))).body.silences).toEqual([]);

    const audit = (await call(url, 'GET', '/api/v1/failover/audit?limit=10', bearer('viewer'))).body.entries as Array<{ action: string; actor: string; onBehalfOf: string | null; reason: string }>;
    expect(audit.map((e) => [e.action, e.actor, e.onBehalfOf])).toEqual([
      ['unsilence', 'adam', null],
      ['silence', 'core-bot', 'kim'],
    ]);
    expect(audit[1]?.reason).toContain('api in eu-west1 (page alerts)');
  });
});

describe('admin', () => {
  it('reload re-reads the definitions now; one with errors keeps the previous ones and answers 422 with the problems', async () => {
    const { server, dir } = await startAuthServer();
    running.push(server);
    const sloFile = path.join(dir, 'slo-definitions', 'api.yaml');
    writeFileSync(sloFile, `${TRIGGER_SLO}---\n${TRIGGER_SLO.replace('name: api,', 'name: api-two,')}`);
    const reloaded = await call(server.url, 'POST', '/api/v1/admin/reload', bearer('admin'), { reason: 'new SLO' });
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ reloaded: true, slos: 2 });

    writeFileSync(sloFile, TRIGGER_SLO.replace('objective: 99.9', 'objective: 120'));
    const broken = await call(server.url, 'POST', '/api/v1/admin/reload', bearer('admin'), {});
    expect(broken.status).toBe(422);
    expect(broken.body.error).toMatchObject({ code: 'invalid_definitions' });
    expect(JSON.stringify(broken.body.error)).toMatch(/api\.yaml:\d+:\d+: /);
    const slos = (await call(server.url, 'GET', '/api/v1/slos', bearer('viewer'))).body.slos as Array<{ name: string }>;
    expect(slos.map((s) => s.name).sort()).toEqual(['api', 'api-two']);
    const audit = (await call(server.url, 'GET', '/api/v1/failover/audit?limit=2', bearer('viewer'))).body.entries as Array<{ action: string; actor: string; outcome: string }>;
    expect(audit.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['reload', 'adam', 'failed'],
      ['reload', 'adam', 'executed'],
    ]);
  });

  it("injects a fault into vigil up's demo stand-in for a region, audited", async () => {
    const ports = { eu: await freePort(), us: await freePort() };
    const { dir } = makeFailoverProject({ auth: AUTH_YAML });
    const config = path.join(dir, 'vigil.yaml');
    writeFileSync(config, `  demo:\n    services: { eu-west1: ${ports.eu}, us-central1: ${ports.us} }\n`, { flag: 'a' });
    const server = await startServer({ configFile: config, logger: silentLogger(), env: AUTH_ENV, inProcessProbers: true });
    running.push(server);
    const standIn = async () => (await (await fetch(`http://127.0.0.1:${ports.eu}/fault`)).json()) as { fault: { errorRate: number } };
    expect((await standIn()).fault.errorRate).toBe(0);
    expect((await call(server.url, 'POST', '/api/v1/demo/faults/eu-west1', bearer('imoc'), { errorRate: 1 })).status).toBe(403);
    expect((await call(server.url, 'POST', '/api/v1/demo/faults/asia-east1', bearer('admin'), { errorRate: 1 })).status).toBe(404);
    const set = await call(server.url, 'POST', '/api/v1/demo/faults/eu-west1', bearer('admin'), { errorRate: 1 });
    expect(set).toEqual({ status: 200, body: { region: 'eu-west1', fault: { errorRate: 1, latencyMs: 0 } } });
    expect((await standIn()).fault.errorRate).toBe(1);
    const audit = (await call(server.url, 'GET', '/api/v1/failover/audit?limit=1', bearer('viewer'))).body.entries as Array<{ action: string; actor: string; region: string }>;
    expect(audit[0]).toMatchObject({ action: 'demo_fault', actor: 'adam', region: 'eu-west1' });
  });
});
