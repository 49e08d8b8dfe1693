import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getSlo } from '../../test/helpers/http.js';
import { makeProject } from '../../test/helpers/project.js';
import { ResultsStub } from '../../test/helpers/results-stub.js';
import { silentLogger } from '../lib/logger.js';
import { type RunningServer, startServer } from '../server/start.js';
import { success } from './outcome.js';
import { encodeResult } from './result-json.js';
import { Shipper, type ShipperObserver } from './shipper.js';
import { httpSink, outcomeOfStatus } from './sinks.js';
import { Spool } from './spool.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const base = Date.now() - 60_000;
const result = (i: number): string =>
  encodeResult({ probe: 'fake', type: 'tcp', target: `seq-${i}`, targetRegion: 'eu-west1', vantage: 'us-central1' }, base + i, success(1, { status: 200 }));

interface Counts {
  shipped: number;
  failed: number;
  rejected: number;
  droppedBatches: number;
  droppedResults: number;
}

function countingObserver(): { observer: ShipperObserver; counts: Counts } {
  const counts: Counts = { shipped: 0, failed: 0, rejected: 0, droppedBatches: 0, droppedResults: 0 };
  const observer: ShipperObserver = {
    shipped: () => counts.shipped++,
    failed: () => counts.failed++,
    rejected: () => counts.rejected++,
    spooled: () => {},
    dropped: (batches, results) => {
      counts.droppedBatches += batches;
      counts.droppedResults += results;
    },
  };
  return { observer, counts };
}

const spoolFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'vigil-ship-')), 'spool.jsonl');

async function shipper(server: string, options: { file?: string; maxBatches?: number; startedAt?: number; token?: string } = {}) {
  const spool = await Spool.open({ path: options.file ?? spoolFile(), maxBatches: options.maxBatches });
  const { observer, counts } = countingObserver();
  const instance = new Shipper({
    vantage: 'us-central1',
    sink: httpSink({ server, token: options.token, timeoutMs: 2000 }),
    spool,
    batchSize: 5,
    batchAgeMs: 30,
    backoff: { initialMs: 10, maxMs: 80 },
    startedAt: options.startedAt,
    observer,
  });
  return { shipper: instance, counts, spool };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const targets = (batches: Array<{ results: Array<{ target: string }> }>) => batches.flatMap((b) => b.results.map((r) => r.target));
const seq = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `seq-${from + i}`);

