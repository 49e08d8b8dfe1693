// What every answer carries, whatever the route: security headers, no caching of API answers, JSON errors
// for the wrong method or content type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server/start.js';
import { bearer, startAuthServer } from './helpers/auth-project.js';

let server: RunningServer;
beforeAll(async () => {
  ({ server } = await startAuthServer());
});
afterAll(async () => {
  await server?.close();
});

describe('HTTP hygiene', () => {
  it.each([
    ['an API answer', '/api/v1/slos', 200],
    ['a refusal', '/api/v1/failover', 401],
    ['a page', '/', 401],
    ['an unknown API path', '/api/v1/nope', 404],
  ])('%s carries security headers and Cache-Control: no-store', async (_what, route, status) => {
    const res = await fetch(`${server.url}${route}`, { headers: route === '/api/v1/slos' ? bearer('viewer') : {} });
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers a wrong method with 405 and Allow, a wrong content type with 415, both as JSON', async () => {
    const wrongMethod = await fetch(`${server.url}/api/v1/failover/drain`, { headers: bearer('imoc') });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
    const form = await fetch(`${server.url}/api/v1/failover/drain`, {
      method: 'POST',
      headers: { ...bearer('imoc'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'region=eu-west1&reason=x',
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it('serves the health check to anyone, and an HTML 404 for an unknown page', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const missing = await fetch(`${server.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
