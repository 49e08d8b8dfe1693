// Random query strings on every read route that takes parameters, sent by a viewer: junk values, repeated
// parameters, unknown ones, huge numbers and odd encodings. Every answer is 200, 400 or 404 (JSON from the
// API, HTML from a page), never a 5xx, and the server keeps answering.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/server/routes/openapi.js';
import type { RouteKey } from '../src/server/routes/table.js';
import type { RunningServer } from '../src/server/start.js';
import { bearer, startAuthServer } from './helpers/auth-project.js';

let server: RunningServer;

beforeAll(async () => {
  ({ server } = await startAuthServer());
});

afterAll(async () => {
  await server?.close();
});

const PATHS: Partial<Record<RouteKey, string>> = {
  'GET /api/v1/slos/:name/history': '/api/v1/slos/api/history',
  'GET /api/v1/slos/:name/events': '/api/v1/slos/api/events',
  'GET /api/v1/reports': '/api/v1/reports',
  'GET /reports': '/reports',
  'GET /api/v1/probes': '/api/v1/probes',
  'GET /api/v1/failover/audit': '/api/v1/failover/audit',
  'GET /api/v1/drills/:name/runs': '/api/v1/drills/eu-evacuation/runs',
  'GET /api/v1/drills/:name/report': '/api/v1/drills/eu-evacuation/report',
};

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '1e308', '99999999999999999999', '5m', '0m', '1s', '1d', 'week', 'month', 'UTC', 'Europe/Stockholm', 'eu-west1', 'csv', 'md', 'html', '%00', '..', '<script>'),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2300-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer().map(String),
);

describe('query strings on read routes', () => {
  it.each(Object.entries(PATHS))('%s answers 200, 400 or 404 to 150 random queries, never a 5xx', async (key, path) => {
    const known = (OPERATIONS[key as RouteKey]?.query ?? []).map((p) => p.name);
    const name = fc.oneof(fc.constantFrom(...known), fc.string({ minLength: 1, maxLength: 10 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 6 }), async (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const res = await fetch(`${server.url}${path}?${query}`, { headers: bearer('viewer') });
        const text = await res.text();
        expect([200, 400, 404], `${query}: ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
        if (res.status === 200) return;
        if (key.startsWith('GET /api/')) expect(JSON.parse(text).error.message.length, query).toBeGreaterThan(0);
        else expect(res.headers.get('content-type'), query).toMatch(/^text\/html/);
      }),
      { numRuns: 150 },
    );
  });
});
