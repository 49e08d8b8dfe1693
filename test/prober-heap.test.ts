// The prober agent's cap on V8's young generation, measured in a fresh Node process (a test worker's own
// young generation has long grown to its maximum): an allocation pattern that grows the space to V8's
// 32 MiB (2 x 16) without the cap stays at the cap with it, and growth resumes after close().
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapGrowthFor, newSpaceMibFor, PROBER_HEAP_GROWTH_PERCENT, PROBER_NEW_SPACE_MIB } from '../src/prober/heap.js';

type Mode = 'uncapped' | 'capped' | 'closed' | 'resized';

/** New-space size in MiB after a workload whose survivors make V8 grow the young generation. */
function newSpaceAfterWork(mode: Mode): number {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const { NewSpaceCap } = await import(${JSON.stringify(`${process.cwd()}/dist/prober/heap.js`)});
    const mode = ${JSON.stringify(mode)};
    const cap = mode === 'uncapped' ? null : new NewSpaceCap(${PROBER_NEW_SPACE_MIB});
    // As \`vigil probe\` does once it knows its probe rate: before watching, so the space never grew.
    if (mode === 'resized') cap.resize(${PROBER_NEW_SPACE_MIB / 2});
    cap?.watch();
    if (mode === 'closed') cap.close();
    const survivors = [];
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 1000; i++) survivors.push({ round, name: 'target-' + i });
      if (survivors.length > 200000) survivors.splice(0, 100000);
      // Small bursts with the event loop turning between them, as in the agent: the cap's GC observer runs
      // between them (one long synchronous burst could grow the space two steps before it runs).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(space.space_size / 1024 / 1024));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(child.stderr).toBe('');
  return Number(child.stdout);
}

describe('NewSpaceCap', () => {
  it('keeps the young generation at the cap where V8 alone grows it past', () => {
    expect(newSpaceAfterWork('uncapped')).toBeGreaterThan(PROBER_NEW_SPACE_MIB);
    const capped = newSpaceAfterWork('capped');
    expect(capped).toBeLessThanOrEqual(PROBER_NEW_SPACE_MIB);
    // It does grow up to the cap: held at its start size the prober would collect far too often.
    expect(capped).toBeGreaterThanOrEqual(PROBER_NEW_SPACE_MIB / 2);
  });

  it('holds a cap moved down before watching at the new cap', () => {
    const resized = newSpaceAfterWork('resized');
    expect(resized).toBeLessThanOrEqual(PROBER_NEW_SPACE_MIB / 2);
    expect(resized).toBeGreaterThanOrEqual(PROBER_NEW_SPACE_MIB / 4);
  });

  it.each([
    ['a thousand targets every 5 s (200 probes a second) get half the cap and half the heap growth', 200, PROBER_NEW_SPACE_MIB / 2, PROBER_HEAP_GROWTH_PERCENT / 2],
    ['exactly 1,000 probes a second still get half', 1000, PROBER_NEW_SPACE_MIB / 2, PROBER_HEAP_GROWTH_PERCENT / 2],
    ['10,000 targets every 5 s (2,000 a second) get the whole cap and growth', 2000, PROBER_NEW_SPACE_MIB, PROBER_HEAP_GROWTH_PERCENT],
  ])('%s', (_name, rate, mib, growth) => {
    expect(newSpaceMibFor(rate)).toBe(mib);
    expect(heapGrowthFor(rate)).toBe(growth);
  });

  it('lets V8 grow the space again once closed', () => {
    expect(newSpaceAfterWork('closed')).toBeGreaterThan(PROBER_NEW_SPACE_MIB);
  });

  it('refuses a cap under 2 MiB or not in whole MiB', async () => {
    const { NewSpaceCap } = await import('../src/prober/heap.js');
    expect(() => new NewSpaceCap(1)).toThrow(/at least 2/);
    expect(() => new NewSpaceCap(4.5)).toThrow(/whole number/);
  });
});

describe('collectGarbageNow', () => {
  it('frees what a finished job left and gives the pages back, in a process started without --expose-gc', () => {
    const script = `
      const { collectGarbageNow } = await import(${JSON.stringify(`${process.cwd()}/dist/prober/heap.js`)});
      const { getHeapStatistics } = await import('node:v8');
      // A parse-like job: many small objects that all stay alive until it ends, then become garbage.
      let tree = [];
      for (let i = 0; i < 300000; i++) tree.push({ kind: 'pair', key: 'url', value: 'http://t' + i + '.test/', range: [i, i + 1, i + 2] });
      tree = null;
      const before = getHeapStatistics();
      collectGarbageNow();
      const after = getHeapStatistics();
      process.stdout.write(JSON.stringify({ usedBefore: before.used_heap_size, usedAfter: after.used_heap_size, totalBefore: before.total_heap_size, totalAfter: after.total_heap_size, gcGlobal: typeof globalThis.gc }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    const heap = JSON.parse(child.stdout) as { usedBefore: number; usedAfter: number; totalBefore: number; totalAfter: number; gcGlobal: string };
    expect(heap.usedAfter).toBeLessThan(heap.usedBefore / 2);
    expect(heap.totalAfter).toBeLessThan(heap.totalBefore);
    // The process's own global stays as it was: only the helper context has gc().
    expect(heap.gcGlobal).toBe('undefined');
  });
});
