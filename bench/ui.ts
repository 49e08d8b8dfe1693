// Benchmark: the web UI with 1,000 SLOs × 3 regions and 28 days of minute data in the store (BENCH_SLOS,
// BENCH_DAYS to shrink it). Prints, side by side: the overview page against GET /api/v1/slos (goal: the
// page ≤ 2× the API), the detail page's history request for 28 days at 5-minute steps (goal ≤ 100 ms), the
// time until the overview is usable in Chromium (rows rendered and filtered), and the server's peak RSS.
// The server runs as its own process (the real binary, dist/), in open mode on loopback.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BucketStore } from '../src/store/bucket-store.js';
import { openDatabase } from '../src/store/database.js';
import { seedDense } from './dense-store.js';
import { serverUrl } from './server-url.js';

const SLOS = Number(process.env.BENCH_SLOS ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 28);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];
const MINUTE = 60_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

function project(dir: string): void {
  const docs = Array.from({ length: SLOS }, (_, i) =>
    [
      'apiVersion: vigil/v1',
      'kind: SLO',
      `metadata: { name: slo-${String(i).padStart(4, '0')}, squad: squad-${i % 20} }`,
      'spec:',
      `  service: svc-${i % 50}`,
      `  objective: ${i % 2 === 0 ? 99.9 : 99.5}`,
      '  window: 28d',
      `  regions: [${REGIONS.join(', ')}]`,
      '  indicator: { events: {} }',
    ].join('\n'),
  );
  execFileSync('mkdir', ['-p', path.join(dir, 'slo-definitions'), path.join(dir, 'runbooks')]);
  writeFileSync(path.join(dir, 'slo-definitions', 'fleet.yaml'), `${docs.join('\n---\n')}\n`);
  writeFileSync(
    path.join(dir, 'vigil.yaml'),
    `apiVersion: vigil/v1\nkind: Config\nspec:\n  dataDir: data\n  server: { port: 0 }\n  engine: { evaluationInterval: 10s }\n  regions:\n${REGIONS.map((r) => `    ${r}: { weight: 100, capacity: 60 }`).join('\n')}\n`,
  );
}

/** Dense minute data for every (SLO, region), packed straight into hours. */
function seed(dataDir: string, now: number): number {
  const db = openDatabase(dataDir);
  const first = Math.floor(now / MINUTE / 60) * 60 - DAYS * 1440;
  const insertSeries = db.prepare("INSERT INTO series (slo, target_region, vantage) VALUES (?, ?, '')");
  db.transaction(() => {
    for (let i = 0; i < SLOS; i++) for (const region of REGIONS) insertSeries.run(`slo-${String(i).padStart(4, '0')}`, region);
  })();
  db.pragma('synchronous = OFF');
  const started = performance.now();
  const rows = seedDense(
    db,
    new BucketStore(db).allSeries().map((s) => s.id),
    first,
    first + DAYS * 1440,
    (id, m) => ({ good: 60 - 3 * Number((m * 31 + id) % 211 === 0) - 20 * Number((Math.floor(m / 60) + id) % 509 === 0), total: 60 }),
    (done) => process.stdout.write(`\r  seeding: ${(done * 100).toFixed(0)} % (${((performance.now() - started) / 1000).toFixed(0)} s)`),
  );
  db.close();
  process.stdout.write('\n');
  return rows;
}

