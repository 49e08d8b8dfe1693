// The OpenAPI document at /api/v1/openapi.json against the server it describes: every route of the table is
// in it with its path parameters, real answers of every documented response validate against their schemas,
// documented request bodies accept what the server accepts and refuse what it refuses, and errors have the
// documented shape.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/server/routes/openapi.js';
import { ROUTES, type RouteKey } from '../src/server/routes/table.js';
import type { RunningServer } from '../src/server/start.js';
import { bearer, startAuthServer } from './helpers/auth-project.js';

type Schema = Record<string, unknown>;
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

let server: RunningServer;
let doc: OpenApi;
let resultsBatch: unknown;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const recent = () => new Date(Date.now() - 60_000).toISOString();

/** A request that reaches each GET route's 200 answer on the test project. */
const SAMPLE_GETS: Partial<Record<RouteKey, string>> = {
  'GET /api/v1/overview': '/api/v1/overview',
  'GET /api/v1/slos/:name/history': '/api/v1/slos/api/history?step=1h',
  'GET /api/v1/slos/:name/events': '/api/v1/slos/api/events',
  'GET /api/v1/reports': '/api/v1/reports?period=week',
  'GET /api/v1/probes/summary': '/api/v1/probes/summary',
  'GET /api/v1/failover': '/api/v1/failover',
  'GET /api/v1/failover/audit': '/api/v1/failover/audit?limit=10',
  'GET /api/v1/drills/:name/runs': '/api/v1/drills/eu-evacuation/runs',
  'GET /api/v1/drills/:name/report': '/api/v1/drills/eu-evacuation/report',
};

const post = (p: string, body: unknown, who: Parameters<typeof bearer>[0]) =>
  fetch(`${server.url}${p}`, { method: 'POST', headers: { ...bearer(who), 'content-type': 'application/json' }, body: JSON.stringify(body) });

function operation(key: RouteKey) {
  const [method, path] = key.split(' ') as [string, string];
  return doc.paths[path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
}

function validator(schema: Schema) {
  return ajv.compile({ ...schema, $defs: { ...((schema.$defs as Schema) ?? {}) }, components: doc.components });
}

beforeAll(async () => {
  ({ server } = await startAuthServer());
  const res = await fetch(`${server.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApi;
  // Something to answer: events, a probe result with a failure, a drill run.
  expect((await post('/api/v1/events', { events: [{ slo: 'api', ts: recent(), good: 9, total: 10, region: 'eu-west1', vantage: 'us-central1' }] }, 'prober')).status).toBe(200);
  resultsBatch = { batchId: 'oa-1', vantage: 'us-central1', results: [{ ts: recent(), probe: 'api-http', target: 'http://203.0.113.10/', targetRegion: 'eu-west1', vantage: 'us-central1', ok: false, latencyMs: 12.5, failure: 'http_status', status: 503, phases: null, detail: 'HTTP 503', certExpiresAt: new Date(Date.now() + 20 * 86_400_000).toISOString() }] };
  const results = await post('/api/v1/results', resultsBatch, 'prober');
  expect(results.status, await results.clone().text()).toBe(200);
  expect((await post('/api/v1/drills/eu-evacuation/start', { reason: 'openapi test' }, 'imoc')).status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and has every route of the table, with its path parameters', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const op = operation(route.key);
      expect(op, route.key).toBeDefined();
      const params = [...route.key.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      expect(op?.parameters.filter((p) => p.in === 'path').map((p) => p.name), route.key).toEqual(params);
      expect(op?.requestBody !== undefined, `${route.key} body`).toBe('body' in route);
    }
    expect(Object.values(doc.paths).flatMap((p) => Object.keys(p))).toHaveLength(ROUTES.length);
  });

  it.each(Object.entries(SAMPLE_GETS))('%s answers what the document says', async (key, path) => {
    const res = await fetch(`${server.url}${path}`, { headers: bearer('viewer') });
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
    const schema = operation(key as RouteKey)?.responses['200']?.content?.['application/json']?.schema;
    expect(schema, key).toBeDefined();
    const validate = validator(schema as Schema);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('documents a response schema for every GET route it has a sample for, and a sample for every documented one', () => {
    const documented = Object.entries(OPERATIONS)
      .filter(([key, op]) => key.startsWith('GET /api/') && op?.response !== undefined)
      .map(([key]) => key)
      .sort();
    expect(Object.keys(SAMPLE_GETS).sort()).toEqual(documented);
  });

  it('describes the bodies an agent sends: the batch the server just accepted validates', () => {
    const validate = validator(operation('POST /api/v1/results')?.requestBody?.content['application/json']?.schema as Schema);
    expect(validate(resultsBatch), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ batchId: 'x', vantage: 'v', results: [{ probe: 'p' }] })).toBe(false);
  });

  it('describes the command answers: pause and resume validate against their schemas', async () => {
    for (const kind of ['pause', 'resume'] as const) {
      const res = await post(`/api/v1/failover/${kind}`, { reason: 'openapi test' }, 'imoc');
      const body = await res.json();
      expect(res.status).toBe(200);
      const validate = validator(operation(`POST /api/v1/failover/${kind}`)?.responses['200']?.content?.['application/json']?.schema as Schema);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it.each([
    ['POST /api/v1/failover/drain', '/api/v1/failover/drain', { region: 'eu-west1' }, { region: 'eu-west1', reason: 'x', force: 'yes' }],
    ['POST /api/v1/silences', '/api/v1/silences', { slo: 'api', reason: 'x' }, { slo: 'api', duration: '1h', reason: 'x', extra: 1 }],
    ['POST /api/v1/session', '/api/v1/session', {}, { token: 5 }],
  ] as const)('%s: bodies the schema refuses, the server refuses with a 400 of the documented shape', async (key, path, ...bodies) => {
    const schema = operation(key)?.requestBody?.content['application/json']?.schema as Schema;
    const validBody = validator(schema);
    const validError = validator({ $ref: '#/components/schemas/Error' });
    for (const body of bodies) {
      expect(validBody(body), JSON.stringify(body)).toBe(false);
      const res = await post(path, body, 'admin');
      const answer = await res.json();
      expect(res.status, JSON.stringify(answer)).toBe(400);
      expect(validError(answer), JSON.stringify(validError.errors)).toBe(true);
    }
  });
});
