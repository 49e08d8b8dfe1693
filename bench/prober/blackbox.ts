// Debian's prometheus-blackbox-exporter as the benchmark's reference: its own process with an http_2xx
// module, driven through GET /probe at a fixed rate over keep-alive connections; its CPU is read from /proc
// (the driver runs in the benchmark process and is not counted).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { Pacer } from './pacer.js';
import { processCpuMicros, processPeakRssMb } from './proc-cpu.js';
import { spawnChild } from './processes.js';
import { addFailure, type WindowReport } from './report.js';

export const BLACKBOX_BINARY = '/usr/bin/prometheus-blackbox-exporter';

export interface BlackboxRun {
  ports: number[];
  rate: number;
  timeoutMs: number;
  warmupMs: number;
  measureMs: number;
  /** Keep-alive connections from the driver to the exporter (bounds the concurrency). */
  connections: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function config(timeoutMs: number): string {
  return [
    'modules:',
    '  http_2xx:',
    '    prober: http',
    `    timeout: ${timeoutMs}ms`,
    '    http:',
    '      preferred_ip_protocol: ip4',
    '',
  ].join('\n');
}

async function waitReady(pool: Pool, deadlineMs: number): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    try {
      const response = await pool.request({ path: '/-/healthy', method: 'GET' });
      await response.body.text();
      if (response.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) throw new Error(`blackbox_exporter not ready within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runBlackbox(run: BlackboxRun): Promise<WindowReport> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-blackbox-'));
  const configFile = join(dir, 'blackbox.yml');
  writeFileSync(configFile, config(run.timeoutMs));
  const port = await freePort();
  const exporter = spawnChild(BLACKBOX_BINARY, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: run.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const window = { measuring: false, probes: 0, ok: 0, failures: {} as Record<string, number> };
  let next = 0;
  const probeOnce = async (): Promise<void> => {
    const i = next++;
    const target = `http://127.0.0.1:${run.ports[i % run.ports.length]}/healthz/${i % 100_000}`;
    let outcome: string;
    try {
      const response = await pool.request({ path: `/probe?module=http_2xx&target=${encodeURIComponent(target)}`, method: 'GET' });
      const text = await response.body.text();
      outcome = response.statusCode !== 200 ? `exporter_${response.statusCode}` : text.includes('\nprobe_success 1') ? 'ok' : 'probe_failed';
    } catch {
      outcome = 'driver_error';
    }
    if (!window.measuring) return;
    window.probes++;
    if (outcome === 'ok') window.ok++;
    else addFailure(window.failures, outcome);
  };
  const pacer = new Pacer({ ratePerSecond: run.rate, maxInFlight: run.connections, start: probeOnce });
  try {
    await waitReady(pool, 10_000);
    pacer.run();
    await new Promise((resolve) => setTimeout(resolve, run.warmupMs));
    const skippedBefore = pacer.counts().skipped;
    const cpuStart = processCpuMicros(exporter.pid);
    const wallStart = performance.now();
    window.measuring = true;
    await new Promise((resolve) => setTimeout(resolve, run.measureMs));
    window.measuring = false;
    const cpuMicros = processCpuMicros(exporter.pid) - cpuStart;
    const wallMs = performance.now() - wallStart;
    return {
      probes: window.probes,
      ok: window.ok,
      failures: window.failures,
      skipped: pacer.counts().skipped - skippedBefore,
      cpuMicros,
      wallMs,
      jitter: null,
      maxRssMb: processPeakRssMb(exporter.pid),
    };
  } finally {
    await pacer.stop(run.timeoutMs);
    await pool.destroy().catch(() => undefined);
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
