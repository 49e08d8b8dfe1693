// Benchmark: how long after its timeout an attempt against a hostile target ends, per probe type, with the
// real kinds under the real attempt deadline (src/prober/attempt.ts) and real loopback servers: targets that
// hang, trickle, flood, reset, refuse, lie about TLS or speak another protocol. The goal: every
// attempt ends as a classified failure within timeout + 100 ms, with the prober's memory bounded.
// Wall-clock figures, so they belong here and not in a test: a busy machine moves them.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { attemptOnce } from '../src/prober/attempt.js';
import { PROBE_KINDS } from '../src/prober/kinds/index.js';
import type { ProbeType } from '../src/prober/kinds/kind.js';
import { realTimers } from '../src/prober/timers.js';
import {
  closedPort,
  endlessBody,
  garbage,
  hang,
  type LoopbackServer,
  resetMidResponse,
  slowLoris,
  startHttpServer,
  startSocketServer,
} from '../test/helpers/adversarial-servers.js';
import { certificateWorkshop } from '../test/helpers/certificates.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '1000' },
  },
});
const REPEAT = Math.min(50, Math.max(1, Number(values.repeat)));
const TIMEOUT_MS = Math.min(10_000, Math.max(100, Number(values.timeout)));
const GOAL_MS = 100;

interface Case {
  name: string;
  type: ProbeType;
  target: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

/** A UDP port that takes queries and never answers. */
async function silentUdp(): Promise<{ port: number; close(): void }> {
  const socket = createSocket('udp4');
  socket.on('message', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, close: () => socket.close() };
}

const servers: LoopbackServer[] = [];
async function serve(onSocket: (socket: Socket) => void): Promise<string> {
  const server = await startSocketServer(onSocket);
  servers.push(server);
  return server.address;
}

const workshop = await certificateWorkshop();
const selfSigned = await workshop.selfSigned(['127.0.0.1']);
const tlsServer = await startHttpServer((_req, res) => res.end('ok'), { tls: selfSigned });
servers.push(tlsServer);
const udp = await silentUdp();
const refused = `127.0.0.1:${await closedPort()}`;
const hung = await serve(hang);
const flood = endlessBody();
const tenGigabytes = endlessBody(10_000_000_000);

const cases: Case[] = [
  { name: 'accepts, never answers', type: 'http', target: { url: `http://${hung}/` } },
  { name: 'slow-loris body', type: 'http', target: { url: `http://${await serve(slowLoris)}/` }, settings: { expect: { bodyRegex: 'never' } } },
  { name: 'endless body, 64MiB limit', type: 'http', target: { url: `http://${await serve(flood.onSocket)}/` }, settings: { maxBodyBytes: '64MiB', expect: { bodyRegex: 'never' } } },
  { name: '10 GB content-length', type: 'http', target: { url: `http://${await serve(tenGigabytes.onSocket)}/` } },
  { name: 'reset mid-response', type: 'http', target: { url: `http://${await serve(resetMidResponse)}/` } },
  { name: 'refused port', type: 'http', target: { url: `http://${refused}/` } },
  { name: 'not HTTP', type: 'http', target: { url: `http://${await serve(garbage)}/` } },
  { name: 'self-signed certificate', type: 'http', target: { url: `https://${tlsServer.address}/` } },
  { name: 'TLS handshake never answered', type: 'http', target: { url: `https://${hung}/` } },
  { name: 'silent after connect', type: 'tcp', target: { address: hung }, settings: { send: 'PING\r\n', expect: '^PONG' } },
  { name: 'refused port', type: 'tcp', target: { address: refused } },
  { name: 'TLS handshake never answered', type: 'tls', target: { address: hung } },
  { name: 'not TLS', type: 'tls', target: { address: await serve(garbage) } },
  { name: 'UDP server never answers', type: 'dns', target: { name: 'example.com', address: `127.0.0.1:${udp.port}` } },
  { name: 'TCP server never answers', type: 'dns', target: { name: 'example.com', address: hung }, settings: { transport: 'tcp' } },
  { name: 'accepts, never answers', type: 'grpc', target: { address: hung } },
  { name: 'refused port', type: 'grpc', target: { address: refused } },
];

interface Row {
  kind: string;
  target: string;
  failures: string;
  p50: number;
  max: number;
  pastTimeoutMax: number;
  overran: number;
  rssGrowthMiB: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const rows: Row[] = [];
for (const c of cases) {
  const kind = PROBE_KINDS.get(c.type);
  if (!kind) throw new Error(`no probe type ${c.type}`);
  const runner = kind.create({ settings: kind.settingsSchema.parse(c.settings ?? {}), target: kind.targetSchema.parse(c.target), timeoutMs: TIMEOUT_MS });
  const walls: number[] = [];
  const failures = new Set<string>();
  let overran = 0;
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 5);
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    const end = await attemptOnce(runner, TIMEOUT_MS, realTimers);
    walls.push(performance.now() - started);
    failures.add(end.outcome.failure ?? 'ok');
    if (end.overran) overran++;
  }
  clearInterval(sampler);
  await runner.close();
  walls.sort((a, b) => a - b);
  const max = walls.at(-1) ?? 0;
  rows.push({
    kind: c.type,
    target: c.name,
    failures: [...failures].join(', '),
    p50: percentile(walls, 50),
    max,
    pastTimeoutMax: Math.max(0, max - TIMEOUT_MS),
    overran,
    rssGrowthMiB: (rssPeak - rssBefore) / 2 ** 20,
  });
}

udp.close();
await Promise.all(servers.map((s) => s.close()));
await workshop.remove();

console.log(`Hostile targets on loopback: ${REPEAT} attempts each, timeout ${TIMEOUT_MS} ms (wall clock from start to the attempt's end)\n`);
const header = ['kind', 'target', 'ended as', 'p50 ms', 'max ms', 'past timeout (max)', 'overran', 'RSS growth MiB'];
const cells = rows.map((r) => [
  r.kind,
  r.target,
  r.failures,
  r.p50.toFixed(1),
  r.max.toFixed(1),
  r.pastTimeoutMax.toFixed(1),
  String(r.overran),
  r.rssGrowthMiB.toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
const line = (c: string[]) => c.map((v, i) => (i >= 3 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
const worst = Math.max(...rows.map((r) => r.pastTimeoutMax));
const growth = Math.max(...rows.map((r) => r.rssGrowthMiB));
const unclassified = rows.filter((r) => r.failures.includes('ok'));
console.log(
  `\nGoal: every attempt ends within timeout + ${GOAL_MS} ms as a classified failure: worst ${worst.toFixed(1)} ms past the timeout, ` +
    `${unclassified.length} target(s) answered ok -> ${worst <= GOAL_MS && unclassified.length === 0 ? 'MET' : 'NOT MET'}`,
);
console.log(`Memory: largest RSS growth during one target's attempts ${growth.toFixed(1)} MiB (the 64MiB body limit bounds the worst case)`);
