// The registry of weight providers: `failover.provider.kind` → implementation. One line per provider.
import { cloudDnsProvider } from './cloud-dns/cloud-dns.js';
import { fileProvider } from './file/file.js';
import { haproxyProvider } from './haproxy/haproxy.js';
import type { AnyProviderKind } from './provider.js';
import { rfc2136Provider } from './rfc2136/rfc2136.js';

const PROVIDERS: AnyProviderKind[] = [fileProvider, cloudDnsProvider, rfc2136Provider, haproxyProvider];

export const PROVIDER_KINDS: ReadonlyMap<string, AnyProviderKind> = new Map(PROVIDERS.map((p) => [p.kind, p]));