/** Time from spawning the server until /api/v1/overview has every SLO evaluated (with data: an SLI each). */
async function firstFullReport(url: string, spawnedAt: number, withData: boolean): Promise<number> {
  for (let i = 0; i < 2_400; i++) {
    const overview = (await (await fetch(`${url}/api/v1/overview`)).json()) as { slos: Array<{ sli: number | null }> };
    if (overview.slos.length === SLOS && (!withData || overview.slos.every((s) => s.sli !== null))) return performance.now() - spawnedAt;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no full report within 60 s');
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string; startedMs: number; spawnedAt: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--config', path.join(dir, 'vigil.yaml'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await serverUrl(child, /"url":"(http:\/\/[^"]+)"/, 600_000);
  return { child, url, startedMs: performance.now() - started, spawnedAt: started };
}

async function timeRequest(url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

async function measure(url: string): Promise<{ ms: number; bytes: number }> {
  for (let i = 0; i < 3; i++) await timeRequest(url);
  const runs: Array<{ ms: number; bytes: number }> = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeRequest(url));
  return { ms: median(runs.map((r) => r.ms)), bytes: runs[0]?.bytes ?? 0 };
}

async function timeToUsable(url: string): Promise<number> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${url}/`, { waitUntil: 'commit' });
      // A locator, not a string predicate: the page's CSP forbids eval.
      await page.locator('#slo-count').filter({ hasText: `${SLOS} of ${SLOS} SLOs shown` }).waitFor({ timeout: 60_000 });
      times.push(await page.evaluate(() => performance.now()));
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-ui-'));
  try {
    console.log(`web UI bench: ${SLOS} SLOs × ${REGIONS.length} regions × ${DAYS} days of minute data`);
    project(dir);
    const now = Date.now();
    // The floor for a restart: the same server and SLOs over an empty store.
    const empty = await startServer(dir);
    const emptyReportMs = await firstFullReport(empty.url, empty.spawnedAt, false);
    empty.child.kill('SIGTERM');
    await new Promise((resolve) => empty.child.once('exit', resolve));
    const rows = seed(path.join(dir, 'data'), now);
    console.log(`  ${rows.toLocaleString('en')} minute buckets in the store`);
    const { child, url, startedMs, spawnedAt } = await startServer(dir);
    try {
      const reportMs = await firstFullReport(url, spawnedAt, true);
      console.log(`  server listening after ${ms(startedMs)}, first full report after ${ms(reportMs)}`);
      console.log(`  (over an empty store: listening after ${ms(empty.startedMs)}, first full report after ${ms(emptyReportMs)}; the data held costs ${ms(reportMs - emptyReportMs)})`);
      const page = await measure(`${url}/`);
      const slos = await measure(`${url}/api/v1/slos`);
      const overview = await measure(`${url}/api/v1/overview`);
      const to = new Date(Math.floor(now / MINUTE) * MINUTE).toISOString();
      const from = new Date(Math.floor(now / MINUTE) * MINUTE - 28 * 86_400_000).toISOString();
      const history = await measure(`${url}/api/v1/slos/slo-0001/history?from=${from}&to=${to}&step=5m`);
      const detail = await measure(`${url}/slos/slo-0001`);
      const usable = await timeToUsable(url);
      const rss = peakRssMiB(child.pid as number);
      console.log('');
      console.log('  what                                   median     size      goal');
      console.log(`  overview page GET /                    ${ms(page.ms).padEnd(10)} ${`${(page.bytes / 1024).toFixed(0)} KiB`.padEnd(9)} ≤ 2× the API: ${(page.ms / slos.ms).toFixed(2)}×`);
      console.log(`  GET /api/v1/slos (the API)             ${ms(slos.ms).padEnd(10)} ${`${(slos.bytes / 1024).toFixed(0)} KiB`.padEnd(9)} (floor)`);
      console.log(`  GET /api/v1/overview                   ${ms(overview.ms).padEnd(10)} ${`${(overview.bytes / 1024).toFixed(0)} KiB`.padEnd(9)} ${(overview.ms / slos.ms).toFixed(2)}× the API`);
      console.log(`  history 28 d at 5 m (8,065 points)     ${ms(history.ms).padEnd(10)} ${`${(history.bytes / 1024).toFixed(0)} KiB`.padEnd(9)} ≤ 100 ms: ${(history.ms / 100).toFixed(2)}× the goal`);
      console.log(`  SLO detail page GET /slos/NAME         ${ms(detail.ms).padEnd(10)} ${`${(detail.bytes / 1024).toFixed(0)} KiB`.padEnd(9)}`);
      console.log(`  overview usable in Chromium            ${ms(usable).padEnd(10)}           (navigation to ${SLOS} rows filtered and counted)`);
      console.log(`  server peak RSS                        ${rss.toFixed(0)} MiB`);
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
