// Event counts imported from JSON Lines: {"slo","ts","good","total","region"?,"vantage"?} per line.
// Bad lines are reported with their line number and skipped; the rest still count.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseTimestamp } from '../../lib/timestamp.js';
import { firstIssue } from '../../lib/zod-issues.js';
import type { CountRecord } from '../../store/bucket-store.js';

/** One imported event line: counts for an SLO at a time, from a target region as seen from a vantage. */
export type EventRecord = CountRecord;

export interface BadLine {
  line: number;
  message: string;
}

// Checked in this order so that the first issue is the one that explains: 1e20 is too large, not fractional.
const count = z
  .number()
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`)
  .int('must be a whole number');

const eventLine = z
  .strictObject({
    slo: z.string().min(1),
    ts: z.string(),
    good: count,
    total: count,
    region: z.string().min(1).optional(),
    vantage: z.string().min(1).optional(),
  })
  .refine((e) => e.good <= e.total, { message: 'must not exceed total', path: ['good'] });

/** Parses one line; `knownSlos` rejects events for SLOs that are not defined. */
export function parseEventLine(text: string, knownSlos: ReadonlySet<string>): EventRecord | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  return parseEvent(json, knownSlos);
}

/** Validates one event object (from a file line or an API body); returns the record or why it is bad. */
export function parseEvent(json: unknown, knownSlos: ReadonlySet<string>): EventRecord | string {
  return wellFormedEvent(json, knownSlos) ?? parseEventWithSchema(json, knownSlos);
}

const EVENT_FIELDS = new Set(['slo', 'ts', 'good', 'total', 'region', 'vantage']);

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isOptionalName = (value: unknown): value is string | undefined => value === undefined || (typeof value === 'string' && value.length > 0);

/**
 * The record for an event the schema would accept, checked field by field without zod's copies; null for
 * anything else, which the schema then words. Accepts nothing the schema refuses, so the answers are the same.
 */
function wellFormedEvent(json: unknown, knownSlos: ReadonlySet<string>): EventRecord | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  for (const key in json) if (!EVENT_FIELDS.has(key)) return null;
  const { slo, ts, good, total, region, vantage } = json as Record<string, unknown>;
  if (typeof slo !== 'string' || slo.length === 0 || !knownSlos.has(slo) || typeof ts !== 'string') return null;
  if (!isCount(good) || !isCount(total) || good > total || !isOptionalName(region) || !isOptionalName(vantage)) return null;
  const at = parseTimestamp(ts);
  if (at === null) return null;
  return { slo, ts: at, good, total, targetRegion: region ?? '', vantage: vantage ?? '' };
}

/** The schema's verdict, with its wording: the reference `parseEvent` agrees with on every input. */
export function parseEventWithSchema(json: unknown, knownSlos: ReadonlySet<string>): EventRecord | string {
  const result = eventLine.safeParse(json);
  if (!result.success) {
    return firstIssue(result.error, null);
  }
  const event = result.data;
  const ts = parseTimestamp(event.ts);
  if (ts === null) return `ts: "${event.ts}" is not an ISO 8601 time with an offset (e.g. 2026-11-01T00:00:00Z)`;
  if (!knownSlos.has(event.slo)) return `unknown SLO "${event.slo}"`;
  return {
    slo: event.slo,
    ts,
    good: event.good,
    total: event.total,
    targetRegion: event.region ?? '',
    vantage: event.vantage ?? '',
  };
}

/** Streams an events file, calling `onEvent` per good line (with its number); returns the bad ones. */
export async function readEventsFile(
  file: string,
  knownSlos: ReadonlySet<string>,
  onEvent: (event: EventRecord, line: number) => void,
): Promise<BadLine[]> {
  const bad: BadLine[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    // Editors on some systems start UTF-8 files with a byte order mark.
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    const parsed = parseEventLine(text, knownSlos);
    if (typeof parsed === 'string') bad.push({ line: lineNumber, message: parsed });
    else onEvent(parsed, lineNumber);
  }
  return bad;
}
