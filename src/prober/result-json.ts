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
}

export function toJson(result: ProbeResult): ProbeResultJson {
  return { ...result, ts: new Date(result.ts).toISOString() };
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
  })
  .transform((json, ctx): ProbeResult => {
    const ts = parseTimestamp(json.ts);
    if (ts === null) {
      ctx.issues.push({ code: 'custom', input: json.ts, path: ['ts'], message: 'is not an ISO 8601 time with an offset' });
      return z.NEVER;
    }
    return { ...json, ts };
  });
