// Field types shared by Vigil's YAML kinds: names, durations, and fields that take one of several shapes.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { DurationError, formatDuration, MINUTE_MS, parseDuration } from '../lib/duration.js';
import { parseTimestamp } from '../lib/timestamp.js';
import { didYouMean, knownKeys } from './schema-problems.js';

/** A lowercase RFC 1123 label: what Kubernetes, OpenSLO and DNS accept as a name. */
export const rfc1123Label = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    message: 'must be a lowercase RFC 1123 label: a-z, 0-9 and "-", at most 63 characters, starting and ending alphanumeric',
  });

/** An IANA time zone name. */
export const timeZone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not an IANA time zone (e.g. Europe/Stockholm, UTC)' });

/** An ISO 8601 time with an offset, parsed to milliseconds. */
export function instant() {
  return z.string().transform((text, ctx) => {
    const ms = parseTimestamp(text);
    if (ms === null) {
      ctx.issues.push({ code: 'custom', input: text, message: 'must be an ISO 8601 time with an offset (e.g. 2026-11-01T00:00:00Z)' });
      return z.NEVER;
    }
    return ms;
  });
}

export interface DurationOptions {
  /** Smallest allowed value in milliseconds. */
  min?: number;
  /** Require a whole number of minutes. */
  wholeMinutes?: boolean;
  /** Allowed units, for fields that only accept some (e.g. the SLO window: m, h, d, w). */
  pattern?: { regex: RegExp; hint: string };
}

/** A duration string ("5m", "1h30m") parsed to milliseconds, with a clear message when it is not one. */
export function duration(options: DurationOptions = {}) {
  return z.string().transform((text, ctx) => {
    if (options.pattern && !options.pattern.regex.test(text)) {
      ctx.issues.push({ code: 'custom', input: text, message: `cannot parse "${text}": ${options.pattern.hint}` });
      return z.NEVER;
    }
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      ctx.issues.push({ code: 'custom', input: text, message: error.message });
      return z.NEVER;
    }
    if (options.min !== undefined && ms < options.min) {
      ctx.issues.push({ code: 'custom', input: text, message: `"${text}" is too short: at least ${formatDuration(options.min)}` });
      return z.NEVER;
    }
    if (options.wholeMinutes && ms % MINUTE_MS !== 0) {
      ctx.issues.push({ code: 'custom', input: text, message: `"${text}" must be a whole number of minutes` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A duration whose value is used in whole minutes (alert and SLO windows). */
export function minutes(options: Omit<DurationOptions, 'wholeMinutes'> = {}) {
  return duration({ min: MINUTE_MS, ...options, wholeMinutes: true }).transform((ms) => ms / MINUTE_MS);
}

/** Passes a nested schema's issues on to the enclosing one (paths stay relative to the field). */
function forward(ctx: z.RefinementCtx, issues: readonly z.core.$ZodIssue[], input: unknown): void {
  for (const issue of issues) ctx.issues.push({ ...issue, input } as z.core.$ZodRawIssue);
}

/** Runs `schema` on a string and keeps the text as written beside the parsed value. */
export function withText<T>(schema: z.ZodType<T>) {
  return z.string().transform((text, ctx): { value: T; text: string } => {
    const result = schema.safeParse(text);
    if (result.success) return { value: result.data, text };
    forward(ctx, result.error.issues, text);
    return z.NEVER;
  });
}

export interface Branch<T> {
  when: (value: unknown) => boolean;
  schema: z.ZodType<T>;
}

/**
 * A field that takes one of several shapes, told apart by the raw value (a string or a map, say).
 * Unlike a zod union, the problems reported are those of the shape the author meant.
 */
export function oneOf<T>(branches: ReadonlyArray<Branch<T>>, expected: string) {
  return z.unknown().transform((value, ctx): T => {
    const branch = branches.find((b) => b.when(value));
    if (!branch) {
      ctx.issues.push({ code: 'custom', input: value, message: `must be ${expected}` });
      return z.NEVER;
    }
    const result = branch.schema.safeParse(value);
    if (result.success) return result.data;
    forwardWithHints(ctx, branch.schema, result.error.issues, value);
    return z.NEVER;
  });
}

/** Forwards a nested schema's issues, keeping "unknown field" hints (the allowed names) for its maps. */
function forwardWithHints(ctx: z.RefinementCtx, schema: z.ZodType, issues: readonly z.core.$ZodIssue[], input: unknown): void {
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      forward(ctx, [issue], input);
      continue;
    }
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    for (const key of issue.keys) {
      ctx.issues.push({
        code: 'custom',
        input,
        path: [...path, key],
        message: 'unknown field',
        params: { unknownKey: key, allowed: knownKeys(schema, path) },
      });
    }
  }
}

/**
 * A map whose `kind` picks the schema from a registry (providers, notifiers…): unknown kinds get a
 * "did you mean", known ones are checked by their own schema.
 */
export function byKind(registry: ReadonlyMap<string, { schema: z.ZodType }>, noun: string) {
  return z.looseObject({ kind: z.string() }).transform((value, ctx): { kind: string; config: unknown } => {
    const entry = registry.get(value.kind);
    if (!entry) {
      const known = [...registry.keys()];
      ctx.issues.push({
        code: 'custom',
        input: value.kind,
        path: ['kind'],
        message: `unknown ${noun} "${value.kind}" (known: ${known.join(', ')})${didYouMean(value.kind, known)}`,
      });
      return z.NEVER;
    }
    const result = entry.schema.safeParse(value);
    if (result.success) return { kind: value.kind, config: result.data };
    forwardWithHints(ctx, entry.schema, result.error.issues, value);
    return z.NEVER;
  });
}

export const isString = (value: unknown): boolean => typeof value === 'string';
export const isMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isList = (value: unknown): boolean => Array.isArray(value);
