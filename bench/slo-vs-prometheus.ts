// Benchmark: the same SLOs evaluated by Prometheus and by Vigil. 30 days of 1-minute good/total counters for
// 100 SLOs × 3 regions (a daily traffic cycle) are loaded into a real Prometheus (promtool blocks, one day at a
// time) and pulled by Vigil's Prometheus source into its store (the 30-day backfill). Then, in one run:
// Prometheus' CPU (from /proc) for its error-ratio query per SLO and region over 5m, 1h, 6h, 1d, 3d and 30d,
// against Vigil's CPU for one full evaluation (every window, burn rates, alerts and the budget) of the same
// SLOs, and the ratio. Scale with BENCH_SLOS and BENCH_DAYS; every loop is bounded by them.
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { ManualClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/logger.js';
import { SloEngine } from '../src/slo/engine/engine.js';
import { prometheusSource } from '../src/slo/sources/prometheus/prometheus.js';
import { SourcePuller } from '../src/slo/sources/puller.js';
import { BucketStore } from '../src/store/bucket-store.js';
import { openDatabase } from '../src/store/database.js';
import { SourceProgressStore } from '../src/store/source-progress-store.js';
import { loadSlo } from '../test/helpers/definitions.js';
import { startPrometheus } from '../test/helpers/prometheus-peer.js';
import { processCpuMicros } from './prober/proc-cpu.js';

const run = promisify(execFile);
const SLOS = Number(process.env.BENCH_SLOS ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const TICKS = Number(process.env.BENCH_TICKS ?? 60);
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];
const MINUTE = 60_000;
const END = Date.parse('2026-11-01T00:00:00Z');
const START = END - DAYS * 1440 * MINUTE;
/** Prometheus windows and how often each query runs (CPU ticks are 10 ms: short queries need repeats). */
const WINDOWS: ReadonlyArray<{ name: string; minutes: number; repeats: number }> = [
  { name: '5m', minutes: 5, repeats: 40 },
  { name: '1h', minutes: 60, repeats: 20 },
  { name: '6h', minutes: 360, repeats: 10 },
  { name: '1d', minutes: 1440, repeats: 5 },
  { name: '3d', minutes: 4320, repeats: 3 },
  { name: '30d', minutes: 43_200, repeats: 2 },
];

/** A stateless pseudo-random integer in [0, n) for (series, minute): the data is the same every run. */
function hash(series: number, minute: number, n: number): number {
  let h = Math.imul(series + 1, 0x9e3779b1) ^ Math.imul(minute, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return ((h ^ (h >>> 13)) >>> 0) % n;
}

/** Requests and errors of one (SLO, region) in one minute: a daily cycle, and an error rate around 0.1 %. */
function minuteCounts(series: number, minute: number): { total: number; errors: number } {
  const cycle = Math.sin((2 * Math.PI * (minute % 1440)) / 1440);
  const total = Math.round(100 + 80 * cycle) + hash(series, minute, 20);
  const errors = hash(series + 7919, minute, 1000) < total * (cycle > 0.5 ? 1.5 : 0.8) ? 1 : 0;
  return { total, errors };
}

/** One day of OpenMetrics per file: promtool re-reads its input once per 2-hour block (FACTS.md). */
async function fillStorage(storage: string, scratch: string): Promise<void> {
  const series = SLOS * REGIONS.length;
  const cumulative = { good: new Float64Array(series), total: new Float64Array(series) };
  const labels = (s: number) => `slo="slo-${String(Math.floor(s / REGIONS.length)).padStart(3, '0')}",region="${REGIONS[s % REGIONS.length]}"`;
  for (let day = 0; day < DAYS; day++) {
    const file = path.join(scratch, `day-${day}.om`);
    const fd = openSync(file, 'w');
    const first = START / MINUTE + day * 1440;
    for (const family of ['good', 'total'] as const) {
      writeSync(fd, `# TYPE slo_${family} counter\n`);
      for (let s = 0; s < series; s++) {
        const lines: string[] = [];
        for (let m = first; m < first + 1440; m++) {
          const { total, errors } = minuteCounts(s, m);
          cumulative[family][s] = (cumulative[family][s] as number) + (family === 'total' ? total : total - errors);
          lines.push(`slo_${family}_total{${labels(s)}} ${cumulative[family][s]} ${m * 60 + 30}`);
        }
        writeSync(fd, `${lines.join('\n')}\n`);
      }
    }
    writeSync(fd, '# EOF\n');
    closeSync(fd);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, storage], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    rmSync(file);
  }
}

const cpuSecondsOf = (pid: number): number => processCpuMicros(pid) / 1e6;

function ownCpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function promQuery(url: string, query: string, atSeconds: number): Promise<number> {
  const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(atSeconds) }) });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error}`);
  return body.data?.result.length ?? 0;
}

function definitions() {
  return Array.from({ length: SLOS }, (_, i) =>
    loadSlo(
      stringify({
        apiVersion: 'vigil/v1',
        kind: 'SLO',
        metadata: { name: `slo-${String(i).padStart(3, '0')}`, squad: 'bench' },
        spec: {
          service: 'bench',
          objective: 99.9,
          window: '30d',
          regions: REGIONS,
          indicator: {
            ratio: {
              source: 'prometheus',
              good: `slo_good_total{slo="slo-${String(i).padStart(3, '0')}"}`,
              total: `slo_total_total{slo="slo-${String(i).padStart(3, '0')}"}`,
              regionLabel: 'region',
            },
          },
        },
      }),
    ),
  );
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'vigil-bench-slo-prom-'));
  const log = (text: string) => process.stdout.write(`${text}\n`);
  log(`${SLOS} SLOs × ${REGIONS.length} regions × ${DAYS} days of 1-minute counters (${(SLOS * REGIONS.length * 2 * DAYS * 1440).toLocaleString('en')} samples)`);
  let started = performance.now();
  const prometheus = await startPrometheus({ fill: (storage) => fillStorage(storage, scratch), retention: '10y' });
  log(`generated and loaded into Prometheus (promtool, a day per file): ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const db = openDatabase(path.join(scratch, 'vigil'));
  try {
    const pid = prometheus.pid();
    if (pid === null) throw new Error('prometheus is not running');
    const at = END / 1000 - 1;
    // Warm Prometheus' caches (postings, chunks) once, so every window is measured the same way.
    await promQuery(prometheus.url, 'count(slo_total_total)', at);

    const promCpu = new Map<string, number>();
    for (const w of WINDOWS.filter((w) => w.minutes <= DAYS * 1440)) {
      const query = `sum by (slo, region) (increase(slo_total_total[${w.name}]) - increase(slo_good_total[${w.name}])) / sum by (slo, region) (increase(slo_total_total[${w.name}]))`;
      const before = cpuSecondsOf(pid);
      let rows = 0;
      for (let i = 0; i < w.repeats; i++) rows = await promQuery(prometheus.url, query, at);
      if (rows !== SLOS * REGIONS.length) throw new Error(`${w.name}: ${rows} series, expected ${SLOS * REGIONS.length}`);
      promCpu.set(w.name, ((cpuSecondsOf(pid) - before) * 1000) / w.repeats);
    }

    const defs = definitions();
    const store = new BucketStore(db);
    const clock = new ManualClock(END);
    const source = prometheusSource.create(prometheusSource.schema.parse({ url: prometheus.url, settle: '0s', maxChunk: '1d', lookback: '5m' }), { logger: silentLogger(), env: {}, clock });
    const puller = new SourcePuller({ store, progress: new SourceProgressStore(db), sources: new Map([['prometheus', source]]), definitions: defs, clock, logger: silentLogger(), intervalMs: 60_000 });
    started = performance.now();
    let promBefore = cpuSecondsOf(pid);
    let own = process.cpuUsage();
    await puller.pull();
    const backfill = { wallS: (performance.now() - started) / 1000, vigilCpuS: ownCpuMs(own) / 1000, promCpuS: cpuSecondsOf(pid) - promBefore };
    const errors = defs.map((d) => puller.status(d.name)?.lastError).filter((e) => e !== null);
    if (errors.length > 0) throw new Error(`backfill failed: ${errors[0]}`);
    clock.advance(MINUTE);
    promBefore = cpuSecondsOf(pid);
    own = process.cpuUsage();
    await puller.pull();
    const steadyPull = { vigilCpuMs: ownCpuMs(own), promCpuMs: (cpuSecondsOf(pid) - promBefore) * 1000 };

    const engine = new SloEngine({ store, definitions: defs });
    own = process.cpuUsage();
    const clockAtFirst = clock.now();
    const first = engine.evaluate(clockAtFirst);
    const rebuildMs = ownCpuMs(own);
    const sample = first[0]?.regions['eu-west1'];
    own = process.cpuUsage();
    for (let t = 0; t < TICKS; t++) {
      clock.advance(MINUTE);
      engine.evaluate(clock.now());
    }
    const tickMs = ownCpuMs(own) / TICKS;
    engine.close();
    await puller.close();

    log(`\nVigil backfill of ${DAYS} days (${SLOS} SLOs, 1-day chunks of raw samples): ${backfill.wallS.toFixed(1)} s wall, Vigil CPU ${backfill.vigilCpuS.toFixed(1)} s, Prometheus CPU ${backfill.promCpuS.toFixed(1)} s`);
    log(`one steady pull (every SLO, its last minutes): Vigil CPU ${steadyPull.vigilCpuMs.toFixed(1)} ms, Prometheus CPU ${steadyPull.promCpuMs.toFixed(0)} ms`);
    // The window ends at the minute before the evaluation; a series' first sample only sets where it starts.
    const windowFirst = Math.max(START / MINUTE + 1, clockAtFirst / MINUTE - 1 - 43_199);
    const want = { good: 0, total: 0 };
    for (let m = windowFirst; m < END / MINUTE; m++) {
      const { total, errors } = minuteCounts(0, m);
      want.total += total;
      want.good += total - errors;
    }
    const exact = sample?.good === want.good && sample?.total === want.total;
    log(`check: slo-000 eu-west1 over 30d: good ${sample?.good} of ${sample?.total} (generated: ${want.good} of ${want.total}: ${exact ? 'exact' : 'DIFFERENT'}), SLI ${sample?.sli}`);
    log('\nPrometheus error-ratio query per SLO and region (one query groups them all), CPU per query:');
    log('window    Prometheus CPU    Vigil full evaluation    Vigil / Prometheus');
    for (const [name, ms] of promCpu) {
      log(`${name.padEnd(9)} ${`${ms.toFixed(1)} ms`.padStart(14)}    ${`${tickMs.toFixed(2)} ms`.padStart(21)}    ${`${((tickMs / ms) * 100).toFixed(2)} %`.padStart(18)}`);
    }
    const all = [...promCpu.values()].reduce((a, b) => a + b, 0);
    log(`all windows ${`${all.toFixed(1)} ms`.padStart(12)}    ${`${tickMs.toFixed(2)} ms`.padStart(21)}    ${`${((tickMs / all) * 100).toFixed(2)} %`.padStart(18)}`);
    log(`\nVigil: one evaluation = every SLO's windows (30d budget, 1h/5m, 6h/30m, 1d/2h, 3d/6h burn rates, alerts), per region and whole; mean of ${TICKS} one-minute ticks. First evaluation (rebuild from the store): ${rebuildMs.toFixed(0)} ms CPU.`);
  } finally {
    db.close();
    await prometheus.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
