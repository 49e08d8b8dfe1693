// Where the server may listen: without authentication only on loopback (anything else exits 2 before a port
// is opened), with spec.auth or VIGIL_INGEST_TOKEN anywhere. The real binary, as `vigil serve` runs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_ENV, AUTH_YAML, IDENTITIES } from './helpers/auth-project.js';
import { makeFailoverProject } from './helpers/failover-project.js';
import { startVigil, type VigilProcess } from './helpers/processes.js';
import { makeProject } from './helpers/project.js';

const running: VigilProcess[] = [];
afterEach(async () => {
  for (const vigil of running.splice(0)) {
    vigil.child.kill('SIGTERM');
    await vigil.exited;
  }
});

function serveOnce(dir: string, host: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [`${process.cwd()}/dist/cli/main.js`, 'serve', '--host', host, '--port', '0'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', VIGIL_INGEST_TOKEN: '', ...env },
  });
}

/** The port a server printed, reached through loopback whatever address it listens on. */
const viaLoopback = (url: string) => `http://127.0.0.1:${new URL(url).port}`;

describe('listening without authentication', () => {
  it.each([
    ['every IPv4 address', '0.0.0.0'],
    ['every IPv6 address', '::'],
    ['a LAN address', '192.0.2.10'],
    ['a host name', 'vigil.example.internal'],
  ])('refuses %s (%s) with exit 2 and what to configure, and creates no store', (_what, host) => {
    const dir = makeProject();
    const result = serveOnce(dir, host);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`refusing to listen on ${host} without authentication`);
    expect(result.stderr).toContain('spec.auth');
    expect(result.stderr).toContain('VIGIL_INGEST_TOKEN');
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('starts on loopback with a warning that anyone on this machine can move traffic', async () => {
    const dir = makeProject();
    const vigil = await startVigil(['serve', '--host', '127.0.0.1', '--port', '0'], { cwd: dir, env: { VIGIL_INGEST_TOKEN: '' } });
    running.push(vigil);
    expect(vigil.output()).toContain('anyone on this machine can read everything and move traffic');
    expect((await fetch(`${vigil.url}/api/v1/slos`)).status).toBe(200);
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const dir = makeProject();
    const vigil = await startVigil(['serve', '--port', '0'], { cwd: dir, env: { VIGIL_INGEST_TOKEN: '' } });
    running.push(vigil);
    const { port } = new URL(vigil.url);
    const { request } = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/v1/failover', method: 'GET', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`localhost:${port}`)).not.toBe(403);
    expect(await status(`[::1]:${port}`)).not.toBe(403);
    expect(await status(`attacker.example:${port}`)).toBe(403);
  });
});

describe('listening with authentication', () => {
  it('starts on 0.0.0.0 with VIGIL_INGEST_TOKEN, and wants the token', async () => {
    const dir = makeProject();
    const vigil = await startVigil(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env: { VIGIL_INGEST_TOKEN: 'an-ingest-token-0000000001' } });
    running.push(vigil);
    const url = viaLoopback(vigil.url);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/slos`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/slos`, { headers: { authorization: 'Bearer an-ingest-token-0000000001' } })).status).toBe(200);
  });

  it('starts on :: with spec.auth, tokens from the environment', async () => {
    const { dir } = makeFailoverProject({ auth: AUTH_YAML });
    const vigil = await startVigil(['serve', '--host', '::', '--port', '0'], { cwd: dir, env: AUTH_ENV });
    running.push(vigil);
    const url = viaLoopback(vigil.url);
    expect((await fetch(`${url}/api/v1/failover`, { headers: { authorization: `Bearer ${IDENTITIES.viewer.token}` } })).status).toBe(200);
  });

  it('stops with file:line:col when a token references an unset variable or is too short', () => {
    const { dir } = makeFailoverProject({ auth: AUTH_YAML });
    const unset = serveOnce(dir, '0.0.0.0', { ...AUTH_ENV, T_IMOC: '' });
    expect(unset.status).toBe(1);
    expect(unset.stderr).toMatch(/vigil\.yaml:\d+:\d+: environment variable T_IMOC is not set/);
    const short = serveOnce(dir, '0.0.0.0', { ...AUTH_ENV, T_IMOC: 'hunter2' });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/vigil\.yaml:\d+:\d+: the token of "ida" has 7 characters; use at least 16/);
  });
});
