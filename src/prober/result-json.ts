// Probe results on the wire (agent → server, `vigil probe --once`): ISO timestamps, checked at the boundary.
import { z } from 'zod';
import { parseTimestamp } from '../lib/timestamp.js';
import type { ProbeResult } from './model.js';
import { FAILURE_KINDS } from './outcome.js';

export interface ProbeResultJson {
  probe: string;
  target: string;
  targetRegion: string;
  vantage: string;
  ts: string;
  ok: boolean;
  latencyMs: number;
  failure: string | null;
  status: number | null;
  phases: Record<string, number> | null;
  detail?: string;
  certExpiresAt?: string;
}

export function toJson(result: ProbeResult): ProbeResultJson {
  const { certExpiresAt, ...rest } = result;
  const json: ProbeResultJson = { ...rest, ts: new Date(result.ts).toISOString() };
  if (certExpiresAt !== undefined) json.certExpiresAt = new Date(certExpiresAt).toISOString();
  return json;
}

export const probeResultSchema = z
  .strictObject({
    probe: z.string().min(1),
    target: z.string().min(1),
    targetRegion: z.string().min(1),
    vantage: z.string().min(1),
    ts: z.string(),
    ok: z.boolean(),
    latencyMs: z.number().nonnegative(),
    failure: z.enum(FAILURE_KINDS).nullable(),
    status: z.number().int().nullable(),
    phases: z.record(z.string(), z.number().nonnegative()).nullable(),
    detail: z.string().max(2000).optional(),
    certExpiresAt: z.string().optional(),
  })
  .transform((json, ctx): ProbeResult => {
    const ts = parseTimestamp(json.ts);
    if (ts === null) {
      ctx.issues.push({ code: 'custom', input: json.ts, path: ['ts'], message: 'is not an ISO 8601 time with an offset' });
      return z.NEVER;
    }
    const { certExpiresAt, ...rest } = json;
    const expires = certExpiresAt === undefined ? null : parseTimestamp(certExpiresAt);
    if (certExpiresAt !== undefined && expires === null) {
      ctx.issues.push({ code: 'custom', input: certExpiresAt, path: ['certExpiresAt'], message: 'is not an ISO 8601 time with an offset' });
      return z.NEVER;
    }
    return expires === null ? { ...rest, ts } : { ...rest, ts, certExpiresAt: expires };
  });
