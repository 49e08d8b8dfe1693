// Probe results on the wire (agent → server, `vigil probe --once`): ISO timestamps, checked at the boundary.
// An agent writes each result's JSON as its attempt ends (encodeResult), straight from the outcome: no result
// object waits in a batch, and what every result of a target repeats is written once.
import { z } from 'zod';
import { parseTimestamp } from '../lib/timestamp.js';
import type { ProbeResult } from './model.js';
import { FAILURE_KINDS, type Outcome, type Phases, roundMicros } from './outcome.js';
import type { TargetLabels } from './scheduler.js';

/** A failed result's detail is cut to this many characters. */
const MAX_DETAIL = 500;

/** Builds the result of one attempt. */
export function toResult(labels: Omit<TargetLabels, 'type'>, startedAt: number, outcome: Outcome): ProbeResult {
  return {
    probe: labels.probe,
    target: labels.target,
    targetRegion: labels.targetRegion,
    vantage: labels.vantage,
    ts: Math.floor(startedAt),
    ok: outcome.ok,
    latencyMs: roundMicros(outcome.latencyMs),
    failure: outcome.failure,
    status: outcome.status ?? null,
    phases: phaseRecord(outcome.phases),
    ...(!outcome.ok && outcome.detail !== undefined ? { detail: outcome.detail.slice(0, MAX_DETAIL) } : {}),
    ...(outcome.certExpiresAt !== undefined ? { certExpiresAt: outcome.certExpiresAt } : {}),
  };
}

function phaseRecord(phases: Phases | undefined): Record<string, number> | null {
  if (!phases) return null;
  const record: Record<string, number> = {};
  for (const [name, ms] of Object.entries(phases)) if (typeof ms === 'number') record[name] = roundMicros(ms);
  return record;
}

/** The start of every result of a target, up to the time: `{"probe":…,"vantage":…,"ts":"`. */
const prefixes = new WeakMap<TargetLabels, string>();

function prefixOf(labels: TargetLabels): string {
  let prefix = prefixes.get(labels);
  if (prefix === undefined) {
    const head = JSON.stringify({ probe: labels.probe, target: labels.target, targetRegion: labels.targetRegion, vantage: labels.vantage });
    // Joined rather than concatenated: one flat string kept per target.
    prefix = [head.slice(0, -1), ',"ts":"'].join('');
    prefixes.set(labels, prefix);
  }
  return prefix;
}

/**
 * The JSON text of `toJson(toResult(labels, startedAt, outcome))`, the same characters, written without the
 * intermediate objects.
 */
export function encodeResult(labels: TargetLabels, startedAt: number, outcome: Outcome): string {
  let text = `${prefixOf(labels)}${isoTime(Math.floor(startedAt))}","ok":${outcome.ok},"latencyMs":${millisText(outcome.latencyMs)},"failure":${
    outcome.failure === null ? 'null' : `"${outcome.failure}"`
  },"status":${outcome.status === undefined ? 'null' : jsonNumber(outcome.status)},"phases":${phasesJson(outcome.phases)}`;
  if (!outcome.ok && outcome.detail !== undefined) text += `,"detail":${JSON.stringify(outcome.detail.slice(0, MAX_DETAIL))}`;
  if (outcome.certExpiresAt !== undefined) text += `,"certExpiresAt":"${isoTime(outcome.certExpiresAt)}"`;
  return `${text}}`;
}

function phasesJson(phases: Phases | undefined): string {
  if (!phases) return 'null';
  let text = '';
  for (const name in phases) {
    const ms = phases[name as keyof Phases];
    if (typeof ms === 'number') text += `${text === '' ? '' : ','}"${name}":${millisText(ms)}`;
  }
  return `{${text}}`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * `jsonNumber(roundMicros(ms))` from whole microseconds: an integer turns into text far faster than a
 * fraction, whose shortest form V8 has to search for. The same text for every value below 2^53 µs, since a
 * decimal with at most three places and fifteen digits is its double's shortest form.
 */
function millisText(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (!(micros > 0) || micros > Number.MAX_SAFE_INTEGER) return jsonNumber(roundMicros(ms));
  const whole = Math.floor(micros / 1000);
  const fraction = micros - whole * 1000;
  if (fraction === 0) return `${whole}`;
  if (fraction % 100 === 0) return `${whole}.${fraction / 100}`;
  if (fraction % 10 === 0) return `${whole}.${fraction < 100 ? '0' : ''}${fraction / 10}`;
  return `${whole}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}

/** The seconds part of the last ISO time written ("2026-12-07T19:01:30."), reused within that second. */
let isoSecond = Number.NaN;
let isoSecondText = '';

/** `new Date(ms).toISOString()`, without a Date for every call within the same second. */
function isoTime(ms: number): string {
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    const text = new Date(second * 1000).toISOString();
    // Years outside 0000-9999 are written with a sign and six digits: no shortcut for those.
    if (text.length !== 24) return new Date(ms).toISOString();
    isoSecond = second;
    isoSecondText = text.slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${isoSecondText}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

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
