// Admin-only: re-read the definitions now (instead of waiting for the file watcher), and inject faults into
// `vigil up`'s demo stand-ins. Both are audited with the identity that asked.
import { z } from 'zod';
import { countErrors, formatProblem } from '../../config/problems.js';
import { type Fault, faultSchema, type StandIn } from '../../demo/stand-ins.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditLog } from '../../store/audit-log.js';
import { actorOf } from '../auth/guard.js';
import type { Catalog } from '../catalog.js';
import { HttpError, NotFoundError } from '../errors.js';
import type { RouteHandlers } from './mount.js';
import { parseBody, pathParam } from './parse.js';

export const reloadBody = z.strictObject({ reason: z.string().trim().min(1).max(2000).optional(), onBehalfOf: z.string().trim().min(1).max(200).optional() });

export interface AdminRoutesOptions {
  catalog: Catalog;
  audit: AuditLog;
  clock: Clock;
  /** The demo stand-ins `vigil up` started (none for `vigil serve`). */
  standIns: () => readonly StandIn[];
}

type AdminKey = 'POST /api/v1/admin/reload' | 'POST /api/v1/demo/faults/:region';

export function adminHandlers(options: AdminRoutesOptions): Pick<RouteHandlers, AdminKey> {
  const { catalog, audit, clock } = options;
  const record = (who: { actor: string; onBehalfOf?: string }, action: string, region: string | null, outcome: string, reason: string) =>
    audit.append({ ts: clock.now(), actor: who.actor, onBehalfOf: who.onBehalfOf ?? null, action, region, outcome, rule: null, reason, forced: false, before: null, after: null });

  return {
    'POST /api/v1/admin/reload': async (req, res, caller) => {
      const body = parseBody(reloadBody, req.body, '{"reason"?: string}');
      const who = actorOf(caller, body.onBehalfOf);
      const problems = await catalog.reload();
      const errors = countErrors(problems);
      const { slos, probes } = catalog.snapshot();
      const summary = errors > 0 ? `kept the previous definitions: ${errors} error(s)` : `loaded ${slos.length} SLOs and ${probes.length} probes`;
      record(who, 'reload', null, errors > 0 ? 'failed' : 'executed', `${summary}${body.reason ? `: ${body.reason}` : ''}`);
      const answer = { reloaded: errors === 0, slos: slos.length, probes: probes.length, problems: problems.map(formatProblem) };
      if (errors > 0) throw new HttpError(422, 'invalid_definitions', summary, answer);
      res.json(answer);
    },
    'POST /api/v1/demo/faults/:region': (req, res, caller) => {
      const standIns = options.standIns();
      if (standIns.length === 0) throw new NotFoundError('no demo stand-ins run here (they start with vigil up and spec.demo)');
      const region = pathParam(req, 'region');
      const standIn = standIns.find((s) => s.region === region);
      if (!standIn) throw new NotFoundError(`no demo stand-in for "${region}" (there are: ${standIns.map((s) => s.region).join(', ')})`);
      const fault: Fault = parseBody(faultSchema, req.body, '{"errorRate"?: 0-1, "latencyMs"?: ms}');
      standIn.setFault(fault);
      record(actorOf(caller, undefined), 'demo_fault', standIn.region, 'executed', `demo stand-in fault set to error rate ${fault.errorRate}, latency ${fault.latencyMs} ms`);
      res.json({ region: standIn.region, fault });
    },
  };
}
