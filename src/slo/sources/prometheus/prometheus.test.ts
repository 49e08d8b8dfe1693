// The Prometheus source against a real Prometheus (Debian's), loaded through promtool with counters whose
// events are known: several series per region and vantage, a counter reset, missed scrapes, a second job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CounterSeriesSpec, counterData, seeded } from '../../../../test/helpers/counter-data.js';
import { playbackSlo } from '../../../../test/helpers/definitions.js';
import { type PrometheusPeer, startPrometheus } from '../../../../test/helpers/prometheus-peer.js';
import { startPullRig } from '../../../../test/helpers/source-pull.js';
import { ManualClock } from '../../../lib/clock.js';
import { silentLogger } from '../../../lib/logger.js';
import { type MinuteCount, type RatioQuery, SourceError } from '../source.js';
import { PrometheusSource } from './prometheus.js';
import { prometheusSchema } from './schema.js';

const START = Date.parse('2026-11-01T00:00:00Z');
const START_MINUTE = START / 60_000;
const MINUTES = 180;
const STEP_MS = 15_000;

interface Labelled extends CounterSeriesSpec {
  labels: { job: string; code: string; region: string; vantage: string; instance: string };
}

function seriesSpecs(): Labelled[] {
  const specs: Labelled[] = [];
  let seed = 1;
  for (const region of ['eu', 'us']) {
    for (const vantage of ['v1', 'v2']) {
      for (const code of ['200', '500']) {
        const random = seeded(seed++);
        const most = code === '200' ? 20 : 2;
        specs.push({ labels: { job: 'api', code, region, vantage, instance: 'a' }, startValue: 1_000_000 + seed, eventsAt: () => Math.floor(random() * (most + 1)) });
      }
    }
  }
  const extra = seeded(99);
  specs.push({ labels: { job: 'api', code: '200', region: 'eu', vantage: 'v1', instance: 'b' }, startValue: 500_000, eventsAt: () => 1 + Math.floor(extra() * 5), resetAtSlot: 300 });
  // A second job's counters must not count: the selectors pick job="api".
  specs.push({ labels: { job: 'other', code: '500', region: 'eu', vantage: 'v1', instance: 'a' }, startValue: 7, eventsAt: () => 3 });
  const gapped = specs.find((s) => s.labels.region === 'us' && s.labels.vantage === 'v2' && s.labels.code === '200');
  if (gapped) gapped.gap = [400, 440];
  const reset = specs.find((s) => s.labels.region === 'us' && s.labels.vantage === 'v1' && s.labels.code === '500');
  if (reset) reset.resetAtSlot = 500;
  return specs;
}

const SPECS = seriesSpecs();
const DATA = counterData('http_requests', SPECS, { startMs: START, slots: MINUTES * 4, stepMs: STEP_MS });

/** Expected good/total per `${region}/${vantage}/${minute}` straight from the generated events. */
function expectedCounts(): Map<string, { good: number; total: number }> {
  const counts = new Map<string, { good: number; total: number }>();
  SPECS.forEach((spec, i) => {
    if (spec.labels.job !== 'api') return;
    for (const [minute, events] of DATA.expected[i] ?? []) {
      const key = `${spec.labels.region}/${spec.labels.vantage}/${minute}`;
      const c = counts.get(key) ?? { good: 0, total: 0 };
      c.total += events;
      if (spec.labels.code === '200') c.good += events;
      counts.set(key, c);
    }
  });
  return counts;
}

function asMap(counts: readonly MinuteCount[]): Map<string, { good: number; total: number }> {
  const map = new Map<string, { good: number; total: number }>();
  for (const c of counts) {
    if (c.good === 0 && c.total === 0) continue;
    const key = `${c.targetRegion}/${c.vantage}/${c.minute}`;
    const known = map.get(key) ?? { good: 0, total: 0 };
    map.set(key, { good: known.good + c.good, total: known.total + c.total });
  }
  return map;
}

function regionTotals(expected: Map<string, { good: number; total: number }>, region: string, beforeMinute = Infinity) {
  let good = 0;
  let total = 0;
  for (const [key, c] of expected) {
    const [r, , minute] = key.split('/');
    if (r !== region || Number(minute) >= beforeMinute) continue;
    good += c.good;
    total += c.total;
  }
  return { good, total };
}

const QUERY: RatioQuery = {
  slo: 'playback',
  good: 'http_requests_total{job="api",code!~"5.."}',
  total: 'http_requests_total{job="api"}',
  regionLabel: 'region',
  vantageLabel: 'vantage',
};

const SLO = playbackSlo({
  window: '1d',
  regions: ['eu', 'us'],
  ratio: { source: 'prometheus', good: QUERY.good, total: QUERY.total, regionLabel: 'region', vantageLabel: 'vantage' },
});

let prometheus: PrometheusPeer;
const clock = new ManualClock(START + (MINUTES + 10) * 60_000);

