// Benchmark on dense data (tracker issue 13, goals 3, 4 and 5): 1,000 SLOs × 3 regions with a count in every
// minute of the last 90 days (BENCH_SLOS / BENCH_DAYS scale it down; the scale is printed). In one run, side by
// side with their floors:
// - store bytes per series-minute on disk (goal ≤ 4), beside the same data as a row per minute (schema 8);
// - restart: opening the store, building the engine and the first full report, against the same with an empty
//   store (goal: ≤ 0.5 s more), for 28-day and 90-day windows;
// - tick cost (advance one minute, evaluate every SLO) with 28-day and with 90-day windows on the same store
//   (goal: 90 d ÷ 28 d ≤ 1.1). Each tick's minute is ingested through the real write path first, untimed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SloEngine } from '../src/slo/engine/engine.js';
import type { SloDefinition } from '../src/slo/model.js';
import { BucketStore } from '../src/store/bucket-store.js';
import { openDatabase } from '../src/store/database.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { defineSlo } from '../test/helpers/definitions.js';
import { seedDense, storeBytes } from './dense-store.js';

const SLOS = Number(process.env.BENCH_SLOS ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const TICKS = Number(process.env.BENCH_TICKS ?? 120);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);
const FLOOR_DAYS = Number(process.env.BENCH_FLOOR_DAYS ?? 1);
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];
const MINUTE = 60_000;
const START = Date.parse('2026-11-01T00:00:00Z');
const START_MINUTE = START / MINUTE;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] as number;
const sloName = (i: number) => `slo-${String(i).padStart(4, '0')}`;

/** Traffic with a daily cycle and noise (so minutes differ), about 1 error in 500 requests, a bad hour now and then. */
function countsOf(seriesId: number, minute: number): { good: number; total: number } {
  const hash = ((minute * 2_654_435_761 + seriesId * 40_503) >>> 0) % 1_000;
  const total = 300 + Math.round(200 * Math.sin((2 * Math.PI * (minute % 1440)) / 1440)) + (hash % 41);
  const badHour = (Math.floor(minute / 60) + seriesId) % 997 === 0;
  const bad = badHour ? Math.floor(total / 10) : hash % 500 < total % 500 ? 1 : 0;
  return { good: total - bad, total };
}

/**
 * The floor for store size: the same data for FLOOR_DAYS in the schema before packing (schema 8, one row per
 * series and minute with its series index), measured in the same run and compacted.
 */
function rowPerMinuteBytes(dir: string, seriesIds: readonly number[]): { bytes: number; minutes: number } {
  const db = openDatabase(dir, MIGRATIONS.filter((m) => m.version <= 8));
  db.pragma('synchronous = OFF');
  const insertSeries = db.prepare("INSERT INTO series (id, slo, target_region, vantage) VALUES (?, ?, '', '')");
  const insert = db.prepare('INSERT INTO buckets (minute, series_id, good, total) VALUES (?, ?, ?, ?)');
  let minutes = 0;
  db.transaction(() => {
    for (const id of seriesIds) insertSeries.run(id, `s${id}`);
  })();
  const first = START_MINUTE - FLOOR_DAYS * 1440;
  const day = db.transaction((from: number) => {
    for (let m = from; m < from + 1440; m++) {
      for (const id of seriesIds) {
        const c = countsOf(id, m);
        insert.run(m, id, c.good, c.total);
        minutes++;
      }
    }
  });
  for (let d = 0; d < FLOOR_DAYS; d++) day(first + d * 1440);
  // Compacted: the floor at its smallest (an index filled out of order leaves pages half empty).
  db.exec('VACUUM');
  const bytes = storeBytes(db);
  db.close();
  return { bytes, minutes };
}

function definitions(window: string): SloDefinition[] {
  return Array.from({ length: SLOS }, (_, i) => defineSlo({ name: sloName(i), objective: 99.9, window, regions: REGIONS }));
}

/** Open the store, build the engine, evaluate every SLO once: what a restarted server does before its first report. */
function restart(dataDir: string, defs: readonly SloDefinition[]): { ms: number; engine: SloEngine; store: BucketStore; close: () => void } {
  const started = performance.now();
  const db = openDatabase(dataDir);
  const store = new BucketStore(db);
  const engine = new SloEngine({ store, definitions: defs });
  const report = engine.evaluate(START);
  const ms = performance.now() - started;
  if (report.length !== defs.length) throw new Error(`the first report has ${report.length} SLOs, not ${defs.length}`);
  return { ms, engine, store, close: () => db.close() };
}

function timeRestarts(dataDir: string, defs: readonly SloDefinition[]): number {
  const runs: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const r = restart(dataDir, defs);
    runs.push(r.ms);
    r.engine.close();
    r.close();
  }
  return median(runs);
}

