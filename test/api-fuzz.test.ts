// Malformed bodies on every write route, sent by an admin (so every guard lets them through to the body
// checks): wrong JSON types for each field, unknown fields, non-objects, truncated JSON, invalid UTF-8, deep
// nesting, huge numbers, wrong content types, oversized bodies. Every answer is a 4xx JSON error, never a
// 5xx, and nothing is stored.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '../src/server/routes/table.js';
import type { RunningServer } from '../src/server/start.js';
import { IDENTITIES, startAuthServer } from './helpers/auth-project.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid body per write route: each mutation below turns it into an invalid one. */
const TEMPLATES: Record<string, { path: string; body: Record<string, Json> | null }> = {
  'POST /api/v1/session': { path: '/api/v1/session', body: { token: IDENTITIES.viewer.token } },
  'DELETE /api/v1/session': { path: '/api/v1/session', body: null },
  'POST /api/v1/results': { path: '/api/v1/results', body: { batchId: 'b', vantage: 'eu-west1', results: [] } },
  'POST /api/v1/events': { path: '/api/v1/events', body: { batchId: 'b', events: [{ slo: 'api', ts: '2026-12-01T00:00:00Z', good: 1, total: 1 }] } },
  'POST /api/v1/failover/drain': { path: '/api/v1/failover/drain', body: { region: 'eu-west1', reason: 'r', force: false, onBehalfOf: 'x' } },
  'POST /api/v1/failover/restore': { path: '/api/v1/failover/restore', body: { region: 'eu-west1', reason: 'r', force: false } },
  'POST /api/v1/failover/pause': { path: '/api/v1/failover/pause', body: { reason: 'r', onBehalfOf: 'x' } },
  'POST /api/v1/failover/resume': { path: '/api/v1/failover/resume', body: { reason: 'r' } },
  'POST /api/v1/drills/:name/start': { path: '/api/v1/drills/eu-evacuation/start', body: { reason: 'r', onBehalfOf: 'x' } },
  'POST /api/v1/drills/:name/approve': { path: '/api/v1/drills/eu-evacuation/approve', body: { run: 'r-1', onBehalfOf: 'x' } },
  'POST /api/v1/drills/:name/abort': { path: '/api/v1/drills/eu-evacuation/abort', body: { reason: 'r' } },
  'POST /api/v1/silences': { path: '/api/v1/silences', body: { slo: 'api', region: 'eu-west1', severity: 'page', duration: '1h', reason: 'r' } },
  'DELETE /api/v1/silences/:id': { path: '/api/v1/silences/1', body: null },
  'POST /api/v1/admin/reload': { path: '/api/v1/admin/reload', body: { reason: 'r' } },
  'POST /api/v1/demo/faults/:region': { path: '/api/v1/demo/faults/eu-west1', body: { errorRate: 0.5, latencyMs: 10 } },
};

const WRITE_ROUTES = (ROUTES as readonly RouteSpec[]).filter((r) => !r.key.startsWith('GET '));

interface Malformed {
  what: string;
  contentType: string | null;
  payload: Buffer;
}

