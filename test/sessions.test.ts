// Browser sessions (cookie + CSRF token) and the unknown-token rate limit, against a real server.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { AUTH_ENV, AUTH_YAML, bearer, IDENTITIES, startAuthServer } from './helpers/auth-project.js';
import { makeFailoverProject, weightsOnDisk } from './helpers/failover-project.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

interface SignedIn {
  status: number;
  cookie: string;
  setCookie: string;
  body: { identity: string; roles: string[]; via: string; csrfToken: string; expiresAt: string };
}

async function signIn(url: string, token: string): Promise<SignedIn> {
  const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { status: res.status, setCookie, cookie: setCookie.split(';')[0] ?? '', body: (await res.json()) as SignedIn['body'] };
}

async function call(url: string, method: string, route: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { error?: { code: string; message: string } } & Record<string, unknown> };
}

describe('browser sessions', () => {
  it('sign-in sets an httpOnly SameSite=Strict cookie with an expiry; a change needs the CSRF token; sign-out ends the session', async () => {
    const { server, weightsFile } = await startAuthServer();
    running.push(server);
    const { url } = server;
    const session = await signIn(url, IDENTITIES.imoc.token);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ identity: 'ida', roles: ['imoc'], via: 'session', csrfToken: expect.any(String) });
    expect(session.setCookie).toMatch(/^vigil_session=[^;]+;/);
    expect(session.setCookie).toMatch(/; HttpOnly/);
    expect(session.setCookie).toMatch(/; SameSite=Strict/);
    expect(session.setCookie).toMatch(/; Max-Age=3600/);
    expect(session.setCookie).toMatch(/; Path=\//);
    // Plain HTTP here: the cookie is not marked Secure (it is over HTTPS).
    expect(session.setCookie).not.toMatch(/Secure/);
    // The token itself is never in the cookie.
    expect(session.setCookie).not.toContain(IDENTITIES.imoc.token);

    const cookie = { cookie: session.cookie };
    expect((await call(url, 'GET', '/api/v1/slos', cookie)).status).toBe(200);
    expect((await call(url, 'GET', '/api/v1/session', cookie)).json()).toMatchObject({ identity: 'ida', via: 'session', csrfToken: session.body.csrfToken });

    const drain = { region: 'eu-west1', reason: 'from the browser' };
    const noCsrf = await call(url, 'POST', '/api/v1/failover/drain', cookie, drain);
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json().error).toMatchObject({ code: 'csrf', message: expect.stringContaining('x-csrf-token') });
    const wrongCsrf = await call(url, 'POST', '/api/v1/failover/drain', { ...cookie, 'x-csrf-token': `${session.body.csrfToken.slice(0, -2)}AA` }, drain);
    expect(wrongCsrf.status).toBe(403);
    expect(weightsOnDisk(weightsFile)).toBeNull();

    const done = await call(url, 'POST', '/api/v1/failover/drain', { ...cookie, 'x-csrf-token': session.body.csrfToken }, drain);
    expect(done.status).toBe(200);
    expect(weightsOnDisk(weightsFile)).toMatchObject({ 'eu-west1': 0 });
    const audit = (await call(url, 'GET', '/api/v1/failover/audit?limit=5', cookie)).json() as unknown as { entries: Array<{ action: string; actor: string }> };
    expect(audit.entries.find((e) => e.action === 'drain')?.actor).toBe('ida');

    // A session's role is its identity's: a viewer's session cannot drain, CSRF token or not.
    const viewer = await signIn(url, IDENTITIES.viewer.token);
    const refused = await call(url, 'POST', '/api/v1/failover/restore', { cookie: viewer.cookie, 'x-csrf-token': viewer.body.csrfToken }, { region: 'eu-west1', reason: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.json().error?.code).toBe('forbidden');

    expect((await call(url, 'DELETE', '/api/v1/session', cookie)).status).toBe(403);
    expect((await call(url, 'DELETE', '/api/v1/session', { ...cookie, 'x-csrf-token': session.body.csrfToken })).json()).toEqual({ ended: true });
    const after = await call(url, 'GET', '/api/v1/slos', cookie);
    expect(after.status).toBe(401);
    expect(after.json().error?.message).toContain('sign in again');
  });

  it('refuses a tampered cookie, an expired session, and a session whose token was rotated; a restart keeps the others', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T10:00:00Z'));
    const { dir } = makeFailoverProject({ auth: AUTH_YAML });
    const start = (env: Record<string, string>) => startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), env, clock });
    let server = await start(AUTH_ENV);
    running.push(server);
    const viewer = await signIn(server.url, IDENTITIES.viewer.token);
    const squad = await signIn(server.url, IDENTITIES.squad.token);
    const [name, value] = viewer.cookie.split('=') as [string, string];
    const tampered = `${name}=${value.slice(0, 5)}${value[5] === 'A' ? 'B' : 'A'}${value.slice(6)}`;
    expect((await call(server.url, 'GET', '/api/v1/slos', { cookie: tampered })).status).toBe(401);

    clock.advance(59 * 60_000);
    expect((await call(server.url, 'GET', '/api/v1/slos', { cookie: viewer.cookie })).status).toBe(200);

    // vera's token is rotated; the server restarts on the same store.
    await server.close();
    running.splice(0);
    server = await start({ ...AUTH_ENV, T_VIEWER: 'a-new-viewer-token-000000000009' });
    running.push(server);
    expect((await call(server.url, 'GET', '/api/v1/slos', { cookie: viewer.cookie })).status).toBe(401);
    expect((await call(server.url, 'GET', '/api/v1/slos', { cookie: squad.cookie })).status).toBe(200);

    clock.advance(2 * 60_000);
    expect((await call(server.url, 'GET', '/api/v1/slos', { cookie: squad.cookie })).status).toBe(401);
  });

  it('a viewer signed in sees the overview with a sign-out button; before signing in, the sign-in page', async () => {
    const { server } = await startAuthServer();
    running.push(server);
    const page = await call(server.url, 'GET', '/', {});
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<form id="sign-in">');
    const viewer = await signIn(server.url, IDENTITIES.viewer.token);
    const overview = await call(server.url, 'GET', '/', { cookie: viewer.cookie });
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('SLO overview');
    expect(overview.text).toContain(`<meta name="csrf-token" content="${viewer.body.csrfToken}">`);
    const prober = await signIn(server.url, IDENTITIES.prober.token);
    const forbidden = await call(server.url, 'GET', '/', { cookie: prober.cookie });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('Not allowed');
  });
});

describe('unknown-token rate limit', () => {
  it('answers 429 with Retry-After past the limit, to every credential from that address, until the window ends', async () => {
    const { server } = await startAuthServer({ server: 'unknownTokenLimit: { count: 3, per: 2s }' });
    running.push(server);
    const { url } = server;
    const guess = (n: number) => call(url, 'GET', '/api/v1/slos', { authorization: `Bearer guess-${n}-0000000000000000` });
    for (let n = 0; n < 3; n++) expect((await guess(n)).status).toBe(401);
    const blocked = await guess(3);
    expect(blocked.status).toBe(429);
    expect(blocked.json().error?.code).toBe('rate_limited');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // A right guess is no way out while blocked, nor is signing in.
    expect((await call(url, 'GET', '/api/v1/slos', bearer('viewer'))).status).toBe(429);
    expect((await signIn(url, IDENTITIES.viewer.token)).status).toBe(429);
    // Nothing was counted as a guess for requests without any credential: they get their 401.
    expect((await call(url, 'GET', '/api/v1/slos', {})).status).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    expect((await call(url, 'GET', '/api/v1/slos', bearer('viewer'))).status).toBe(200);
  });
});
