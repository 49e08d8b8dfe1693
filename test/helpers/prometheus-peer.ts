// A real Prometheus (Debian's /usr/bin/prometheus) on a loopback port, loaded with OpenMetrics text turned
// into TSDB blocks by promtool, so a test knows every sample it holds. It can be stopped and started again
// on the same port and storage (an outage in the middle of a run).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './peer-process.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export interface PrometheusPeer {
  url: string;
  /** The running process' id (for its CPU time in /proc), or null while stopped. */
  pid(): number | null;
  /** Stops the process; the storage stays for start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its storage. */
  close(): Promise<void>;
}

export interface PrometheusPeerOptions {
  /** Samples loaded before start (OpenMetrics text with timestamps, ending in `# EOF`). */
  openMetrics?: string;
  /** prometheus.yml, e.g. with a scrape job for a loopback target (default: nothing scraped). */
  config?: string;
  retention?: string;
  /** Fills the storage folder before the first start (e.g. promtool blocks made one day at a time). */
  fill?: (storage: string) => Promise<void>;
}

export async function startPrometheus(options: PrometheusPeerOptions): Promise<PrometheusPeer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-prometheus-'));
  const storage = path.join(dir, 'data');
  await writeFile(path.join(dir, 'prometheus.yml'), options.config ?? 'global: { scrape_interval: 15s }\n');
  if (options.openMetrics !== undefined) {
    await writeFile(path.join(dir, 'input.om'), options.openMetrics);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'input.om'), storage], { timeout: 120_000 });
  }
  await options.fill?.(storage);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    output = '';
    const started = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${storage}`,
        `--storage.tsdb.retention.time=${options.retention ?? '10y'}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child = started;
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`prometheus exited ${started.exitCode}: ${output}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok;
      },
      'prometheus to be ready',
      { timeoutMs: 60_000, everyMs: 200 },
    );
  };
  const stop = async () => {
    if (!child) return;
    const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    child = null;
  };
  await start();
  return {
    url,
    pid: () => child?.pid ?? null,
    start,
    stop,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
