// The `cloud-dns` provider's config: which weighted record set in which Cloud DNS managed zone.
import { z } from 'zod';
import { fqdn } from '../dns-name.js';

/** Where the Cloud DNS API is: its origin, and whether it is plain HTTP (an emulator or a fake). */
export interface ApiEndpoint {
  origin: string;
  host: string;
  plainHttp: boolean;
}

/** `host[:port]` or `https://host[:port]` (Google credentials), `http://host:port` (none); else null. */
export function parseApiEndpoint(text: string): ApiEndpoint | null {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${text}`;
  if (!URL.canParse(withScheme)) return null;
  const url = new URL(withScheme);
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (!bare || url.hostname === '' || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  return { origin: url.origin, host: url.host, plainHttp: url.protocol === 'http:' };
}

const apiEndpoint = z.string().refine((text) => parseApiEndpoint(text) !== null, {
  message: 'must be host[:port] (HTTPS) or http://host:port (an emulator, no credentials sent), e.g. dns.googleapis.com',
});

export const cloudDnsProviderSchema = z.strictObject({
  kind: z.literal('cloud-dns'),
  /** Google Cloud project that owns the managed zone. */
  project: z.string().regex(/^[a-z][-a-z0-9.:]{4,61}[a-z0-9]$/, { message: 'must be a Google Cloud project ID, e.g. my-project' }),
  /** The managed zone's name (not its DNS name). */
  managedZone: z
    .string()
    .regex(/^[a-z][-a-z0-9]{0,62}$/, { message: 'must be a managed zone name (lowercase letters, digits, "-"), e.g. prod-zone' }),
  /** The weighted record set, fully qualified. */
  name: fqdn,
  type: z.enum(['A', 'AAAA']).default('A'),
  ttl: z.number().int().min(0).max(86_400).default(30),
  apiEndpoint: apiEndpoint.optional(),
});

export type CloudDnsProviderConfig = z.output<typeof cloudDnsProviderSchema>;
