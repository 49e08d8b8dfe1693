// What an http probe expects of a response (status, headers, body regex, JSON values), compiled once per
// runner and checked without I/O.
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpExpectations, StatusRange } from './schema.js';

export type JsonPathSegment = string | number;
type JsonScalar = string | number | boolean | null;

const SEGMENT = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/y;

/**
 * Parses the JSON path subset Vigil supports: `$`, then `.name`, `[index]` or `["any key"]` steps
 * (e.g. `$.checks[0].status`, `$["dotted.key"]`). No wildcards, filters or recursive descent.
 */
export function parseJsonPath(text: string): { segments: JsonPathSegment[]; problem: string | null } {
  const segments: JsonPathSegment[] = [];
  if (!text.startsWith('$')) return { segments, problem: `JSON path "${text}" must start with "$" (e.g. $.status)` };
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < text.length) {
    const at = SEGMENT.lastIndex;
    const match = SEGMENT.exec(text);
    if (!match) {
      return {
        segments,
        problem: `cannot parse JSON path "${text}" at "${text.slice(at)}": use .name, [index] or ["key"] steps (e.g. $.checks[0].status)`,
      };
    }
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return { segments, problem: null };
}

/** The value at `segments`, or `missing` when a step does not exist. */
export function readJsonPath(document: unknown, segments: readonly JsonPathSegment[]): { found: boolean; value: unknown } {
  let value = document;
  for (const segment of segments) {
    if (typeof segment === 'number' ? !Array.isArray(value) : typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { found: false, value: undefined };
    }
    const container = value as Record<string | number, unknown>;
    if (!Object.hasOwn(container, segment)) return { found: false, value: undefined };
    value = container[segment];
  }
  return { found: true, value };
}

interface JsonCheck {
  path: string;
  segments: JsonPathSegment[];
  equals: JsonScalar;
}

function describeRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(', ');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export class ResponseExpectations {
  /** Whether any check reads the body; otherwise it is only counted, never kept. */
  readonly needsBody: boolean;
  private readonly status: readonly StatusRange[];
  private readonly headers: ReadonlyArray<{ name: string; regex: RegExp }>;
  private readonly bodyRegex: RegExp | null;
  private readonly json: readonly JsonCheck[];

  constructor(expect: HttpExpectations) {
    this.status = expect.status;
    this.headers = Object.entries(expect.headers).map(([name, regex]) => ({ name: name.toLowerCase(), regex: new RegExp(regex) }));
    this.bodyRegex = expect.bodyRegex === undefined ? null : new RegExp(expect.bodyRegex);
    this.json = Object.entries(expect.json ?? {}).map(([path, equals]) => ({ path, segments: parseJsonPath(path).segments, equals }));
    this.needsBody = this.bodyRegex !== null || this.json.length > 0;
  }

  /** Null when the status is accepted, else why not. */
  statusProblem(status: number): string | null {
    for (const range of this.status) if (status >= range.min && status <= range.max) return null;
    return `status ${status}, expected ${describeRanges(this.status)}`;
  }

  headersProblem(headers: IncomingHttpHeaders): string | null {
    for (const { name, regex } of this.headers) {
      const value = headerText(headers[name]);
      if (value === undefined) return `header ${name} missing, expected /${regex.source}/`;
      if (!regex.test(value)) return `header ${name}: "${value.slice(0, 100)}" does not match /${regex.source}/`;
    }
    return null;
  }

  bodyProblem(body: Buffer): string | null {
    const text = body.toString('utf8');
    if (this.bodyRegex && !this.bodyRegex.test(text)) return `body does not match /${this.bodyRegex.source}/`;
    if (this.json.length === 0) return null;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      return 'body is not JSON';
    }
    for (const check of this.json) {
      const { found, value } = readJsonPath(document, check.segments);
      if (!found) return `${check.path} not found in the body`;
      if (value !== check.equals) return `${check.path} is ${JSON.stringify(value)?.slice(0, 100)}, expected ${JSON.stringify(check.equals)}`;
    }
    return null;
  }
}
