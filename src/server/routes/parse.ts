// Request bodies and query parameters parsed at the boundary into typed values, or a 400 that says which
// field is wrong and how.
import type { Request } from 'express';
import type { z } from 'zod';
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
