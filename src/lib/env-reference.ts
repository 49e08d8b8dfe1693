// `${NAME}` references to environment variables in vigil.yaml (notifier URLs, API tokens), so secrets
// stay out of the file. Checked for form offline by `vigil validate`, expanded when the server starts.
import { z } from 'zod';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Text with its `${NAME}` references removed; what is left must not contain another `${`. */
function malformedReference(text: string): boolean {
  return text.replace(REFERENCE, '').includes('${');
}

export function hasReference(text: string): boolean {
  return new RegExp(REFERENCE.source).test(text);
}

/** A string that may contain `${NAME}` references. */
export function withEnv() {
  return z
    .string()
    .min(1)
    .refine((text) => !malformedReference(text), {
      message: `has a malformed environment reference: write \${NAME} with letters, digits and "_"`,
    });
}

/** An http(s) URL, or text with `${NAME}` references that must make one once expanded. */
export function urlWithEnv(example: string) {
  return withEnv().superRefine((text, ctx) => {
    if (hasReference(text)) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a URL such as ${example}` });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, not ${url.protocol}` });
    }
  });
}

export type Expansion = { ok: true; text: string } | { ok: false; missing: string };

export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): Expansion {
  let missing: string | null = null;
  const expanded = text.replace(REFERENCE, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      missing ??= name;
      return '';
    }
    return value;
  });
  return missing === null ? { ok: true, text: expanded } : { ok: false, missing };
}

export interface UnsetVariable {
  /** Where the reference is, inside the expanded value. */
  path: Array<string | number>;
  name: string;
}

/** Expands every string inside `value`; lists each reference to an unset (or empty) variable. */
export function expandAll(value: unknown, env: Readonly<Record<string, string | undefined>>, path: Array<string | number> = []): { value: unknown; unset: UnsetVariable[] } {
  if (typeof value === 'string') {
    const expansion = expandEnv(value, env);
    return expansion.ok ? { value: expansion.text, unset: [] } : { value, unset: [{ path, name: expansion.missing }] };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => expandAll(item, env, [...path, i]));
    return { value: items.map((i) => i.value), unset: items.flatMap((i) => i.unset) };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [key, expandAll(item, env, [...path, key])] as const);
    return { value: Object.fromEntries(entries.map(([key, e]) => [key, e.value])), unset: entries.flatMap(([, e]) => e.unset) };
  }
  return { value, unset: [] };
}
