// /api/v1/drills: the drills and their next runs, what one would do now, runs and reports (readable by
// viewers), and the IMOC's start, approve and abort, each audited with the identity through the orchestrator.
import { abortBody, approveBody, runToJson, startBody } from '../../failover/drills/api-json.js';
import { DrillError, type DrillRunner } from '../../failover/drills/runner.js';
import { actorOf } from '../auth/guard.js';
import { ConflictError, HttpError, InputError, NotFoundError } from '../errors.js';
import type { RouteHandler, RouteHandlers } from './mount.js';
import { parseBody, pathParam } from './parse.js';

type DrillKey = Extract<keyof RouteHandlers, `${string} /api/v1/drills${string}`>;

function asHttp(error: unknown): never {
  if (error instanceof DrillError) throw error.kind === 'not_found' ? new NotFoundError(error.message) : new ConflictError(error.message);
  throw error;
}

function runsLimit(raw: unknown): number {
  if (raw === undefined) return 20;
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= 200)) throw new InputError('limit must be a whole number from 1 to 200');
  return limit;
}

export function drillHandlers(runner: DrillRunner | null): Pick<RouteHandlers, DrillKey> {
  const configured = (): DrillRunner => {
    if (!runner) throw new NotFoundError('no drills are configured: add spec.drills to vigil.yaml (with spec.failover)');
    return runner;
  };
  const guarded =
    (handler: RouteHandler): RouteHandler =>
    async (req, res, caller) => {
      try {
        await handler(req, res, caller);
      } catch (error) {
        asHttp(error);
      }
    };
  return {
    'GET /api/v1/drills': guarded((_req, res) => {
      const { drills, awaitingApproval, active } = configured().list();
      res.json({ drills, awaitingApproval: awaitingApproval.map(runToJson), active: active && runToJson(active) });
    }),
    'GET /api/v1/drills/:name/plan': guarded((req, res) => {
      res.json(configured().plan(pathParam(req, 'name')));
    }),
    'GET /api/v1/drills/:name/runs': guarded((req, res) => {
      res.json({ runs: configured().runs(pathParam(req, 'name'), runsLimit(req.query.limit)).map(runToJson) });
    }),
    'GET /api/v1/drills/:name/report': guarded((req, res) => {
      const { run } = req.query;
      if (run !== undefined && typeof run !== 'string') throw new InputError('run must be given once, as a run id');
      res.json(configured().report(pathParam(req, 'name'), run));
    }),
    'POST /api/v1/drills/:name/start': guarded(async (req, res, caller) => {
      const body = parseBody(startBody, req.body, '{"reason": string, "onBehalfOf"?: string}');
      const run = await configured().start(pathParam(req, 'name'), actorOf(caller, body.onBehalfOf), body.reason);
      // Skipped: something would have blocked the drain; nothing was started.
      if (run.state === 'skipped') throw new HttpError(409, 'blocked', `not started: ${run.reason}`, { run: runToJson(run) });
      res.json({ run: runToJson(run) });
    }),
    'POST /api/v1/drills/:name/approve': guarded(async (req, res, caller) => {
      const body = parseBody(approveBody, req.body, '{"run": string, "onBehalfOf"?: string}');
      const run = await configured().approve(pathParam(req, 'name'), body.run, actorOf(caller, body.onBehalfOf));
      if (run.state === 'skipped') throw new HttpError(409, 'blocked', `approved, but not started: ${run.reason}`, { run: runToJson(run) });
      res.json({ run: runToJson(run) });
    }),
    'POST /api/v1/drills/:name/abort': guarded(async (req, res, caller) => {
      const body = parseBody(abortBody, req.body, '{"reason": string, "onBehalfOf"?: string}');
      res.json({ run: runToJson(await configured().abort(pathParam(req, 'name'), actorOf(caller, body.onBehalfOf), body.reason)) });
    }),
  };
}
