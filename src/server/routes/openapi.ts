// GET /api/v1/openapi.json: the API as an OpenAPI 3.1 document, built from the route table (paths, methods,
// roles, summaries) and the zod schemas the routes parse bodies with and answer from, so it cannot drift
// from what the server does. A test checks every route against it and validates real answers.
import { z } from 'zod';
import { faultSchema } from '../../demo/stand-ins.js';
import { auditJson, automationCommandBody, commandAnswerJson, regionCommandBody, statusJson } from '../../failover/api-json.js';
import { abortBody, approveBody, drillReportJson, runJson, startBody } from '../../failover/drills/api-json.js';
import { probeResultSchema } from '../../prober/result-json.js';
import { periodReportJson } from '../../slo/period-report.js';
import { overviewJson } from '../overview-model.js';
import { probeSummaryJson } from '../probe-board.js';
import { historyJson, sloEventsJson } from '../slo-timeline.js';
import { reloadBody } from './admin.js';
import { eventsBody } from './events.js';
import type { RouteHandlers } from './mount.js';
import { resultsBody } from './results.js';
import { signInBody } from './session.js';
import { silenceBody } from './silences.js';
import { ROUTES, type RouteKey, type RouteSpec } from './table.js';

interface Parameter {
  name: string;
  description: string;
  required?: boolean;
  example?: string;
}

interface Operation {
  query?: readonly Parameter[];
  body?: z.ZodType;
  response?: z.ZodType;
}

const limit = (max: number): Parameter => ({ name: 'limit', description: `at most this many entries (1 to ${max})` });
const reportQuery: Parameter[] = [
  { name: 'period', description: 'week (Monday to Monday) or month; default week', example: 'week' },
  { name: 'start', description: 'a date (YYYY-MM-DD, in timeZone) or an ISO time in the period wanted; default now', example: '2026-11-23' },
  { name: 'squad', description: "only this squad's SLOs" },
  { name: 'timeZone', description: 'IANA zone the period is cut in; default UTC', example: 'Europe/Stockholm' },
];

/** What each API route takes and answers, beyond the table. Pages and assets are described by the table alone. */
export const OPERATIONS: Partial<Record<RouteKey, Operation>> = {
  'POST /api/v1/session': { body: signInBody },
  'GET /api/v1/overview': { response: overviewJson },
  'GET /api/v1/slos/:name/history': {
    query: [
      { name: 'from', description: 'ISO 8601 time with offset; default one SLO window before to', example: '2026-11-01T00:00:00Z' },
      { name: 'to', description: 'ISO 8601 time with offset; default now' },
      { name: 'step', description: 'whole minutes, e.g. 5m; at most 10,000 points', example: '5m' },
      { name: 'region', description: 'only this target region' },
      { name: 'vantage', description: 'only results from this vantage' },
    ],
    response: historyJson,
  },
  'GET /api/v1/slos/:name/events': {
    query: [
      { name: 'from', description: 'ISO 8601 time with offset; default one SLO window before to' },
      { name: 'to', description: 'ISO 8601 time with offset; default now' },
    ],
    response: sloEventsJson,
  },
  'GET /api/v1/reports': { query: reportQuery, response: periodReportJson },
  'GET /reports': { query: [...reportQuery, { name: 'format', description: 'html (default), csv or md' }] },
  'GET /api/v1/probes': { query: [{ name: 'vantage', description: 'only the probes that run from this region' }] },
  'GET /api/v1/probes/summary': { response: probeSummaryJson },
  'GET /api/v1/failover': { response: statusJson },
  'GET /api/v1/failover/audit': { query: [limit(1000)], response: auditJson },
  'POST /api/v1/failover/drain': { body: regionCommandBody, response: commandAnswerJson },
  'POST /api/v1/failover/restore': { body: regionCommandBody, response: commandAnswerJson },
  'POST /api/v1/failover/pause': { body: automationCommandBody, response: commandAnswerJson },
  'POST /api/v1/failover/resume': { body: automationCommandBody, response: commandAnswerJson },
  'GET /api/v1/drills/:name/runs': { query: [limit(200)], response: z.object({ runs: z.array(runJson) }) },
  'GET /api/v1/drills/:name/report': { query: [{ name: 'run', description: 'the run id; default the latest run' }], response: drillReportJson },
  'POST /api/v1/drills/:name/start': { body: startBody, response: z.object({ run: runJson }) },
  'POST /api/v1/drills/:name/approve': { body: approveBody, response: z.object({ run: runJson }) },
  'POST /api/v1/drills/:name/abort': { body: abortBody, response: z.object({ run: runJson }) },
  'POST /api/v1/results': { body: resultsBody.extend({ results: z.array(probeResultSchema) }) },
  'POST /api/v1/events': { body: eventsBody },
  'POST /api/v1/silences': { body: silenceBody },
  'POST /api/v1/admin/reload': { body: reloadBody },
  'POST /api/v1/demo/faults/:region': { body: faultSchema },
};

export const errorJson = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

type JsonSchema = Record<string, unknown>;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operationOf(route: RouteSpec): Record<string, unknown> {
  const [, path] = route.key.split(' ') as [string, string];
  const extra = OPERATIONS[route.key as RouteKey] ?? {};
  const parameters = [
    ...[...path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...(extra.query ?? []).map((p) => ({ name: p.name, in: 'query', required: p.required ?? false, description: p.description, schema: { type: 'string', ...(p.example ? { examples: [p.example] } : {}) } })),
  ];
  const roles = route.access === 'public' ? 'anyone' : route.access === 'signed-in' ? 'any signed-in identity' : `role ${route.access.join(' or ')} (admin may do everything but push probe data)`;
  const ok = route.page
    ? { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } }
    : { description: 'OK', content: { 'application/json': { schema: extra.response ? schemaOf(extra.response, 'output') : { type: 'object' } } } };
  const operation: Record<string, unknown> = {
    operationId: route.key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
    summary: route.summary,
    description: `Allowed: ${roles}.`,
    parameters,
    responses: {
      200: ok,
      400: errorResponse('bad input: the message names the parameter or field'),
      ...(route.access === 'public' ? {} : { 401: errorResponse('no or unknown token'), 403: errorResponse('the identity lacks the role') }),
      404: errorResponse('no such thing'),
    },
    ...(route.access === 'public' ? { security: [] } : {}),
  };
  if (route.body !== undefined) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: extra.body ? schemaOf(extra.body, 'input') : { type: 'object' } } } };
  }
  return operation;
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteSpec[]) {
    const [method, path] = route.key.split(' ') as [string, string];
    const openApiPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[openApiPath] = { ...paths[openApiPath], [method.toLowerCase()]: operationOf(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil', version: '1', description: 'SLOs, probes, failover and drills. Send Authorization: Bearer TOKEN, or sign in for a session cookie (writes then need the x-csrf-token header).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' } },
      schemas: { Error: schemaOf(errorJson, 'output') },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

export function openApiHandlers(): Pick<RouteHandlers, 'GET /api/v1/openapi.json'> {
  const document = JSON.stringify(openApiDocument());
  return {
    'GET /api/v1/openapi.json': (_req, res) => {
      res.type('json').send(document);
    },
  };
}