const jsonTypeOf = (value: Json): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** A JSON value whose type differs from `type`. */
const otherType = (type: string): fc.Arbitrary<Json> =>
  fc
    .oneof(
      fc.constant<Json>(null),
      fc.boolean(),
      fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(1e308), fc.constant(-(2 ** 63))),
      fc.string({ maxLength: 50 }),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
    )
    .filter((value) => jsonTypeOf(value) !== type);

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function malformedBodies(template: Record<string, Json> | null): fc.Arbitrary<Malformed> {
  const json = (what: string, text: string, contentType: string | null = 'application/json'): Malformed => ({ what, contentType, payload: Buffer.from(text) });
  if (template === null) {
    // A route that takes no body: any body at all is refused.
    return fc.oneof(
      fc.jsonValue().map((v) => json('a body where none is taken', JSON.stringify(v))),
      fc.string({ minLength: 1 }).map((t) => json('text where no body is taken', t, 'text/plain')),
    );
  }
  const keys = Object.keys(template);
  const valid = JSON.stringify(template);
  const arbitraries: Array<fc.Arbitrary<Malformed>> = [
    // One field of the wrong JSON type.
    fc
      .constantFrom(...keys)
      .chain((key) => otherType(jsonTypeOf(template[key] as Json)).map((value) => json(`${key} of the wrong type`, JSON.stringify({ ...template, [key]: value })))),
    // An unknown field beside valid ones.
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !keys.includes(k) && k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }))
      .map(([key, value]) => json('an unknown field', JSON.stringify({ ...template, [key]: value }))),
    // Not an object.
    fc.oneof(fc.integer(), fc.string(), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), fc.constant(null), fc.boolean()).map((v) => json('not an object', JSON.stringify(v))),
    // Cut short: a strict prefix of an object is never JSON.
    fc.integer({ min: 0, max: valid.length - 1 }).map((n) => json('truncated JSON', valid.slice(0, n))),
    // Invalid UTF-8 inside a string.
    fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])).map((bad) => {
      const [key] = keys.filter((k) => typeof template[k] === 'string');
      const text = JSON.stringify({ ...template, [key ?? 'x']: '@@' });
      const at = text.indexOf('@@');
      return { what: 'invalid UTF-8', contentType: 'application/json', payload: Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at + 2))]) };
    }),
    // Deep nesting, as the body or as a field.
    fc.integer({ min: 1000, max: 100_000 }).map((depth) => json('deep nesting', deep(depth))),
    fc.integer({ min: 100, max: 1000 }).map((depth) => json('deeply nested field', `{"${keys[0]}":${deep(depth)}}`)),
    // Numbers JSON can write but nothing can hold.
    fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1e-400').map((n) => json('a huge number', `{"${keys[0]}":${n}}`)),
    // The right body with the wrong content type.
    fc
      .constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=latin1')
      .map((contentType) => json(`content type ${contentType ?? 'missing'}`, valid, contentType)),
    // Random bytes.
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ what: 'random bytes', contentType: 'application/json', payload: Buffer.from(bytes) })),
  ];
  return fc.oneof(...arbitraries);
}

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

function snapshot(): unknown {
  const row = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM blocks) AS blocks, (SELECT COALESCE(SUM(total), 0) FROM blocks) AS events, (SELECT COUNT(*) FROM ingested_batches) AS batches,
              (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM silences) AS silences,
              (SELECT COUNT(*) FROM sessions) AS sessions, (SELECT COUNT(*) FROM failover_journal) AS journal,
              (SELECT state FROM failover_state WHERE id = 1) AS failoverState, (SELECT COUNT(*) FROM drill_runs) AS drillRuns`,
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

async function send(method: string, route: string, malformed: Malformed): Promise<{ status: number; text: string; type: string | null }> {
  const headers: Record<string, string> = { authorization: `Bearer ${IDENTITIES.admin.token}` };
  if (malformed.contentType !== null) headers['content-type'] = malformed.contentType;
  const res = await fetch(`${server.url}${route}`, { method, headers, body: malformed.payload });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

function expectRefused(answer: { status: number; text: string; type: string | null }, label: string): void {
  expect(answer.status, `${label}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${label}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
  expect(answer.type, label).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, label).toBe('string');
  expect(typeof body.error?.message, label).toBe('string');
}

describe('API fuzz', () => {
  it('has a template for every write route', () => {
    expect(WRITE_ROUTES.map((r) => r.key).sort()).toEqual(Object.keys(TEMPLATES).sort());
  });

  it.each(WRITE_ROUTES.map((r) => [r.key] as const))('%s: every malformed body is a 4xx JSON error and stores nothing', async (key) => {
    const template = TEMPLATES[key];
    if (!template) throw new Error(`no template for ${key}`);
    const method = key.split(' ')[0] as string;
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(malformedBodies(template.body), async (malformed) => {
        const answer = await send(method, template.path, malformed);
        expectRefused(answer, `${key} with ${malformed.what}`);
      }),
      { numRuns: 300 },
    );
    expect(snapshot()).toEqual(before);
  });

  it.each(WRITE_ROUTES.filter((r) => r.body !== undefined).map((r) => [r.key, r] as const))('%s: a body past its limit is 413', async (key, route) => {
    const template = TEMPLATES[key];
    if (!template?.body) throw new Error(`no template for ${key}`);
    const limit = Number.parseInt(route.body ?? '0', 10) * (route.body?.endsWith('mb') ? 1024 ** 2 : 1024);
    const before = snapshot();
    // Valid JSON, only too large: padded with whitespace past the route's limit.
    const payload = Buffer.from(`${JSON.stringify(template.body)}${' '.repeat(limit + 1)}`);
    const answer = await send(key.split(' ')[0] as string, template.path, { what: 'oversized', contentType: 'application/json', payload });
    expectRefused(answer, `${key} oversized`);
    expect(answer.status).toBe(413);
    expect(snapshot()).toEqual(before);
  });
});
