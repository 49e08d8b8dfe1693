// /api/v1/silences: a squad quiets its SLOs' alerts for a while (a deploy, a known incident). A silence
// only stops notifications and is shown on the report; failover decisions never look at silences.
import { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import { parseDuration } from '../../lib/duration.js';
import { SEVERITIES, type SloDefinition } from '../../slo/model.js';
import type { Silence, SilenceStore } from '../../store/silence-store.js';
import type { Caller } from '../auth/guard.js';
import { actsForSquad } from '../auth/roles.js';
import type { Identity } from '../auth/tokens.js';
import { ConflictError, ForbiddenError, InputError, NotFoundError } from '../errors.js';
import type { RouteHandlers } from './mount.js';
import { parseBody, pathParam } from './parse.js';

const MAX_SILENCE_MS = 30 * 24 * 3_600_000;

const durationText = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'not a duration' });
      return z.NEVER;
    }
  })
  .refine((ms) => ms >= 60_000 && ms <= MAX_SILENCE_MS, { message: 'must be from 1m to 30d' });

export const silenceBody = z.strictObject({
  slo: z.string().min(1).max(200),
  region: z.string().min(1).max(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  duration: durationText,
  reason: z.string().trim().min(1, 'say why (reason)').max(2000),
  onBehalfOf: z.string().trim().min(1).max(200).optional(),
});

export function silenceToJson(s: Silence) {
  return {
    id: s.id,
    slo: s.slo,
    region: s.region,
    severity: s.severity,
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    reason: s.reason,
    createdBy: s.createdBy,
    onBehalfOf: s.onBehalfOf,
  };
}

export interface SilenceRoutesOptions {
  store: SilenceStore;
  slos: () => readonly SloDefinition[];
  clock: Clock;
}

/** The identity, when it may act for `squad`; 403 naming the squad otherwise. */
function actingFor(caller: Caller | null, squad: string, what: string): Identity {
  const identity = caller?.identity;
  if (!identity || !actsForSquad(identity.roles, identity.squads, squad)) {
    throw new ForbiddenError(`${identity?.name ?? 'this caller'} may not ${what}: it needs role squad for squad "${squad}", or admin`);
  }
  return identity;
}

type SilenceKey = Extract<keyof RouteHandlers, `${string} /api/v1/silences${string}`>;

export function silenceHandlers(options: SilenceRoutesOptions): Pick<RouteHandlers, SilenceKey> {
  const { store, clock } = options;
  const sloNamed = (name: string): SloDefinition | undefined => options.slos().find((s) => s.name === name);
  return {
    'GET /api/v1/silences': (_req, res) => {
      res.json({ silences: store.active(clock.now()).map(silenceToJson) });
    },
    'POST /api/v1/silences': (req, res, caller) => {
      const body = parseBody(silenceBody, req.body, '{"slo": string, "region"?: string, "severity"?: "page"|"ticket", "duration": "2h", "reason": string}');
      const slo = sloNamed(body.slo);
      if (!slo) throw new NotFoundError(`no SLO named "${body.slo}"`);
      if (body.region !== undefined && !slo.regions.includes(body.region)) {
        throw new InputError(`region: ${slo.name} has no region "${body.region}" (its regions: ${slo.regions.join(', ') || 'none'})`);
      }
      const actor = actingFor(caller, slo.squad, `silence ${slo.name}`).name;
      const now = clock.now();
      const silence = store.create({
        slo: slo.name,
        region: body.region ?? null,
        severity: body.severity ?? null,
        startsAt: now,
        endsAt: now + body.duration,
        reason: body.reason,
        createdBy: actor,
        onBehalfOf: body.onBehalfOf !== undefined && body.onBehalfOf !== actor ? body.onBehalfOf : null,
      });
      res.status(201).json({ silence: silenceToJson(silence) });
    },
    'DELETE /api/v1/silences/:id': (req, res, caller) => {
      const raw = pathParam(req, 'id');
      const silence = /^\d{1,15}$/.test(raw) ? store.get(Number(raw)) : null;
      if (!silence) throw new NotFoundError(`no silence #${raw}`);
      // An SLO deleted since keeps its silence until it ends; only an admin may end it early.
      const squad = sloNamed(silence.slo)?.squad ?? '';
      const identity = actingFor(caller, squad, `end silence #${silence.id}`);
      if (!store.end(silence, { actor: identity.name, onBehalfOf: null }, clock.now())) throw new ConflictError(`silence #${silence.id} has already ended`);
      res.json({ silence: silenceToJson({ ...silence, endedAt: clock.now(), endedBy: identity.name }), ended: true });
    },
  };
}
