import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSlo } from '../../../test/helpers/definitions.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { BucketStore } from '../../store/bucket-store.js';
import { type Db, openDatabase } from '../../store/database.js';
import { SourceProgressStore } from '../../store/source-progress-store.js';
import { SourcePuller } from './puller.js';
import { type MetricSource, type RatioQuery, type ReadResult, SourceError } from './source.js';

const NOW = Date.parse('2026-11-10T12:00:30Z');
const NOW_MINUTE = Math.floor(NOW / 60_000);
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function ratioSlo(name: string, window = '1d') {
  return loadSlo(
    stringify({
      apiVersion: 'vigil/v1',
      kind: 'SLO',
      metadata: { name, squad: 'core' },
      spec: { service: 'api', objective: 99, window, indicator: { ratio: { source: 'prometheus', good: `good{slo="${name}"}`, total: `total{slo="${name}"}` } } },
    }),
  );
}

/** A stand-in for a Prometheus source that counts 2 of 3 good every minute it is asked for, records each read, and fails on request. */
class FakeSource implements MetricSource {
  readonly kind = 'prometheus';
  readonly maxChunkMinutes = 360;
  readonly reads: Array<{ slo: string; from: number; to: number }> = [];
  failing = new Set<string>();
  retention: number | null = null;

  async read(query: RatioQuery, fromMinute: number, toMinute: number): Promise<ReadResult> {
    this.reads.push({ slo: query.slo, from: fromMinute, to: toMinute });
    if (this.failing.has(query.slo)) throw new SourceError('prometheus', 'connection refused', 'unreachable');
    const counts = [];
    for (let minute = fromMinute; minute < toMinute; minute++) counts.push({ targetRegion: '', vantage: '', minute, good: 2, total: 3 });
    return { counts, completeBefore: Math.min(toMinute, NOW_MINUTE - 1) };
  }

  async retentionMs(): Promise<number | null> {
    return this.retention;
  }

  async close(): Promise<void> {}
}

function setup(definitions = [ratioSlo('a'), ratioSlo('b')]) {
  const db = openDatabase(':memory:');
  open.push(db);
  const store = new BucketStore(db);
  const source = new FakeSource();
  const clock = new ManualClock(NOW);
  const registry = new Registry();
  const puller = new SourcePuller({ store, progress: new SourceProgressStore(db), sources: new Map([['prometheus', source]]), definitions, clock, logger: silentLogger(), intervalMs: 60_000, registry });
  const total = (slo: string) => store.sloBuckets(slo, { targetRegion: null, vantage: null }, 0, NOW_MINUTE + 10).total.reduce((a, b) => a + b, 0);
  return { store, source, clock, registry, puller, total };
}

describe('the source puller', () => {
  it('backfills an SLO window in chunks the source accepts, then reads on from its mark minus 5 minutes', async () => {
    const { source, clock, puller, total } = setup([ratioSlo('a')]);
    await puller.pull();
    expect(source.reads.map((r) => [r.from - NOW_MINUTE, r.to - NOW_MINUTE])).toEqual([
      [-1440, -1080],
      [-1080, -720],
      [-720, -360],
      [-360, 0],
      [0, 1],
    ]);
    expect(total('a')).toBe(1441 * 3);
    clock.advance(120_000);
    source.reads.length = 0;
    await puller.pull();
    expect(source.reads.map((r) => [r.from - NOW_MINUTE, r.to - NOW_MINUTE])).toEqual([[-6, 3]]);
    // The window moved two minutes; what was re-read replaced, not added.
    expect(total('a')).toBe(1443 * 3);
  });

  it('keeps pulling the other SLOs when one fails; the failed minutes stay no data and are backfilled later', async () => {
    const { source, clock, registry, puller, total } = setup();
    source.failing.add('a');
    await puller.pull();
    expect(total('a')).toBe(0);
    expect(total('b')).toBe(1441 * 3);
    expect(puller.status('a')).toMatchObject({ lastError: 'unreachable: connection refused', completeBefore: new Date((NOW_MINUTE - 1440) * 60_000).toISOString() });
    expect(puller.status('b')).toMatchObject({ lastError: null });
    expect(await registry.getSingleMetricAsString('vigil_source_errors_total')).toContain('vigil_source_errors_total{source="prometheus"} 1');
    source.failing.clear();
    clock.advance(60_000);
    await puller.pull();
    expect(total('a')).toBe(1441 * 3);
    expect(puller.status('a')?.lastError).toBeNull();
  });

  it('starts no earlier than the retention allows, and warns when the retention is shorter than the SLO window', async () => {
    const { source, puller } = setup([ratioSlo('a', '2d')]);
    source.retention = 86_400_000;
    await puller.pull();
    expect(Math.min(...source.reads.map((r) => r.from))).toBe(NOW_MINUTE - 1440 + 1);
    expect(puller.status('a')?.warnings).toEqual(['prometheus keeps 1d of data but the SLO window is 2d: older minutes can never be read and count as no data']);
  });

  it('reads an SLO whose query was edited again from the start of its window', async () => {
    const { source, clock, puller } = setup([ratioSlo('a')]);
    await puller.pull();
    const edited = ratioSlo('a');
    if (edited.indicator.kind !== 'ratio') throw new Error('not a ratio SLO');
    puller.setDefinitions([{ ...edited, indicator: { ...edited.indicator, good: 'good{slo="a",code!~"5.."}' } }]);
    clock.advance(60_000);
    source.reads.length = 0;
    await puller.pull();
    expect(source.reads[0]?.from).toBe(NOW_MINUTE + 1 - 1440);
    expect(source.reads).toHaveLength(5);
  });

  it('reports an SLO whose source is not configured instead of reading it', async () => {
    const other = loadSlo(
      stringify({
        apiVersion: 'vigil/v1',
        kind: 'SLO',
        metadata: { name: 'c', squad: 'core' },
        spec: { service: 'api', objective: 99, window: '1d', indicator: { ratio: { source: 'cloud-monitoring', good: 'g', total: 't' } } },
      }),
    );
    const { source, puller } = setup([other]);
    await puller.pull();
    expect(source.reads).toEqual([]);
    expect(puller.status('c')?.lastError).toBe('source "cloud-monitoring" is not configured in spec.sources');
  });
});
