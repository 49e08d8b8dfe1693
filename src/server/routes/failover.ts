// /api/v1/failover: the orchestrator's status and audit log, and the IMOC's commands (drain, restore,
// pause, resume), which go through the same policy and safety rules as automatic decisions.
import { type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';
import {
  auditToJson,
  automationCommandBody,
  decisionToJson,
  regionCommandBody,
  statusToJson,
} from '../../failover/api-json.js';
import type { FailoverController } from '../../failover/controller.js';
import type { Command } from '../../failover/policy/types.js';
import { HttpError, InputError, NotFoundError } from '../errors.js';

const MAX_AUDIT = 1000;

function parse<T extends z.ZodType>(schema: T, body: unknown, expected: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new InputError(`expected ${expected}`, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
  }
  return parsed.data;
}

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

/** `writers` guards the commands (the ingest bearer token when one is configured). */
export function failoverRouter(controller: FailoverController | null, writers: RequestHandler): Router {
  const router = Router();
  const configured = (): FailoverController => {
    if (!controller) throw new NotFoundError('failover is not configured: add spec.failover to vigil.yaml');
    return controller;
  };

  router.get('/', (_req, res) => {
    res.json(statusToJson(configured().status()));
  });

  router.get('/audit', (req, res) => {
    const limit = auditLimit(req.query.limit);
    res.json({ entries: configured().audit(limit).map(auditToJson) });
  });

  for (const kind of ['drain', 'restore'] as const) {
    router.post(`/${kind}`, writers, async (req, res) => {
      const failover = configured();
      const body = parse(regionCommandBody, req.body, '{"region": string, "reason": string, "force"?: boolean, "actor"?: string}');
      if (!failover.regions.includes(body.region)) {
        throw new NotFoundError(`no region named "${body.region}" (configured: ${failover.regions.join(', ')})`);
      }
      await answer(failover, { kind, region: body.region, reason: body.reason, force: body.force, actor: body.actor }, res);
    });
  }

  for (const kind of ['pause', 'resume'] as const) {
    router.post(`/${kind}`, writers, async (req, res) => {
      const failover = configured();
      const body = parse(automationCommandBody, req.body, '{"reason": string, "actor"?: string}');
      await answer(failover, { kind, reason: body.reason, actor: body.actor }, res);
    });
  }
  return router;
}
