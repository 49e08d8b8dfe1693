// The `http:` section of an http probe and its targets (`url:`), as YAML authors write them.
import { z } from 'zod';
import { byteSize, ipFamily, regexText, tlsConfig } from '../schema-fields.js';
import { parseJsonPath } from './expectations.js';

export interface StatusRange {
  min: number;
  max: number;
}

const STATUS = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;

/** 204, "204" or "200-299" → an inclusive range. */
export const statusRange = z.union([z.number(), z.string()]).transform((value, ctx): StatusRange => {
  const match = STATUS.exec(String(value));
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || min > max) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `"${value}" is not a status code or an ascending range of them (e.g. 204, "200-299")`,
    });
    return z.NEVER;
  }
  return { min, max };
});

const jsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const expectSchema = z.strictObject({
  /** Accepted statuses; anything else is an http_status failure. */
  status: z.array(statusRange).min(1).default([{ min: 200, max: 299 }]),
  /** Must match somewhere in the body (decoded as UTF-8). */
  bodyRegex: regexText.optional(),
  /** Response header (case-insensitive name) → regex its value must match; a missing header fails. */
  headers: z.record(z.string(), regexText).default({}),
  /** JSON path ("$.a.b[0]") → the scalar found there must equal this value exactly (no type coercion). */
  json: z
    .record(z.string(), jsonScalar)
    .superRefine((paths, ctx) => {
      for (const path of Object.keys(paths)) {
        const problem = parseJsonPath(path).problem;
        if (problem) ctx.addIssue({ code: 'custom', path: [path], message: problem });
      }
    })
    .optional(),
});

// Tokens per RFC 9110; undici rejects the hop-by-hop ones because it manages the connection itself.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MANAGED_HEADERS = new Set(['connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'expect', 'content-length']);

const requestHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid header name` });
    else if (MANAGED_HEADERS.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" is managed by the prober and cannot be set` });
    } else if (/[\r\n\0]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'header values cannot contain line breaks' });
  }
});

export const httpSettingsSchema = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: requestHeaders.default({}),
  /** Request body, sent as written (set content-type in headers). */
  body: z.string().optional(),
  expect: expectSchema.prefault({}),
  followRedirects: z.boolean().default(true),
  /**
   * Reading stops with body_too_large past this many bytes; never more is held in memory. Capped at 64 MiB:
   * a prober runs many targets at once, and a health check has no business reading more.
   */
  maxBodyBytes: byteSize.pipe(z.number().max(64 * 1024 ** 2, 'must be at most 64MiB: a probe holds the body in memory')).default(1024 ** 2),
  ipFamily,
  /** Keep the connection between attempts; off by default so each attempt measures dns, connect and tls. */
  reuseConnections: z.boolean().default(false),
  /** Trust for https:// targets: caFile, serverName, insecureSkipVerify. */
  tlsConfig,
});

export type HttpSettings = z.output<typeof httpSettingsSchema>;
export type HttpExpectations = HttpSettings['expect'];

export const httpTargetSchema = z.strictObject({ url: z.string() }).superRefine((target, ctx) => {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `"${target.url}" is not a URL (e.g. https://eu.example.com/healthz)` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `"${target.url}" must be an http:// or https:// URL` });
  }
});

export type HttpTarget = z.output<typeof httpTargetSchema>;
