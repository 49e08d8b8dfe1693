// Test support: host-name lookups answered by a real BIND 9 on 127.0.0.1, so that probes can resolve
// names (and fail to) without the system resolver ever leaving the machine.
import { Resolver } from 'node:dns';
import { startNamed } from '../../src/failover/providers/rfc2136/testing/bind.js';
import type { HostLookup } from '../../src/prober/kinds/connect.js';

export const TEST_ZONE = 'vigil-probes.invalid';

export interface LoopbackResolver {
  lookup: HostLookup;
  stop(): Promise<void>;
}

/**
 * Serves `records` (relative names → A/AAAA) in the TEST_ZONE; any other name in the zone is NXDOMAIN.
 * The zone sits under the reserved .invalid TLD, so it can never clash with a real name.
 */
export async function startLoopbackResolver(records: Record<string, { a?: string; aaaa?: string }>): Promise<LoopbackResolver> {
  const lines = Object.entries(records).flatMap(([name, addresses]) => [
    ...(addresses.a ? [`${name} IN A ${addresses.a}`] : []),
    ...(addresses.aaaa ? [`${name} IN AAAA ${addresses.aaaa}`] : []),
  ]);
  const named = await startNamed({
    zone: TEST_ZONE,
    records: `$TTL 60
@ IN SOA ns.${TEST_ZONE}. hostmaster.${TEST_ZONE}. 1 3600 600 86400 60
@ IN NS ns.${TEST_ZONE}.
ns IN A 127.0.0.1
${lines.join('\n')}
`,
    keyName: 'unused-key',
    secret: Buffer.from('unused secret for the test zone').toString('base64'),
  });
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${named.port}`]);
  const resolveFamily = (host: string, family: 4 | 6, callback: (error: Error | null, addresses: string[]) => void) => {
    if (family === 4) resolver.resolve4(host, callback);
    else resolver.resolve6(host, callback);
  };
  const lookup: HostLookup = (host, family, callback) => {
    resolveFamily(host, family === 6 ? 6 : 4, (error, addresses) => {
      if (!error && addresses[0]) callback(null, addresses[0]);
      else if (family === 0) resolveFamily(host, 6, (error6, addresses6) => callback(addresses6?.[0] ? null : (error6 ?? error), addresses6?.[0] ?? ''));
      else callback(error ?? new Error(`no address for ${host}`), '');
    });
  };
  return {
    lookup,
    stop: async () => {
      resolver.cancel();
      await named.stop();
    },
  };
}
