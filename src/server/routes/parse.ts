// Request bodies and query parameters parsed at the boundary into typed values, or a 400 that says which
// field is wrong and how.
import type { Request } from 'express';
import type { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import { parseTimestamp } from '../../lib/timestamp.js';
import { describeIssues } from '../../lib/zod-issues.js';
import { InputError } from '../errors.js';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown, expected: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new InputError(`expected ${expected}`, describeIssues(parsed.error));
  return parsed.data;
}

/** A named path parameter (`:name`) as the one string it always is for the routes of the table. */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** A query parameter given at most once, as text; undefined when absent. */
export function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`${name}: give it once, as text`);
  return value;
}

/** An ISO 8601 instant with an offset; undefined when absent. */
export function queryInstant(req: Request, name: string): number | undefined {
  const text = queryText(req, name);
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text);
  if (ms === null) throw new InputError(`${name}: "${text.slice(0, 60)}" is not an ISO 8601 time with an offset (e.g. 2026-11-01T00:00:00Z)`);
  return ms;
}

/** A duration such as 5m or 1h; undefined when absent. */
export function queryDuration(req: Request, name: string): number | undefined {
  const text = queryText(req, name);
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InputError(`${name}: ${error instanceof Error ? error.message : 'not a duration'}`);
  }
}
