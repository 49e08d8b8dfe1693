// Process CPU per HTTP probe: Vigil's http kind (new connection per attempt, and reused) against the floor
// of a bare socket connect/GET/close. The loopback target runs in a child process so its CPU is not counted.
// Run: node --import tsx bench/http-probe-cost.ts [maxProbes] [maxSeconds]
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Client } from 'undici';
import { httpKind } from '../src/prober/kinds/http/http.js';

const MAX_PROBES = Number(process.argv[2] ?? 20_000);
const MAX_SECONDS = Number(process.argv[3] ?? 4);
const WARMUP = 300;
const TIMEOUT_MS = 2000;

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

async function startTarget(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return { port, child };
}

type AttemptFn = () => Promise<boolean>;

interface Variant {
  name: string;
  /** One attempt maker per concurrent worker (a worker is one target, probed sequentially). */
  worker(): { attempt: AttemptFn; close(): Promise<void> };
}

function bareGet(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(reply.startsWith('HTTP/1.1 200')));
  });
}

function vigilHttp(port: number, http: Record<string, unknown>): Variant['worker'] {
  return () => {
    const settings = httpKind.settingsSchema.parse(http);
    const runner = httpKind.create({ settings, target: { url: `http://127.0.0.1:${port}/healthz` }, timeoutMs: TIMEOUT_MS });
    const signal = new AbortController().signal;
    return { attempt: async () => (await runner.probe(signal)).ok, close: () => runner.close() };
  };
}

function variants(port: number): Variant[] {
  return [
    { name: 'floor: net.connect + GET + close', worker: () => ({ attempt: () => bareGet(port), close: async () => {} }) },
    { name: 'vigil http, new connection, phases', worker: vigilHttp(port, {}) },
    { name: 'vigil http, new conn, body+header checks', worker: vigilHttp(port, { expect: { bodyRegex: 'ok', headers: { 'content-type': '^text/' } } }) },
    { name: 'vigil http, reuseConnections', worker: vigilHttp(port, { reuseConnections: true }) },
    {
      name: 'reference: new undici Client per probe',
      worker: () => ({
        attempt: async () => {
          const client = new Client(`http://127.0.0.1:${port}`);
          try {
            const res = await client.request({ path: '/healthz', method: 'GET' });
            await res.body.text();
            return res.statusCode === 200;
          } catch {
            return false;
          } finally {
            await client.close();
          }
        },
        close: async () => {},
      }),
    },
  ];
}

interface Measured {
  probes: number;
  failures: number;
  cpuUsPerProbe: number;
  probesPerSecond: number;
}

async function measure(variant: Variant, concurrency: number): Promise<Measured> {
  const workers = Array.from({ length: concurrency }, () => variant.worker());
  for (let i = 0; i < WARMUP; i++) await workers[i % concurrency]?.attempt();
  let started = 0;
  let failures = 0;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await Promise.all(
    workers.map(async (worker) => {
      while (started < MAX_PROBES && performance.now() < deadline) {
        started++;
        if (!(await worker.attempt())) failures++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  await Promise.all(workers.map((w) => w.close()));
  return {
    probes: started,
    failures,
    cpuUsPerProbe: (cpu.user + cpu.system) / started,
    probesPerSecond: (started / wallMs) * 1000,
  };
}

async function main(): Promise<void> {
  const { port, child } = await startTarget();
  try {
    const concurrencies = [1, 16];
    console.log(`loopback target in child pid ${child.pid}; up to ${MAX_PROBES} probes or ${MAX_SECONDS}s per cell; CPU = this process only`);
    console.log(`node ${process.version}; blackbox_exporter for comparison (FACTS.md): 531-587 us CPU per probe\n`);
    const header = ['variant'.padEnd(42), ...concurrencies.map((c) => `us CPU/probe (c=${c})`.padStart(22)), 'probes/s (c=1)'.padStart(16)];
    console.log(header.join(''));
    for (const variant of variants(port)) {
      const results: Measured[] = [];
      for (const concurrency of concurrencies) results.push(await measure(variant, concurrency));
      const cells = results.map((r) => `${r.cpuUsPerProbe.toFixed(1)}${r.failures > 0 ? ` (${r.failures} failed)` : ''}`.padStart(22));
      console.log([variant.name.padEnd(42), ...cells, (results[0]?.probesPerSecond ?? 0).toFixed(0).padStart(16)].join(''));
    }
  } finally {
    child.stdin?.end();
    child.kill();
  }
}

await main();
