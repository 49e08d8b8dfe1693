// zod's issues as the one-line messages Vigil prints and answers with: `path: message`, the path dotted
// ("results.3.latencyMs"), unknown fields named. One wording for the API, the demo, files and batches.
import type { z } from 'zod';

/** `whole` names the value itself when the issue is about all of it (null: no prefix). */
export function describeIssue(issue: z.core.$ZodIssue, whole: string | null = 'body'): string {
  const path = issue.path.map(String).join('.') || whole;
  const message = issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys.join('", "')}"` : issue.message;
  return path === null ? message : `${path}: ${message}`;
}

export function describeIssues(error: z.ZodError, whole: string | null = 'body'): string[] {
  return error.issues.map((issue) => describeIssue(issue, whole));
}

/** The first issue only: where one line says why a whole value is refused. */
export function firstIssue(error: z.ZodError, whole: string | null = 'body'): string {
  const [issue] = error.issues;
  return issue ? describeIssue(issue, whole) : 'invalid';
}
