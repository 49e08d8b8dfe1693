// The registry of weight providers: `failover.provider.kind` → implementation. One line per provider.
import { cloudDnsProvider } from './cloud-dns/cloud-dns.js';
import { fileProvider } from './file/file.js';
import type { AnyProviderKind } from './provider.js';

const PROVIDERS: AnyProviderKind[] = [fileProvider, cloudDnsProvider];

export const PROVIDER_KINDS: ReadonlyMap<string, AnyProviderKind> = new Map(PROVIDERS.map((p) => [p.kind, p]));
