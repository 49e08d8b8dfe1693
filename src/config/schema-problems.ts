// Turns zod validation issues into problems at the offending YAML node, with "did you mean" hints.
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { Problem } from './problems.js';
import type { Path, YamlDocument } from './yaml-document.js';

/** The closest candidate when it is a plausible typo of `word`, else null. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const best = closest(word, [...candidates]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? best : null;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = suggest(word, candidates);
  return hint ? ` (did you mean "${hint}"?)` : '';
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
}

function defOf(schema: unknown): SchemaDef | null {
  if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) return null;
  const internals = (schema as { _zod: { def: SchemaDef } })._zod;
  return internals.def;
}

/** The field names the schema allows at `path`, found by walking the schema alongside the data. */
export function knownKeys(schema: z.ZodType, path: Path): string[] {
  let current: unknown = schema;
  let segments = [...path];
  for (let guard = 0; guard < 200; guard++) {
    const def = defOf(current);
    if (!def) return [];
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (segments.length === 0) return def.shape ? Object.keys(def.shape) : [];
    else if (def.shape) {
      current = def.shape[String(segments[0])];
      segments = segments.slice(1);
    } else if (def.element) {
      current = def.element;
      segments = segments.slice(1);
    } else if (def.valueType) {
      current = def.valueType;
      segments = segments.slice(1);
    } else return [];
  }
  return [];
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

export function fieldName(path: Path): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replaceAll('.[', '[') || 'document';
}

/**
 * One problem per zod issue, worded for people editing YAML. `base` is where in the document the value
 * that `schema` checked sits (for sub-schemas applied to part of a document).
 */
export function schemaProblems(
  doc: YamlDocument,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  base: Path = [],
): Problem[] {
  const problems: Problem[] = [];
  const located: Locator = {
    name: (path) => fieldName([...base, ...path]),
    problem: (path, message, options) => doc.problem([...base, ...path], message, options),
  };
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    const field = located.name(path);
    const value = valueAt(doc.value, [...base, ...path]);
    if (issue.code === 'unrecognized_keys') {
      const allowed = knownKeys(schema, path);
      for (const key of issue.keys) problems.push(unknownField(located, path, key, allowed));
      continue;
    }
    const unknownKey = issue.code === 'custom' ? issue.params?.unknownKey : undefined;
    if (typeof unknownKey === 'string') {
      const allowed = issue.code === 'custom' && Array.isArray(issue.params?.allowed) ? issue.params.allowed : [];
      problems.push(unknownField(located, path.slice(0, -1), unknownKey, allowed.map(String)));
      continue;
    }
    if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
      problems.push(located.problem(path.slice(0, -1), `missing required field "${field}"`));
      continue;
    }
    if (issue.code === 'invalid_type') {
      problems.push(located.problem(path, `${field} must be ${article(issue.expected)}, got ${describeValue(value)}`));
      continue;
    }
    if (issue.code === 'invalid_value') {
      const options = issue.values.map(String);
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      problems.push(located.problem(path, `${field} must be one of ${options.join(', ')}, got ${describeValue(value)}${hint}`));
      continue;
    }
    problems.push(located.problem(path, `${field}: ${issue.message}`));
  }
  return problems;
}

/** Problems at paths relative to where a (sub-)schema's value sits in the document. */
interface Locator {
  name(path: Path): string;
  problem(path: Path, message: string, options?: { key?: boolean }): Problem;
}

function unknownField(at: Locator, parent: Path, key: string, allowed: readonly string[]): Problem {
  const name = at.name(parent);
  const where = name === 'document' ? '' : ` in ${name}`;
  return at.problem([...parent, key], `unknown field "${key}"${where}${didYouMean(key, allowed)}`, { key: true });
}

function article(expected: string): string {
  if (expected === 'object') return 'a map';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
