// /api/v1/failover: the orchestrator's status and audit log, and the IMOC's commands (drain, restore,
// pause, resume), which go through the same policy and safety rules as automatic decisions. The actor of
// a command is the caller's identity; a name the caller gives is recorded as whom it acted for.
import type { Response } from 'express';
import { auditToJson, automationCommandBody, decisionToJson, regionCommandBody, statusToJson } from '../../failover/api-json.js';
import type { FailoverController } from '../../failover/controller.js';
import type { Command } from '../../failover/policy/types.js';
import { actorOf } from '../auth/guard.js';
import { HttpError, InputError, NotFoundError } from '../errors.js';
import type { RouteHandler, RouteHandlers } from './mount.js';
import { parseBody } from './parse.js';

const MAX_AUDIT = 1000;

function auditLimit(raw: unknown): number {
  if (raw === undefined) return 100;
  const limit = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT) throw new InputError(`limit must be a whole number from 1 to ${MAX_AUDIT}`);
  return limit;
}

async function answer(controller: FailoverController, command: Command, res: Response): Promise<void> {
  const result = await controller.command(command);
  if (result.kind === 'unavailable') throw new HttpError(503, 'unavailable', result.reason);
  const { decision, outcome } = result;
  if (decision.outcome === 'blocked') {
    const what = `${decision.action}${decision.region ? ` ${decision.region}` : ''}`;
    throw new HttpError(409, 'blocked', `${what} blocked by ${decision.rule}: ${decision.reason}`, {
      rule: decision.rule,
      action: decision.action,
      region: decision.region,
      reason: decision.reason,
    });
  }
  const decisions = outcome.decisions.map(decisionToJson);
  if (outcome.failure !== null && command.kind !== 'pause' && command.kind !== 'resume') {
    throw new HttpError(502, 'provider_failed', outcome.failure, { decisions });
  }
  const weights = controller.status().weights;
  res.json(outcome.failure === null ? { decisions, weights } : { decisions, weights, failure: outcome.failure });
}

type FailoverKey = Extract<keyof RouteHandlers, `${string} /api/v1/failover${string}`>;

export function failoverHandlers(controller: FailoverController | null): Pick<RouteHandlers, FailoverKey> {
  const configured = (): FailoverController => {
    if (!controller) throw new NotFoundError('failover is not configured: add spec.failover to vigil.yaml');
    return controller;
  };

  const regionCommand =
    (kind: 'drain' | 'restore'): RouteHandler =>
    async (req, res, caller) => {
      const failover = configured();
      const body = parseBody(regionCommandBody, req.body, '{"region": string, "reason": string, "force"?: boolean, "onBehalfOf"?: string}');
      if (!failover.regions.includes(body.region)) {
        throw new NotFoundError(`no region named "${body.region}" (configured: ${failover.regions.join(', ')})`);
      }
      const who = actorOf(caller, body.onBehalfOf ?? body.actor);
      await answer(failover, { kind, region: body.region, reason: body.reason, force: body.force, ...who }, res);
    };

  const automationCommand =
    (kind: 'pause' | 'resume'): RouteHandler =>
    async (req, res, caller) => {
      const failover = configured();
      const body = parseBody(automationCommandBody, req.body, '{"reason": string, "onBehalfOf"?: string}');
      await answer(failover, { kind, reason: body.reason, ...actorOf(caller, body.onBehalfOf ?? body.actor) }, res);
    };

  return {
    'GET /api/v1/failover': (_req, res) => {
      res.json(statusToJson(configured().status()));
    },
    'GET /api/v1/failover/audit': (req, res) => {
      const limit = auditLimit(req.query.limit);
      res.json({ entries: configured().audit(limit).map(auditToJson) });
    },
    'POST /api/v1/failover/drain': regionCommand('drain'),
    'POST /api/v1/failover/restore': regionCommand('restore'),
    'POST /api/v1/failover/pause': automationCommand('pause'),
    'POST /api/v1/failover/resume': automationCommand('resume'),
  };
}
