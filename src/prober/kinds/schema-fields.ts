// YAML field types shared by the probe kinds' schemas: addresses, IP family, regexes and byte sizes.
import { isIP } from 'node:net';
import { z } from 'zod';

/** `any` lets the system resolver pick (its own order); 4 or 6 asks for that family only. */
export const ipFamily = z.literal(['any', 4, 6]).default('any');
export type IpFamily = z.output<typeof ipFamily>;

/** A JavaScript regular expression, checked at load time; kept as text so settings stay plain data. */
export const regexText = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
  }
});

const SIZE = /^(\d+)(B|KiB|MiB|GiB|kB|MB|GB)$/;
const SIZE_UNIT: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** Parses "512KiB", "1MiB", "100kB" into bytes; null when the text is not such a size. */
export function parseByteSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const unit = SIZE_UNIT[match[2]];
  const bytes = Number(match[1]) * (unit ?? 0);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** A size in bytes: a positive integer, or an integer with a unit (B, KiB, MiB, GiB, kB, MB, GB). */
export const byteSize = z.union([z.number(), z.string()]).transform((value, ctx): number => {
  const bytes = typeof value === 'number' ? value : parseByteSize(value);
  if (bytes === null || !Number.isSafeInteger(bytes) || bytes <= 0) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `cannot parse size "${value}": expected a positive integer followed by one of B, KiB, MiB, GiB, kB, MB, GB (e.g. 512KiB, 1MiB)`,
    });
    return z.NEVER;
  }
  return bytes;
});

export interface HostPort {
  host: string;
  port: number;
}

/** Splits "host:port" or "[v6]:port"; null when the text is not one. */
export function parseHostPort(text: string): HostPort | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  if (!match?.[3]) return null;
  const host = match[1] ?? match[2];
  const port = Number(match[3]);
  if (!host || port < 1 || port > 65535) return null;
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

function addressIssue(address: string): z.core.$ZodRawIssue {
  return {
    code: 'custom',
    input: address,
    path: ['address'],
    message: `"${address}" is not host:port (e.g. db.example.com:5432, 10.0.0.7:443, [2001:db8::1]:443)`,
  };
}

/** A target given as `address: host:port` (plus the kind's own fields), kept as written beside its parts. */
export function addressTarget<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject({ address: z.string(), ...shape }).transform((target, ctx) => {
    // zod cannot narrow a spread of a generic shape; `address` is in the schema above.
    const { address } = target as { address: string };
    const parsed = parseHostPort(address);
    if (!parsed) {
      ctx.issues.push(addressIssue(address));
      return z.NEVER;
    }
    return { ...target, ...parsed };
  });
}

/**
 * How a TLS peer is trusted (blackbox_exporter's tls_config): the CA bundle, the name to send as SNI and
 * to check the certificate against, or no verification at all. Shared by the http, tcp and tls kinds.
 */
export const tlsTrustFields = {
  /** PEM file with the CA certificates to trust instead of Node's bundled roots; read when the probe loads. */
  caFile: z.string().min(1, 'must be the path of a PEM file').optional(),
  /** SNI and the name the certificate must carry, when it differs from the target's host. */
  serverName: z
    .string()
    .regex(/^[A-Za-z0-9_*]([A-Za-z0-9_.*-]*[A-Za-z0-9])?$/, 'must be a DNS name such as api.example.com')
    .optional(),
  /** Accept any certificate (its expiry is still reported); off by default. */
  insecureSkipVerify: z.boolean().default(false),
};

export const tlsConfig = z.strictObject(tlsTrustFields).prefault({});
export type TlsConfig = z.output<typeof tlsConfig>;
