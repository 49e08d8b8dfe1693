// Benchmark: POST /api/v1/events against the naive SQLite floor, in the same run (tracker issue 13, goal 2).
// The real server runs as its own process on loopback with a temp data dir; 4 concurrent clients send
// batches of 2,000 events (45 series × 10 recent minutes: ~450 buckets a batch) until BENCH_BATCHES are
// acknowledged or BENCH_SECONDS pass. The floor is better-sqlite3 alone, in this process, committing the
// same batches with the same schema and durability (WAL, synchronous=FULL): one transaction per batch, its
// batch id recorded, one upsert per event. Goal: Vigil ≥ 1.0× the floor. Best of BENCH_ROUNDS rounds each,
// alternating, so both see the same machine. BENCH_PROFILE=1 writes a CPU profile of the server to the cwd.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { MIGRATIONS } from '../src/store/migrations.js';
import { serverUrl } from './server-url.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS_PER_BATCH = 2_000;
const CLIENTS = 4;
const DISTINCT_BODIES = 16;
const SLOS = ['checkout', 'search', 'login', 'catalog', 'payments'];
const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'];
const MINUTES = 10;
const MINUTE_MS = 60_000;

interface BenchEvent {
  slo: string;
  ts: string;
  good: number;
  total: number;
  region: string;
  vantage: string;
}

function project(dir: string): void {
  mkdirSync(path.join(dir, 'slo-definitions'), { recursive: true });
  const docs = SLOS.map((name) =>
    [
      'apiVersion: vigil/v1',
      'kind: SLO',
      `metadata: { name: ${name}, squad: core }`,
      'spec:',
      `  service: ${name}`,
      '  objective: 99.9',
      '  window: 28d',
      `  regions: [${REGIONS.join(', ')}]`,
      '  indicator: { events: {} }',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'slo-definitions', 'bench.yaml'), `${docs.join('\n---\n')}\n`);
  writeFileSync(
    path.join(dir, 'vigil.yaml'),
    `apiVersion: vigil/v1\nkind: Config\nspec:\n  dataDir: data\n  server: { port: 0 }\n  engine: { evaluationInterval: 1s }\n  regions:\n${REGIONS.map((r) => `    ${r}: { weight: 100, capacity: 60 }`).join('\n')}\n`,
  );
}

