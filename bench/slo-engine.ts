// Benchmark: cost of one SLO engine tick for 1,000 SLOs × 3 regions, with 7-day and 90-day windows.
// A tick advances one minute (drop what leaves each window, add the new minute) and evaluates every SLO.
// The claim under test: a tick costs the same whatever the window length. Prints figures side by side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SloEngine } from '../src/slo/engine/engine.js';
import { BucketStore } from '../src/store/bucket-store.js';
import { openDatabase } from '../src/store/database.js';
import { defineSlo } from '../test/helpers/definitions.js';

const SLOS = Number(process.env.BENCH_SLOS ?? 1000);
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];
const TICKS = Number(process.env.BENCH_TICKS ?? 120);
const MINUTE = 60_000;
const START = Date.parse('2026-11-01T00:00:00Z');

interface Result {
  window: string;
  rows: number;
  rebuildMs: number;
  tickMs: number[];
  rescanMs: number;
}

function populate(store: BucketStore, db: ReturnType<typeof openDatabase>, windowMinutes: number): number {
  // One series per (SLO, region); dense minutes where ticks read (the last 3 days, the ticks themselves and the
  // far edge of the SLO window), one bucket per hour elsewhere so a rebuild still scans the whole window.
  const series: number[] = [];
  for (let s = 0; s < SLOS; s++) {
    for (const region of REGIONS) {
      store.add([{ slo: `slo-${s}`, targetRegion: region, vantage: '', ts: START - windowMinutes * MINUTE, good: 1, total: 1 }]);
    }
  }
  for (const s of store.allSeries()) series.push(s.id);
  const insert = db.prepare('INSERT OR REPLACE INTO buckets (minute, series_id, good, total) VALUES (?, ?, ?, ?)');
  const startMinute = START / MINUTE;
  const dense = (m: number) =>
    (m >= startMinute - 3 * 1440 - 5 && m < startMinute + TICKS + 1) ||
    (m >= startMinute - windowMinutes - 5 && m < startMinute - windowMinutes + TICKS + 1);
  let rows = 0;
  const write = db.transaction((from: number, to: number) => {
    for (let m = from; m < to; m++) {
      if (!dense(m) && m % 60 !== 0) continue;
      for (const id of series) {
        const total = 60 + (id % 7);
        insert.run(m, id, total - ((m + id) % 97 === 0 ? 3 : 0), total);
        rows++;
      }
    }
  });
  const first = startMinute - windowMinutes - 10;
  for (let m = first; m < startMinute + TICKS + 1; m += 1440) write(m, Math.min(m + 1440, startMinute + TICKS + 1));
  return rows;
}

function runScenario(window: string, windowMinutes: number): Result {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
  try {
    const db = openDatabase(dir);
    db.pragma('synchronous = OFF'); // loading only; the engine reads
    const store = new BucketStore(db);
    const rows = populate(store, db, windowMinutes);
    const defs = Array.from({ length: SLOS }, (_, i) => defineSlo({ name: `slo-${i}`, objective: 99.9, window, regions: REGIONS }));
    const engine = new SloEngine({ store, definitions: defs });
    let t = performance.now();
    engine.evaluate(START);
    const rebuildMs = performance.now() - t;
    const tickMs: number[] = [];
    for (let i = 1; i <= TICKS; i++) {
      t = performance.now();
      engine.evaluate(START + i * MINUTE);
      tickMs.push(performance.now() - t);
    }
    // What a design without running sums pays per tick: one full-window scan.
    t = performance.now();
    store.sums(START / MINUTE - windowMinutes, START / MINUTE);
    const rescanMs = performance.now() - t;
    db.close();
    return { window, rows, rebuildMs, tickMs, rescanMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const results = [runScenario('7d', 7 * 1440), runScenario('90d', 90 * 1440)];
console.log(`SLO engine ticks: ${SLOS} SLOs × ${REGIONS.length} regions, ${TICKS} one-minute ticks each\n`);
console.log('window  rows stored   rebuild ms   ticks/s   median ms/tick   p99 ms/tick   full-window rescan ms');
for (const r of results) {
  const total = r.tickMs.reduce((a, b) => a + b, 0);
  console.log(
    [
      r.window.padEnd(6),
      String(r.rows).padStart(11),
      r.rebuildMs.toFixed(0).padStart(12),
      ((r.tickMs.length / total) * 1000).toFixed(1).padStart(9),
      percentile(r.tickMs, 50).toFixed(1).padStart(16),
      percentile(r.tickMs, 99).toFixed(1).padStart(13),
      r.rescanMs.toFixed(0).padStart(23),
    ].join(' '),
  );
}
const [week, quarter] = results as [Result, Result];
const rate = (r: Result) => r.tickMs.length / r.tickMs.reduce((a, b) => a + b, 0);
console.log(`\nratio ticks/s 90d ÷ 7d: ${(rate(quarter) / rate(week)).toFixed(2)} (1.00 = window length does not matter)`);
console.log(`ratio full-window rescan 90d ÷ 7d: ${(quarter.rescanMs / week.rescanMs).toFixed(1)}`);