function ticks(dataDir: string, defs: readonly SloDefinition[], firstMinute: number): number[] {
  const { engine, store, close } = restart(dataDir, defs);
  const ids = store.allSeries();
  engine.evaluate(firstMinute * MINUTE);
  const tickMs: number[] = [];
  for (let i = 1; i <= TICKS; i++) {
    const minute = firstMinute + i - 1;
    store.add(ids.map((s) => ({ slo: s.slo, targetRegion: s.targetRegion, vantage: s.vantage, ts: minute * MINUTE, ...countsOf(s.id, minute) })));
    const t = performance.now();
    engine.evaluate((minute + 1) * MINUTE);
    tickMs.push(performance.now() - t);
  }
  engine.close();
  close();
  return tickMs;
}

const root = mkdtempSync(path.join(tmpdir(), 'vigil-bench-engine-'));
try {
  const dataDir = path.join(root, 'data');
  const emptyDir = path.join(root, 'empty');
  openDatabase(emptyDir).close();
  const db = openDatabase(dataDir);
  db.pragma('synchronous = OFF'); // loading only: every timed write below goes through the real path
  const insertSeries = db.prepare("INSERT INTO series (slo, target_region, vantage) VALUES (?, ?, '') RETURNING id");
  const seriesIds = db.transaction(() => Array.from({ length: SLOS }, (_, i) => REGIONS.map((r) => (insertSeries.get(sloName(i), r) as { id: number }).id)).flat())();
  console.log(`Dense store: ${SLOS} SLOs × ${REGIONS.length} regions, one vantage, a count in every minute of ${DAYS} days`);
  if (SLOS !== 1000 || DAYS !== 90) console.log(`  (scaled down from 1,000 SLOs × 90 days by BENCH_SLOS / BENCH_DAYS)`);
  const loadStarted = performance.now();
  const written = seedDense(db, seriesIds, START_MINUTE - DAYS * 1440, START_MINUTE, countsOf, (done) =>
    process.stdout.write(`\r  loading: ${(done * 100).toFixed(0)} % (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)`),
  );
  const bytes = storeBytes(db);
  db.close();
  console.log(`\n  ${written.toLocaleString('en')} series-minutes in ${(bytes / 2 ** 20).toFixed(0)} MiB\n`);

  const floor = rowPerMinuteBytes(path.join(root, 'floor'), seriesIds);

  const windows = ['28d', '90d'].filter((w) => Number.parseInt(w, 10) <= DAYS);
  const defsOf = new Map(windows.map((w) => [w, definitions(w)]));
  const restarts = windows.map((w) => ({ window: w, empty: timeRestarts(emptyDir, defsOf.get(w) ?? []), full: timeRestarts(dataDir, defsOf.get(w) ?? []) }));
  // The ticks of each window length run on their own minutes, each ingested first.
  const tickRuns = windows.map((w, i) => ({ window: w, ms: ticks(dataDir, defsOf.get(w) ?? [], START_MINUTE + i * TICKS) }));

  const floorPerMinute = floor.bytes / floor.minutes;
  console.log(`store on disk                     Vigil   a row per minute (${FLOOR_DAYS} d of the same data)   ratio   goal`);
  console.log(
    `  bytes per series-minute     ${(bytes / written).toFixed(2).padStart(9)}   ${floorPerMinute.toFixed(2).padStart(30)}   ${(bytes / written / floorPerMinute).toFixed(2).padStart(5)}   ≤ 4 bytes`,
  );
  console.log('\nrestart to first full report      store       empty store   difference (goal ≤ 500 ms)');
  for (const r of restarts) {
    console.log(`  ${r.window} windows              ${`${r.full.toFixed(0)} ms`.padStart(9)}   ${`${r.empty.toFixed(0)} ms`.padStart(11)}   ${`${(r.full - r.empty).toFixed(0)} ms`.padStart(10)}`);
  }
  console.log(`\ntick (advance 1 minute, evaluate ${SLOS} SLOs), ${TICKS} ticks each`);
  console.log('  window   median ms   p99 ms   mean ms');
  for (const t of tickRuns) {
    const mean = t.ms.reduce((a, b) => a + b, 0) / t.ms.length;
    console.log(`  ${t.window.padEnd(6)} ${median(t.ms).toFixed(2).padStart(11)} ${percentile(t.ms, 99).toFixed(2).padStart(8)} ${mean.toFixed(2).padStart(9)}`);
  }
  const [short, long] = tickRuns;
  if (short && long) {
    const mean = (ms: number[]) => ms.reduce((a, b) => a + b, 0) / ms.length;
    console.log(`  ratio 90 d ÷ 28 d: median ${(median(long.ms) / median(short.ms)).toFixed(2)}, mean ${(mean(long.ms) / mean(short.ms)).toFixed(2)} (goal ≤ 1.10)`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
