// Benchmark: latency of the haproxy provider against a real HAProxy (Debian's /usr/sbin/haproxy) on loopback:
// read(), and apply() of a drain and of a restore (state read, the set commands, read-back), alternating.
import { performance } from 'node:perf_hooks';
import { HaproxyProvider } from '../src/failover/providers/haproxy/haproxy.js';
import { haproxyProviderSchema } from '../src/failover/providers/haproxy/schema.js';
import { type Backend, startBackend, startHaproxy } from '../src/failover/providers/haproxy/testing/haproxy.js';
import { silentLogger } from '../src/lib/logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const SERVERS_PER_REGION = Number(process.env.BENCH_SERVERS_PER_REGION ?? 2);
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(what: string, samples: number[]): string {
  return `${what.padEnd(34)} p50 ${percentile(samples, 50).toFixed(2)} ms   p99 ${percentile(samples, 99).toFixed(2)} ms   max ${Math.max(...samples).toFixed(2)} ms`;
}

const servers = Object.fromEntries(REGIONS.map((region) => [region, Array.from({ length: SERVERS_PER_REGION }, (_, i) => `${region}-${i}`)]));
const backends: Backend[] = [];
for (const name of Object.values(servers).flat()) backends.push(await startBackend(name));
const haproxy = await startHaproxy({ be_app: { balance: 'roundrobin', servers: backends.map((b) => ({ name: b.name, port: b.port, weight: 100 })) } });
try {
  const provider = new HaproxyProvider(haproxyProviderSchema.parse({ kind: 'haproxy', socket: haproxy.socket, backend: 'be_app', servers }), {
    regions: Object.fromEntries(REGIONS.map((region) => [region, { weight: 100, capacity: 60, targets: [] }])),
    root: process.cwd(),
    logger: silentLogger(),
  });
  const full = Object.fromEntries(REGIONS.map((region) => [region, 100]));
  const drained = { ...full, 'eu-west1': 0 };
  const reads: number[] = [];
  const drains: number[] = [];
  const restores: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const signal = AbortSignal.timeout(10_000);
    let start = performance.now();
    await provider.read(signal);
    reads.push(performance.now() - start);
    start = performance.now();
    await provider.apply(drained, signal);
    drains.push(performance.now() - start);
    start = performance.now();
    await provider.apply(full, signal);
    restores.push(performance.now() - start);
  }
  const commands = 2 * SERVERS_PER_REGION;
  console.log(`haproxy provider, ${ROUNDS} rounds, ${REGIONS.length} regions × ${SERVERS_PER_REGION} servers, unix socket on loopback`);
  console.log(line('read (1 command)', reads));
  console.log(line(`apply drain (${commands} sets + 2 reads)`, drains));
  console.log(line(`apply restore (${commands} sets + 2 reads)`, restores));
} finally {
  await haproxy.stop();
  await Promise.all(backends.map((b) => b.stop()));
}
