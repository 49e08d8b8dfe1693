import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool, type SpoolEntry } from './spool.js';

const spoolPath = () => path.join(mkdtempSync(path.join(tmpdir(), 'vigil-spool-')), 'nested', 'eu-west1.spool.jsonl');

function entry(id: string, results = 2, padding = 0): SpoolEntry {
  const body = JSON.stringify({ batchId: id, vantage: 'eu-west1', results: Array.from({ length: results }, (_, i) => ({ i, pad: 'x'.repeat(padding) })) });
  return { batchId: id, body, results };
}

async function drain(spool: Spool): Promise<string[]> {
  const ids: string[] = [];
  for (let head = await spool.head(); head; head = await spool.head()) {
    ids.push(head.batchId);
    await spool.remove(head.batchId, 'ack');
  }
  return ids;
}

describe('Spool', () => {
  it('gives batches back oldest first with the exact body written, and forgets acknowledged ones', async () => {
    const spool = await Spool.open({ path: spoolPath() });
    await spool.append([entry('a'), entry('b')]);
    await spool.append([entry('c')]);
    expect(spool.batches).toBe(3);
    expect(await spool.head()).toEqual(entry('a'));
    await spool.remove('a', 'ack');
    expect(await drain(spool)).toEqual(['b', 'c']);
    expect(spool.isEmpty()).toBe(true);
    await spool.close();
  });

  it('survives a restart: a new process re-reads the unacknowledged batches in order', async () => {
    const file = spoolPath();
    const first = await Spool.open({ path: file });
    await first.append([entry('a'), entry('b'), entry('c'), entry('d')]);
    await first.remove('a', 'ack');
    await first.remove('b', 'drop');
    await first.close();
    const second = await Spool.open({ path: file });
    expect(second.batches).toBe(2);
    expect(await second.head()).toEqual(entry('c'));
    await second.append([entry('e')]);
    expect(await drain(second)).toEqual(['c', 'd', 'e']);
    await second.close();
    expect(statSync(file).size).toBe(0);
  });

  it('drops the oldest batches past the batch bound and says which', async () => {
    const spool = await Spool.open({ path: spoolPath(), maxBatches: 3 });
    await spool.append([entry('1'), entry('2')]);
    const dropped = await spool.append([entry('3'), entry('4'), entry('5')]);
    expect(dropped.map((d) => [d.batchId, d.results])).toEqual([
      ['1', 2],
      ['2', 2],
    ]);
    expect(await drain(spool)).toEqual(['3', '4', '5']);
    await spool.close();
  });

  it('drops the oldest batches past the byte bound, and the drop survives a restart', async () => {
    const file = spoolPath();
    const big = (id: string) => entry(id, 1, 1000);
    const size = Buffer.byteLength(big('1').body) + 1;
    const spool = await Spool.open({ path: file, maxBytes: size * 2 + 10 });
    await spool.append([big('1'), big('2')]);
    expect((await spool.append([big('3')])).map((d) => d.batchId)).toEqual(['1']);
    expect(spool.bytes).toBe(size * 2);
    await spool.close();
    const again = await Spool.open({ path: file, maxBytes: size * 2 + 10 });
    expect(await drain(again)).toEqual(['2', '3']);
    await again.close();
  });

  it('cuts off a torn last line left by a crash mid-append and keeps the whole batches before it', async () => {
    const file = spoolPath();
    const spool = await Spool.open({ path: file });
    await spool.append([entry('a'), entry('b')]);
    await spool.close();
    appendFileSync(file, '{"batchId":"c","vantage":"eu-west1","resu');
    const again = await Spool.open({ path: file });
    expect(again.batches).toBe(2);
    await again.append([entry('d')]);
    expect(await drain(again)).toEqual(['a', 'b', 'd']);
    await again.close();
  });

  it('compacts the file when acknowledged batches outweigh the waiting ones', async () => {
    const file = spoolPath();
    const spool = await Spool.open({ path: file });
    const ids = Array.from({ length: 60 }, (_, i) => `b${i}`);
    await spool.append(ids.map((id) => entry(id, 1, 50_000)));
    for (const id of ids.slice(0, 55)) await spool.remove(id, 'ack');
    // 3 MB were written; at most 1 MiB of dead lines may remain beside the 250 kB still waiting.
    expect(statSync(file).size).toBeLessThan(1_500_000);
    expect(readFileSync(file, 'utf8')).not.toContain('"b0"');
    expect(await drain(spool)).toEqual(ids.slice(55));
    await spool.close();
  });
});