/** 2,000 events over every (SLO, region, vantage) and the last MINUTES minutes, deterministic per seed. */
function batchEvents(seed: number, now: number): BenchEvent[] {
  const firstMinute = Math.floor(now / MINUTE_MS) - MINUTES;
  let state = seed * 2_654_435_761 + 1;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const series = i % (SLOS.length * REGIONS.length * REGIONS.length);
    const total = 1 + Math.floor(next() * 100);
    return {
      slo: SLOS[series % SLOS.length] as string,
      ts: new Date((firstMinute + Math.floor(next() * MINUTES)) * MINUTE_MS + Math.floor(next() * MINUTE_MS)).toISOString(),
      good: total - (next() < 0.05 ? 1 : 0),
      total,
      region: REGIONS[Math.floor(series / SLOS.length) % REGIONS.length] as string,
      vantage: REGIONS[Math.floor(series / (SLOS.length * REGIONS.length))] as string,
    };
  });
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}`] : [];
  const args = [...profile, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', path.join(dir, 'vigil.yaml'), '--host', '127.0.0.1', '--port', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await serverUrl(child, /(http:\/\/127\.0\.0\.1:\d+)/, 30_000);
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

interface Rate {
  events: number;
  seconds: number;
}

const perSecond = (rate: Rate) => rate.events / rate.seconds;

/** Sends batches from CLIENTS concurrent connections; every answer must acknowledge all 2,000 events. */
async function vigilRound(pool: Pool, bodies: readonly string[], round: number): Promise<Rate> {
  let nextBatch = 0;
  let acknowledged = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const client = async () => {
    while (nextBatch < BATCHES && performance.now() < deadline) {
      const index = nextBatch++;
      const body = `{"batchId":"r${round}-b${index}",${bodies[index % bodies.length] as string}`;
      const res = await pool.request({ method: 'POST', path: '/api/v1/events', headers: { 'content-type': 'application/json' }, body });
      const answer = (await res.body.json()) as { accepted?: number };
      if (res.statusCode !== 200 || answer.accepted !== EVENTS_PER_BATCH) throw new Error(`batch ${index}: HTTP ${res.statusCode} ${JSON.stringify(answer)}`);
      acknowledged += EVENTS_PER_BATCH;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { events: acknowledged, seconds: (performance.now() - started) / 1000 };
}

/** The naive floor: a row per minute (schema 8, before hours were packed), same pragmas, one transaction per batch, one upsert per event. */
function floorRound(dataDir: string, batches: readonly BenchEvent[][], round: number): Rate {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, `floor-${round}.db`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    for (const migration of MIGRATIONS.filter((m) => m.version <= 8)) db.exec(migration.sql);
    const insertSeries = db.prepare('INSERT INTO series (slo, target_region, vantage) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET slo = slo RETURNING id');
    const insertBatch = db.prepare('INSERT INTO ingested_batches (id, received_at, events) VALUES (?, ?, ?)');
    const upsert = db.prepare(
      `INSERT INTO buckets (minute, series_id, good, total) VALUES (?, ?, ?, ?)
       ON CONFLICT (minute, series_id) DO UPDATE SET good = good + excluded.good, total = total + excluded.total`,
    );
    const seriesIds = new Map<string, number>();
    const commit = db.transaction((batchId: string, events: readonly BenchEvent[]) => {
      insertBatch.run(batchId, Date.now(), events.length);
      for (const e of events) {
        const key = `${e.slo}\u0000${e.region}\u0000${e.vantage}`;
        let id = seriesIds.get(key);
        if (id === undefined) {
          id = (insertSeries.get(e.slo, e.region, e.vantage) as { id: number }).id;
          seriesIds.set(key, id);
        }
        upsert.run(Math.floor(Date.parse(e.ts) / MINUTE_MS), id, e.good, e.total);
      }
    });
    let committed = 0;
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    for (let i = 0; i < BATCHES && performance.now() < deadline; i++) {
      commit(`r${round}-b${i}`, batches[i % batches.length] as BenchEvent[]);
      committed += EVENTS_PER_BATCH;
    }
    return { events: committed, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-ingest-'));
  let server: ChildProcess | null = null;
  try {
    project(dir);
    const now = Date.now();
    const batches = Array.from({ length: DISTINCT_BODIES }, (_, i) => batchEvents(i + 1, now));
    // Each body lacks its opening brace and batch id: a round splices in its own, so every batch is new.
    const bodies = batches.map((events) => `"events":${JSON.stringify(events)}}`);
    console.log(
      `ingest bench: up to ${BATCHES} batches × ${EVENTS_PER_BATCH.toLocaleString('en')} events (${(bodies[0]?.length ?? 0).toLocaleString('en')} bytes each), ${CLIENTS} clients, ≤ ${SECONDS} s a round, best of ${ROUNDS}`,
    );
    const started = await startServer(dir);
    server = started.child;
    const pool = new Pool(started.url, { connections: CLIENTS, pipelining: 1 });
    await vigilRound(pool, bodies.slice(0, 1), -1);
    const vigil: Rate[] = [];
    const floor: Rate[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      vigil.push(await vigilRound(pool, bodies, round));
      floor.push(floorRound(path.join(dir, 'floor'), batches, round));
    }
    const duplicate = await pool.request({ method: 'POST', path: '/api/v1/events', headers: { 'content-type': 'application/json' }, body: `{"batchId":"r0-b0",${bodies[0] as string}` });
    const repeat = (await duplicate.body.json()) as { accepted?: number; duplicate?: boolean };
    if (repeat.duplicate !== true || repeat.accepted !== 0) throw new Error(`a re-sent batch was not recognised: ${JSON.stringify(repeat)}`);
    await pool.close();
    await stopServer(server);
    server = null;
    const best = (rates: Rate[]) => Math.max(...rates.map(perSecond));
    const vigilBest = best(vigil);
    const floorBest = best(floor);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en')} events/s`;
    for (let round = 0; round < ROUNDS; round++) {
      const v = vigil[round] as Rate;
      const f = floor[round] as Rate;
      console.log(`  round ${round + 1}: Vigil ${fmt(perSecond(v))} (${v.events.toLocaleString('en')} in ${v.seconds.toFixed(1)} s)   floor ${fmt(perSecond(f))} (${f.events.toLocaleString('en')} in ${f.seconds.toFixed(1)} s)`);
    }
    console.log(`  POST /api/v1/events (acknowledged): ${fmt(vigilBest)}`);
    console.log(`  better-sqlite3 floor (per-event upserts): ${fmt(floorBest)}`);
    console.log(`  ratio: ${(vigilBest / floorBest).toFixed(2)}× the floor (goal ≥ 1.0×): ${vigilBest >= floorBest ? 'met' : 'not met'}`);
    console.log('  a re-sent batch id: recognised, nothing counted twice');
  } finally {
    if (server) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
