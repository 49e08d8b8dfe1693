import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { closedPort } from './helpers/adversarial-servers.js';
import { makeFailoverProject, weightsOnDisk } from './helpers/failover-project.js';
import { type ErrorBody, postJson } from './helpers/http.js';
import { captureIo } from './helpers/io.js';
import { makeProject } from './helpers/project.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function start(options: { ingestToken?: string; mode?: 'auto' | 'manual' | 'dry-run' } = {}) {
  const { dir, weightsFile } = makeFailoverProject(options.mode ? { mode: options.mode } : {});
  const server = await startServer({
    configFile: path.join(dir, 'vigil.yaml'),
    logger: silentLogger(),
    ...(options.ingestToken ? { ingestToken: options.ingestToken } : {}),
  });
  running.push(server);
  return { url: server.url, weightsFile };
}

interface CommandAnswer {
  decisions: Array<{ action: string; region: string | null; outcome: string; rule: string | null; reason: string; actor: string; onBehalfOf: string | null; forced: boolean }>;
  weights: Record<string, number>;
}

interface AuditAnswer {
  entries: Array<{ ts: string; actor: string; onBehalfOf: string | null; action: string; region: string | null; outcome: string; forced: boolean; reason: string; before: unknown; after: unknown }>;
}

const getJson = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
};

const FULL = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };

async function cli(args: string[]) {
  const io = captureIo();
  const code = await run(['failover', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('failover API', () => {
  it('reports every region serving at full weight before any action', async () => {
    const { url, weightsFile } = await start();
    const { status, body } = await getJson<Record<string, unknown>>(`${url}/api/v1/failover`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'auto', paused: false, provider: 'file', weights: FULL, lastActionAt: null });
    expect(body.regions).toEqual({
      'eu-west1': { phase: 'serving', weight: 100, healthySince: expect.any(String) },
      'us-central1': { phase: 'serving', weight: 100, healthySince: expect.any(String) },
      'asia-east1': { phase: 'serving', weight: 100, healthySince: expect.any(String) },
    });
    expect(body.pending).toBeUndefined();
    expect(weightsOnDisk(weightsFile)).toBeNull();
  });

  it('drains through the provider and audits; blocks a second drain by max_drained_regions; --force executes, audited as forced; restores', async () => {
    // No authentication on loopback: every caller is "anonymous"; the name it gives is whom it acts for.
    const { url, weightsFile } = await start();
    const drain = await postJson<CommandAnswer>(`${url}/api/v1/failover/drain`, { region: 'eu-west1', reason: 'disk failure', onBehalfOf: 'alice' });
    expect(drain.status).toBe(200);
    expect(drain.body.decisions[0]).toEqual({
      action: 'drain',
      region: 'eu-west1',
      outcome: 'executed',
      rule: null,
      reason: 'disk failure',
      actor: 'anonymous',
      onBehalfOf: 'alice',
      forced: false,
    });
    expect(drain.body.weights).toEqual({ ...FULL, 'eu-west1': 0 });
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });

    const audit = await getJson<AuditAnswer>(`${url}/api/v1/failover/audit?limit=2`);
    expect(audit.body.entries.map((e) => [e.action, e.actor, e.onBehalfOf, e.outcome])).toEqual([
      ['apply', 'vigil', null, 'executed'],
      ['drain', 'anonymous', 'alice', 'executed'],
    ]);
    expect(audit.body.entries[1]).toMatchObject({ region: 'eu-west1', reason: 'disk failure', before: FULL, after: { ...FULL, 'eu-west1': 0 } });
    expect(Date.parse(audit.body.entries[1]?.ts ?? '')).toBeGreaterThan(Date.now() - 60_000);

    const blocked = await postJson<ErrorBody>(`${url}/api/v1/failover/drain`, { region: 'us-central1', reason: 'also' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('blocked');
    expect(blocked.body.error.details).toMatchObject({ rule: 'max_drained_regions', region: 'us-central1' });
    expect(blocked.body.error.message).toContain('max_drained_regions');
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });
    const [blockedEntry] = (await getJson<AuditAnswer>(`${url}/api/v1/failover/audit?limit=1`)).body.entries;
    const inEffect = { ...FULL, 'eu-west1': 0 };
    expect(blockedEntry).toMatchObject({ action: 'drain', region: 'us-central1', outcome: 'blocked', actor: 'anonymous', onBehalfOf: null, before: inEffect, after: inEffect });

    // `actor` is the older name of onBehalfOf: it can never replace the identity.
    const forced = await postJson<CommandAnswer>(`${url}/api/v1/failover/drain`, { region: 'us-central1', reason: 'bad deploy', force: true, actor: 'bob' });
    expect(forced.status).toBe(200);
    expect(forced.body.decisions[0]).toMatchObject({ outcome: 'executed', forced: true, actor: 'anonymous', onBehalfOf: 'bob' });
    expect(forced.body.decisions[0]?.reason).toContain('forced past max_drained_regions');
    expect(weightsOnDisk(weightsFile)).toEqual({ 'eu-west1': 0, 'us-central1': 0, 'asia-east1': 100 });
    const forcedAudit = (await getJson<AuditAnswer>(`${url}/api/v1/failover/audit`)).body.entries.find((e) => e.action === 'drain' && e.forced);
    expect(forcedAudit).toMatchObject({ region: 'us-central1', actor: 'anonymous', onBehalfOf: 'bob', outcome: 'executed' });

    // The last region can never be drained, not even by force: total weight would be zero.
    const zero = await postJson<ErrorBody>(`${url}/api/v1/failover/drain`, { region: 'asia-east1', reason: 'x', force: true });
    expect(zero.status).toBe(409);
    expect(zero.body.error.details).toMatchObject({ rule: 'zero_total_weight' });

    for (const region of ['us-central1', 'eu-west1']) {
      const restore = await postJson<CommandAnswer>(`${url}/api/v1/failover/restore`, { region, reason: 'fixed' });
      expect(restore.status).toBe(200);
      expect(restore.body.decisions[0]).toMatchObject({ action: 'restore', region, outcome: 'executed' });
    }
    expect(weightsOnDisk(weightsFile)).toEqual(FULL);
    const status = await getJson<{ regions: Record<string, { phase: string }>; lastActionAt: string }>(`${url}/api/v1/failover`);
    expect(Object.values(status.body.regions).map((r) => r.phase)).toEqual(['serving', 'serving', 'serving']);
    expect(status.body.lastActionAt).toEqual(expect.any(String));
  });

  it('pauses and resumes the automation, audited', async () => {
    const { url } = await start();
    const pause = await postJson<CommandAnswer>(`${url}/api/v1/failover/pause`, { reason: 'game day' });
    expect(pause.status).toBe(200);
    expect(pause.body.decisions[0]).toMatchObject({ action: 'pause', outcome: 'executed', actor: 'anonymous', onBehalfOf: null, reason: 'game day' });
    expect((await getJson<{ paused: boolean }>(`${url}/api/v1/failover`)).body.paused).toBe(true);
    expect((await postJson<CommandAnswer>(`${url}/api/v1/failover/resume`, { reason: 'over' })).status).toBe(200);
    expect((await getJson<{ paused: boolean }>(`${url}/api/v1/failover`)).body.paused).toBe(false);
    const entries = (await getJson<AuditAnswer>(`${url}/api/v1/failover/audit`)).body.entries;
    expect(entries.map((e) => e.action)).toEqual(['resume', 'pause']);
  });

  it('answers an unknown region with 404, a bad body or limit with 400, all as JSON errors', async () => {
    const { url } = await start();
    const unknown = await postJson<ErrorBody>(`${url}/api/v1/failover/drain`, { region: 'mars-north1', reason: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('mars-north1') });
    const noReason = await postJson<ErrorBody>(`${url}/api/v1/failover/drain`, { region: 'eu-west1' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('invalid_input');
    const extra = await postJson<ErrorBody>(`${url}/api/v1/failover/pause`, { reason: 'x', region: 'eu-west1' });
    expect(extra.status).toBe(400);
    const malformed = await postJson<ErrorBody>(`${url}/api/v1/failover/restore`, '{"region": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
    for (const limit of ['0', 'ten', '100000']) {
      const bad = await getJson<ErrorBody>(`${url}/api/v1/failover/audit?limit=${limit}`);
      expect(bad.status).toBe(400);
    }
    // Nothing of that reached the audit log.
    expect((await getJson<AuditAnswer>(`${url}/api/v1/failover/audit`)).body.entries).toEqual([]);
  });

  it('with VIGIL_INGEST_TOKEN, needs that token for commands and reads alike, and records its identity', async () => {
    const { url } = await start({ ingestToken: 's3cret' });
    const body = { region: 'eu-west1', reason: 'x' };
    expect((await postJson(`${url}/api/v1/failover/drain`, body)).status).toBe(401);
    expect((await postJson(`${url}/api/v1/failover/pause`, { reason: 'x' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await getJson(`${url}/api/v1/failover`)).status).toBe(401);
    const withToken = { headers: { authorization: 'Bearer s3cret' } };
    const audit = async () => (await (await fetch(`${url}/api/v1/failover/audit`, withToken)).json()) as AuditAnswer;
    expect((await audit()).entries).toEqual([]);
    const drain = await postJson<CommandAnswer>(`${url}/api/v1/failover/drain`, { ...body, onBehalfOf: 'carol' }, { authorization: 'Bearer s3cret' });
    expect(drain.status).toBe(200);
    expect(drain.body.decisions[0]).toMatchObject({ actor: 'ingest-token', onBehalfOf: 'carol' });
    expect((await audit()).entries.find((e) => e.action === 'drain')).toMatchObject({ actor: 'ingest-token', onBehalfOf: 'carol' });
  });

  it('answers 502 when the provider keeps failing: decision undone, audited, server still up', async () => {
    // The weights file's folder is a dangling symlink: reads find no file (defaults), every write fails.
    const { dir } = makeFailoverProject({ weightsPath: 'gone/weights.json' });
    symlinkSync(path.join(dir, 'no-such-target', 'gone'), path.join(dir, 'gone'));
    const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
    running.push(server);
    const res = await postJson<ErrorBody>(`${server.url}/api/v1/failover/drain`, { region: 'eu-west1', reason: 'x' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_failed');
    expect(res.body.error.message).toContain('decision undone');
    const status = await getJson<{ regions: Record<string, { phase: string }>; pending?: unknown }>(`${server.url}/api/v1/failover`);
    expect(status.body.regions['eu-west1']?.phase).toBe('serving');
    expect(status.body.pending).toBeUndefined();
    const [latest] = (await getJson<AuditAnswer>(`${server.url}/api/v1/failover/audit?limit=1`)).body.entries;
    expect(latest).toMatchObject({ action: 'apply', outcome: 'failed', before: FULL, after: { ...FULL, 'eu-west1': 0 } });
    const cli = captureIo();
    expect(await run(['failover', 'drain', 'eu-west1', '--reason', 'x', '--server', server.url], cli)).toBe(1);
    expect(cli.stderr()).toMatch(/^not carried out: file provider failed: .*decision undone/);
  });

  it('answers 404 when vigil.yaml has no spec.failover', async () => {
    const dir = makeProject();
    const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
    running.push(server);
    const res = await getJson<ErrorBody>(`${server.url}/api/v1/failover`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('spec.failover');
  });
});

describe('vigil failover (CLI)', () => {
  it('status, drain, a blocked drain (exit 1), --force (exit 0, audited), restore, pause and audit', async () => {
    const { url, weightsFile } = await start();
    const server = ['--server', url];

    const status = await cli(['status', ...server]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/mode auto, automation running, provider file, last action never/);
    expect(status.stdout).toMatch(/eu-west1\s+serving\s+100/);

    const drain = await cli(['drain', 'eu-west1', '--reason', 'disk failure', '--actor', 'alice', ...server]);
    expect(drain).toMatchObject({ code: 0, stderr: '' });
    expect(drain.stdout).toContain('drain eu-west1: executed by anonymous on behalf of alice: disk failure');
    expect(drain.stdout).toContain('weights: eu-west1=0 us-central1=100 asia-east1=100');
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });

    const blocked = await cli(['drain', 'us-central1', '--reason', 'also', ...server]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^blocked by max_drained_regions: 2 regions would be drained, at most 1 may be/);

    const forced = await cli(['drain', 'us-central1', '--reason', 'bad deploy', '--force', '--actor', 'bob', '--format', 'json', ...server]);
    expect(forced.code).toBe(0);
    const answer = JSON.parse(forced.stdout) as CommandAnswer;
    expect(answer.decisions[0]).toMatchObject({ action: 'drain', region: 'us-central1', outcome: 'executed', forced: true, actor: 'anonymous', onBehalfOf: 'bob' });
    expect(weightsOnDisk(weightsFile)).toEqual({ 'eu-west1': 0, 'us-central1': 0, 'asia-east1': 100 });

    const audit = await cli(['audit', '--limit', '50', '--format', 'json', ...server]);
    expect(audit.code).toBe(0);
    const entries = (JSON.parse(audit.stdout) as AuditAnswer).entries;
    expect(entries.find((e) => e.action === 'drain' && e.region === 'us-central1' && e.outcome === 'executed')).toMatchObject({ forced: true, actor: 'anonymous', onBehalfOf: 'bob' });
    expect(entries.find((e) => e.outcome === 'blocked')).toMatchObject({ region: 'us-central1', forced: false });

    expect((await cli(['restore', 'us-central1', '--reason', 'fixed', ...server])).code).toBe(0);
    expect((await cli(['restore', 'eu-west1', '--reason', 'fixed', ...server])).code).toBe(0);
    expect(weightsOnDisk(weightsFile)).toEqual(FULL);

    const notDrained = await cli(['restore', 'eu-west1', '--reason', 'again', ...server]);
    expect(notDrained.code).toBe(1);
    expect(notDrained.stderr).toContain('blocked by not_drained');

    expect((await cli(['pause', '--reason', 'game day', ...server])).code).toBe(0);
    expect((await cli(['status', ...server])).stdout).toContain('automation PAUSED');
    const statusJson = JSON.parse((await cli(['status', '--format', 'json', ...server])).stdout) as { paused: boolean };
    expect(statusJson.paused).toBe(true);
    expect((await cli(['resume', '--reason', 'over', ...server])).code).toBe(0);

    const table = await cli(['audit', '--limit', '3', ...server]);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+REGION\s+OUTCOME\s+REASON$/);
    expect(table.stdout).toMatch(/resume\s+-\s+executed\s+over/);
  });

  it('takes the server from VIGIL_SERVER and exits 2 on usage and connection errors', async () => {
    const { url } = await start({ ingestToken: 's3cret' });
    const missingReason = await cli(['drain', 'eu-west1', '--server', url]);
    expect(missingReason.code).toBe(2);
    expect(missingReason.stderr).toContain("required option '--reason <text>' not specified");

    const unknown = await cli(['drain', 'mars-north1', '--reason', 'x', '--server', url, '--token', 's3cret']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no region named "mars-north1"');

    const unauthorized = await cli(['pause', '--reason', 'x', '--server', url]);
    expect(unauthorized.code).toBe(2);
    expect(unauthorized.stderr).toContain('this needs a token');
    expect(unauthorized.stderr).toContain('HTTP 401 unauthorized');
    const wrong = await cli(['pause', '--reason', 'x', '--server', url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown token (HTTP 401 unauthorized)');

    const port = await closedPort();
    const down = await cli(['status', '--server', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`cannot reach Vigil at http://127.0.0.1:${port}: ECONNREFUSED`);

    const saved = process.env.VIGIL_SERVER;
    process.env.VIGIL_SERVER = url;
    try {
      const fromEnv = await cli(['status', '--format', 'json', '--token', 's3cret']);
      expect(fromEnv.code).toBe(0);
      expect(JSON.parse(fromEnv.stdout)).toMatchObject({ mode: 'auto' });
    } finally {
      if (saved === undefined) delete process.env.VIGIL_SERVER;
      else process.env.VIGIL_SERVER = saved;
    }
  });
});