describe('Shipper with the HTTP sink', () => {
  it('commits every result exactly once and in order across a refused-connection outage and a 503 spell', async () => {
    const stub = new ResultsStub();
    await stub.start();
    cleanups.push(() => stub.stop());
    const { shipper: ship, counts } = await shipper(stub.url, { token: 't0k' });
    let i = 0;
    const pushFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        ship.push(result(i++));
        await sleep(3);
      }
    };
    await pushFor(200);
    await stub.stop();
    await pushFor(300);
    await stub.start();
    stub.mode = '503';
    await pushFor(300);
    stub.mode = 'ok';
    await pushFor(200);
    ship.flush();
    await ship.drained();
    await ship.close();

    const committed = stub.committed();
    expect(targets(committed)).toEqual(seq(0, i));
    expect(new Set(committed.map((b) => b.batchId)).size).toBe(committed.length);
    expect(committed.every((b) => b.authorization === 'Bearer t0k')).toBe(true);
    expect(stub.received.some((b) => b.status === 503)).toBe(true);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.droppedBatches).toBe(0);
  });

  it('drops the oldest spooled batches past the bound, counts them, and ships the rest when the server returns', async () => {
    const stub = new ResultsStub();
    await stub.start();
    await stub.stop();
    cleanups.push(() => stub.stop());
    const { shipper: ship, counts } = await shipper(stub.url, { maxBatches: 3 });
    for (let b = 0; b < 6; b++) {
      for (let k = 0; k < 5; k++) ship.push(result(b * 5 + k));
      // The append to the spool is asynchronous: wait until this batch is in it (and the oldest out).
      await eventually(() => ship.backlog().memory === 0 && ship.backlog().spooled === Math.min(b + 1, 3) && counts.droppedBatches === Math.max(0, b - 2));
    }
    expect(counts.droppedBatches).toBe(3);
    expect(counts.droppedResults).toBe(15);
    await stub.start();
    await ship.drained();
    expect(targets(stub.committed())).toEqual(seq(15, 30));
    await ship.close();
  });

  it('keeps the spool across an agent restart and ships it first, under its original batch ids', async () => {
    const stub = new ResultsStub();
    await stub.start();
    await stub.stop();
    cleanups.push(() => stub.stop());
    const file = spoolFile();
    const first = await shipper(stub.url, { file, startedAt: 1000 });
    for (let k = 0; k < 12; k++) first.shipper.push(result(k));
    first.shipper.flush();
    await first.shipper.close(200);

    await stub.start();
    const second = await shipper(stub.url, { file, startedAt: 2000 });
    second.shipper.push(result(12));
    second.shipper.flush();
    await second.shipper.drained();
    await second.shipper.close();
    const committed = stub.committed();
    expect(targets(committed)).toEqual(seq(0, 13));
    expect(committed.map((b) => b.batchId)).toEqual(['us-central1-1000-1', 'us-central1-1000-2', 'us-central1-1000-3', 'us-central1-2000-1']);
  });

  it('drops a batch the server refuses with 400, counts it, never retries it, and ships the next ones', async () => {
    const stub = new ResultsStub();
    await stub.start();
    cleanups.push(() => stub.stop());
    stub.poison.add('us-central1-7-2');
    const { shipper: ship, counts } = await shipper(stub.url, { startedAt: 7 });
    for (let k = 0; k < 15; k++) ship.push(result(k));
    ship.flush();
    await ship.drained();
    await sleep(100);
    await ship.close();
    expect(stub.received.map((b) => [b.batchId, b.status])).toEqual([
      ['us-central1-7-1', 200],
      ['us-central1-7-2', 400],
      ['us-central1-7-3', 200],
    ]);
    expect(counts.rejected).toBe(1);
  });

  it('maps HTTP answers to commit, retry and reject', () => {
    expect(outcomeOfStatus(200, '').kind).toBe('committed');
    expect(outcomeOfStatus(204, '').kind).toBe('committed');
    expect(outcomeOfStatus(400, 'bad').kind).toBe('rejected');
    expect(outcomeOfStatus(413, '').kind).toBe('rejected');
    expect(outcomeOfStatus(408, '')).toMatchObject({ kind: 'retry', reason: 'throttled' });
    expect(outcomeOfStatus(429, '')).toMatchObject({ kind: 'retry', reason: 'throttled' });
    expect(outcomeOfStatus(401, '')).toMatchObject({ kind: 'retry', reason: 'unauthorized' });
    expect(outcomeOfStatus(503, '')).toMatchObject({ kind: 'retry', reason: 'server_error' });
  });
});

describe('Shipper against the real server going away and coming back', () => {
  it('ends with every result counted once in the SLO', async () => {
    const dir = makeProject({
      slos: `apiVersion: vigil/v1
kind: SLO
metadata: { name: probed, squad: core }
spec:
  service: api
  objective: 99
  window: 7d
  indicator: { probe: { name: fake } }
`,
    });
    writeFileSync(path.join(dir, 'runbooks', 'none.md'), '');
    const configFile = path.join(dir, 'vigil.yaml');
    let server: RunningServer | null = await startServer({ configFile, logger: silentLogger() });
    cleanups.push(async () => {
      await server?.close();
    });
    const url = server.url;
    const port = Number(new URL(url).port);
    const { shipper: ship } = await shipper(url);
    let i = 0;
    for (; i < 40; i++) ship.push(result(i));
    ship.flush();
    await ship.drained();
    await server.close();
    server = null;
    for (; i < 100; i++) ship.push(result(i));
    ship.flush();
    await sleep(300);
    expect(ship.backlog().spooled).toBeGreaterThan(0);
    server = await startServer({ configFile, port, logger: silentLogger() });
    await ship.drained();
    await ship.close();
    const running = server;
    await eventually(() => true);
    const deadline = Date.now() + 5000;
    let total = 0;
    while (Date.now() < deadline) {
      total = (await getSlo(running.url, 'probed')).total;
      if (total >= 100) break;
      await sleep(200);
    }
    expect(total).toBe(100);
  });
});
