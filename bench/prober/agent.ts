// The real agent as the benchmark runs it: `vigil probe --server … --probes DIR`, the compiled CLI in its own
// process, everything it loads at start included (commander, config loading, the folder watcher, /metrics,
// the spool, the HTTP sink). Its definitions are one Probe file with the window's targets; its results go
// to an ingest stand-in in this process that answers every batch with 200 and counts the results whose
// attempt started inside the measured window. CPU and peak RSS are read from /proc, as for blackbox_exporter.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricSum, scrape } from '../../test/helpers/prom-text.js';
import { processCpuMicros, processPeakRssMb } from './proc-cpu.js';
import { type Spawned, spawnChild } from './processes.js';
import { addFailure, type WindowReport } from './report.js';

export interface AgentRun {
  /** Root of the compiled src/ tree (holds cli/main.js). */
  compiled: string;
  ports: number[];
  rate: number;
  intervalMs: number;
  timeoutMs: number;
  warmupMs: number;
  measureMs: number;
}

/** After the window, how long results of attempts it started may take to arrive (timeout + batch age + slack). */
const DRAIN_EXTRA_MS = 2000 + 1000;

function probeFile(run: AgentRun): string {
  const count = Math.max(1, Math.round((run.rate * run.intervalMs) / 1000));
  const lines = [
    'apiVersion: vigil/v1',
    'kind: Probe',
    'metadata: { name: bench-http }',
    'spec:',
    '  type: http',
    `  interval: ${run.intervalMs}ms`,
    `  timeout: ${run.timeoutMs}ms`,
    '  vantages: all',
    '  targets:',
  ];
  for (let i = 0; i < count; i++) lines.push(`    - { region: local, url: "http://127.0.0.1:${run.ports[i % run.ports.length]}/healthz/${i}" }`);
  return `${lines.join('\n')}\n`;
}

interface WireResult {
  ts: string;
  ok: boolean;
  failure: string | null;
}

/** The ingest stand-in: counts results by attempt start, so a window counts what it started. */
class IngestCounter {
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  readonly window = { probes: 0, ok: 0, failures: {} as Record<string, number> };
  readonly batchIds = new Set<string>();
  /** Batches that arrived again after they had been answered. */
  resent = 0;
  badBodies = 0;
  readonly server: Server = createServer((req, res) => {
    void this.read(req).then((ok) => {
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(ok ? '{"committed":true}' : '{"error":"not a result batch"}');
    });
  });

  private async read(req: IncomingMessage): Promise<boolean> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/api/v1/results') return false;
    let batch: { batchId: string; results: WireResult[] };
    try {
      batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batchId: string; results: WireResult[] };
    } catch {
      this.badBodies++;
      return false;
    }
    // As the server does: a batch sent again (its answer lost, say) is recognised by its id, counted once.
    if (this.batchIds.has(batch.batchId)) {
      this.resent++;
      return true;
    }
    this.batchIds.add(batch.batchId);
    for (const result of batch.results) {
      const ts = Date.parse(result.ts);
      if (ts < this.windowStart || ts >= this.windowEnd) continue;
      this.window.probes++;
      if (result.ok) this.window.ok++;
      else addFailure(this.window.failures, result.failure ?? 'unknown');
    }
    return true;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }
}

/** The agent's skipped slots so far (vigil_probe_skipped_total over every series; 0 before the first). */
async function skippedSoFar(metricsUrl: string): Promise<number> {
  return metricSum(await scrape(`${metricsUrl}/metrics`), 'vigil_probe_skipped_total') ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runAgent(run: AgentRun): Promise<WindowReport> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-agent-'));
  mkdirSync(join(dir, 'probes'));
  writeFileSync(join(dir, 'probes', 'bench-http.yaml'), probeFile(run));
  const ingest = new IngestCounter();
  const ingestPort = await ingest.listen();
  const agent = spawnChild(
    process.execPath,
    [
      join(run.compiled, 'cli', 'main.js'),
      'probe',
      '--region',
      'bench',
      '--server',
      `http://127.0.0.1:${ingestPort}`,
      '--probes',
      join(dir, 'probes'),
      '--spool-dir',
      join(dir, 'spool'),
      '--metrics-port',
      '0',
    ],
    { env: { ...process.env, VIGIL_LOG_LEVEL: 'info' } },
  );
  try {
    const metricsUrl = await agentMetricsUrl(agent);
    await sleep(run.warmupMs);
    // The scrapes are outside the CPU window: each is answered before the reading that opens or closes it.
    const skippedBefore = await skippedSoFar(metricsUrl);
    const cpuStart = processCpuMicros(agent.pid);
    const wallStart = performance.now();
    ingest.windowStart = Date.now();
    await sleep(run.measureMs);
    ingest.windowEnd = Date.now();
    const cpuMicros = processCpuMicros(agent.pid) - cpuStart;
    const wallMs = performance.now() - wallStart;
    const skipped = (await skippedSoFar(metricsUrl)) - skippedBefore;
    await sleep(run.timeoutMs + DRAIN_EXTRA_MS);
    if (ingest.badBodies > 0) throw new Error(`the agent sent ${ingest.badBodies} bodies that are not result batches`);
    console.log(`agent at ${run.rate}/s: ${ingest.batchIds.size} result batches received, ${ingest.resent} of them sent again (counted once)`);
    return { ...ingest.window, skipped, cpuMicros, wallMs, jitter: null, maxRssMb: processPeakRssMb(agent.pid) };
  } finally {
    await agent.stop();
    await new Promise((resolve) => ingest.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The /metrics address from the agent's "probe agent started" log line (it listens on a free port). */
async function agentMetricsUrl(agent: Spawned): Promise<string> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const line = await agent.nextLine(deadline - performance.now());
    let entry: { msg?: string; metrics?: string };
    try {
      entry = JSON.parse(line) as { msg?: string; metrics?: string };
    } catch {
      continue;
    }
    if (entry.msg === 'probe agent started' && entry.metrics) return entry.metrics;
  }
  throw new Error('the agent did not say it started within 60 s');
}
