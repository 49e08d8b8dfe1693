// The `dns:` section of a dns probe and its targets (`name`, `type`, and `address` or `server: system`).
import { z } from 'zod';
import { ipFamily, parseHostPort, regexText } from '../schema-fields.js';

/** Record types both paths can ask for and render: the wire client and Node's resolver (c-ares). */
export const QUERY_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NAPTR', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** The header RCODEs of RFC 1035 and RFC 2136, by value. */
export const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;
export type Rcode = (typeof RCODES)[number];

const LABEL = /^[A-Za-z0-9_*](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A DNS name as written (trailing dot optional), checked for label and total length; "." is the root. */
const dnsName = z.string().transform((text, ctx): string => {
  const name = text.length > 1 && text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name === '.' ? [] : name.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (name.length === 0 || bad !== undefined || name.length > 253) {
    ctx.issues.push({
      code: 'custom',
      input: text,
      message: `"${text}" is not a DNS name (labels of 1-63 letters, digits, "-" or "_", at most 253 characters, e.g. playback.example.com)`,
    });
    return z.NEVER;
  }
  return name;
});

const expectSchema = z.strictObject({
  /** The reply's RCODE must be this one. */
  rcode: z.enum(RCODES).default('NOERROR'),
  /** At least one answer record of the queried type must match (rendered as `dig +short` shows it, without trailing dots). */
  answerRegex: regexText.optional(),
  /** At least this many answer records of the queried type; default 1 when rcode is NOERROR, else 0. */
  minAnswers: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
  /** The AA bit must be set (true) or clear (false); not checkable through the system resolver. */
  authoritative: z.boolean().optional(),
});

export const dnsSettingsSchema = z.strictObject({
  /** udp (falling back to tcp when the reply is truncated, as resolvers do) or tcp only. */
  transport: z.enum(['udp', 'tcp']).default('udp'),
  /** The RD bit: ask the server to recurse (a resolver) or not (an authoritative server does not care). */
  recursionDesired: z.boolean().default(true),
  expect: expectSchema.prefault({}),
  /** Address family used to reach a server given by name. */
  ipFamily,
});

export type DnsSettings = z.output<typeof dnsSettingsSchema>;
export type DnsExpectations = DnsSettings['expect'];

export type DnsServer = { kind: 'address'; address: string; host: string; port: number } | { kind: 'system' };

export const dnsTargetSchema = z
  .strictObject({
    name: dnsName,
    type: z.enum(QUERY_TYPES).default('A'),
    /** The server to ask, host:port. */
    address: z.string().optional(),
    /** `system`: Node's resolver with the operating system's configuration (/etc/resolv.conf). */
    server: z.literal('system').optional(),
  })
  .transform((target, ctx) => {
    const { name, type, address } = target;
    if ((address === undefined) === (target.server === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: target,
        path: address === undefined ? [] : ['server'],
        message: 'give exactly one of address (host:port of the DNS server) or server: system',
      });
      return z.NEVER;
    }
    if (address === undefined) return { name, type, server: { kind: 'system' } as DnsServer };
    const parsed = parseHostPort(address);
    if (!parsed) {
      ctx.issues.push({
        code: 'custom',
        input: address,
        path: ['address'],
        message: `"${address}" is not host:port (e.g. 127.0.0.1:53, ns1.example.com:53, [2001:db8::53]:53)`,
      });
      return z.NEVER;
    }
    return { name, type, server: { kind: 'address', address, ...parsed } as DnsServer };
  });

export type DnsTarget = z.output<typeof dnsTargetSchema>;

/** `A playback.example.com @127.0.0.1:5353`, `MX example.com @system`. */
export function dnsTargetLabel(target: DnsTarget): string {
  const at = target.server.kind === 'system' ? 'system' : target.server.address;
  return `${target.type} ${target.name} @${at}`;
}