function source(overrides: Record<string, unknown> = {}): PrometheusSource {
  const config = prometheusSchema.parse({ url: prometheus.url, timeout: '5s', ...overrides });
  return new PrometheusSource(config, { logger: silentLogger(), env: {}, clock });
}

beforeAll(async () => {
  prometheus = await startPrometheus({ openMetrics: DATA.openMetrics });
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
});

describe('the Prometheus source on real counters', () => {
  it('counts every event exactly, per target region, vantage and minute, across a reset and a gap', async () => {
    const prom = source();
    const result = await prom.read(QUERY, START_MINUTE, START_MINUTE + MINUTES, AbortSignal.timeout(30_000));
    await prom.close();
    const expected = expectedCounts();
    expect(asMap(result.counts)).toEqual(expected);
    // The gap's events land in the minute of the first scrape after it (slot 440 = minute 110).
    expect(expected.get(`us/v2/${START_MINUTE + 110}`)?.total).toBeGreaterThan(40 * 2);
    expect(result.completeBefore).toBe(START_MINUTE + MINUTES);
  });

  it('gives the same counts when read in 7-minute chunks: the lookback (15m, longer than the 10-minute gap) supplies each chunk its previous sample', async () => {
    const prom = source({ lookback: '15m' });
    const counts: MinuteCount[] = [];
    for (let from = START_MINUTE; from < START_MINUTE + MINUTES; from += 7) {
      const to = Math.min(from + 7, START_MINUTE + MINUTES);
      counts.push(...(await prom.read(QUERY, from, to, AbortSignal.timeout(30_000))).counts);
    }
    await prom.close();
    expect(asMap(counts)).toEqual(expectedCounts());
  });

  it('reads sum(rate(SELECTOR[w])) as its counter, exactly, and refuses other expressions and bad matchers with reason query', async () => {
    const prom = source();
    const wrapped = { ...QUERY, good: 'sum by (region) (rate(http_requests_total{job="api",code!~"5.."}[5m]))', total: 'sum(increase(http_requests_total{job="api"}[1m]))' };
    const result = await prom.read(wrapped, START_MINUTE, START_MINUTE + MINUTES, AbortSignal.timeout(30_000));
    expect(asMap(result.counts)).toEqual(expectedCounts());
    for (const good of ['rate(http_requests_total[5m]) / 2', 'http_requests_total{code=~"("}']) {
      const error = await prom.read({ ...QUERY, good }, START_MINUTE, START_MINUTE + 10, AbortSignal.timeout(30_000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect(error).toMatchObject({ source: 'prometheus', reason: 'query' });
    }
    expect(await prom.retentionMs(AbortSignal.timeout(30_000))).toBe(10 * 365 * 86_400_000);
    await prom.close();
  });
});

describe('pulling into the store', () => {
  it("gives the engine each region's exact good, total and SLI; an outage is backfilled; re-pulled minutes count once", async () => {
    const rig = startPullRig({ slo: SLO, sourceKind: 'prometheus', source: source({ maxChunk: '45m' }), clock });
    const { store, registry, engine, puller } = rig;
    const expected = expectedCounts();
    try {
      clock.set(START + 60 * 60_000 + 30_000);
      await puller.pull();
      expect(puller.status('playback')).toMatchObject({ lastError: null, completeBefore: new Date((START_MINUTE + 58) * 60_000).toISOString() });

      await prometheus.stop();
      clock.set(START + 120 * 60_000 + 30_000);
      await puller.pull();
      expect(puller.status('playback')?.lastError).toMatch(/^unreachable: /);
      expect(await registry.getSingleMetricAsString('vigil_source_errors_total')).toContain('vigil_source_errors_total{source="prometheus"} 1');
      // What could not be read is no data, not good: nothing after the last successful read.
      const during = store.sloBuckets('playback', { targetRegion: null, vantage: null }, START_MINUTE, START_MINUTE + MINUTES);
      expect(Math.max(...during.minutes)).toBeLessThanOrEqual(START_MINUTE + 60);

      await prometheus.start();
      clock.set(START + (MINUTES + 10) * 60_000);
      await puller.pull();
      expect(puller.status('playback')?.lastError).toBeNull();
      const lag = await registry.getSingleMetricAsString('vigil_source_lag_seconds');
      expect(lag).toContain('vigil_source_lag_seconds{source="prometheus"} 120');

      const check = () => {
        const report = engine.evaluate(clock.now());
        const status = report[0];
        for (const region of ['eu', 'us']) {
          const want = regionTotals(expected, region);
          expect(status?.regions[region]).toMatchObject({ good: want.good, total: want.total, sli: want.good / want.total });
        }
        const all = store.sloBuckets('playback', { targetRegion: null, vantage: null }, START_MINUTE, START_MINUTE + MINUTES);
        expect(all.minutes.length).toBe(new Set([...expected.keys()].map((k) => k.split('/')[2])).size);
      };
      check();
      await puller.pull();
      clock.advance(60_000);
      await puller.pull();
      check();
    } finally {
      await rig.close();
    }
  }, 120_000);
});
