// The cloud-monitoring source behind the puller, into the store and the engine: three days backfilled in
// chunks and pages from a fake MetricService that aligns and sums like Cloud Monitoring, an outage that
// shows no data and is backfilled once it ends, and minutes re-read without being counted twice.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/counter-data.js';
import { playbackSlo } from '../../../../test/helpers/definitions.js';
import { FakeMetricService } from '../../../../test/helpers/fake-metric-service.js';
import { alignedDeltaAnswer, type KnownSeries } from '../../../../test/helpers/metric-service-data.js';
import { startPullRig } from '../../../../test/helpers/source-pull.js';
import { ManualClock } from '../../../lib/clock.js';
import { MINUTE_MS } from '../../../lib/duration.js';
import { CloudMonitoringSource } from './cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from './schema.js';

const START_MINUTE = Date.parse('2026-11-01T00:00:00Z') / MINUTE_MS;
const MINUTES = 3 * 1_440 + 180;
const TOTAL = 'metric.type = "custom.googleapis.com/http/requests"';
const GOOD = `${TOTAL} AND metric.label.code != "500"`;

/** Two instances per region and code; a daily cycle of traffic and a burst of errors in us-central1. */
function knownSeries(): KnownSeries[] {
  const all: KnownSeries[] = [];
  let seed = 7;
  for (const region of ['eu-west1', 'us-central1']) {
    for (const code of ['200', '500']) {
      for (const instance of ['a', 'b']) {
        const random = seeded(seed++);
        const deltas = new Map<number, number>();
        for (let i = 0; i < MINUTES; i++) {
          const daily = 1 + Math.sin((2 * Math.PI * i) / 1_440);
          const burst = region === 'us-central1' && i >= 2_000 && i < 2_030 ? 40 : 0;
          const events = code === '200' ? Math.round(daily * 30 * random()) : Math.round(random() * 1.2) + burst;
          // Silent minutes have no point at all, as in Cloud Monitoring.
          if (events > 0) deltas.set(START_MINUTE + i, events);
        }
        all.push({ metricLabels: { region, code, instance }, resourceLabels: { zone: `${region}-b` }, deltas });
      }
    }
  }
  return all;
}

const SERIES = knownSeries();
const BY_FILTER = new Map([
  [TOTAL, SERIES],
  [GOOD, SERIES.filter((s) => s.metricLabels.code !== '500')],
]);

function expectedTotals(region: string, beforeMinute: number): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (const series of SERIES) {
    if (series.metricLabels.region !== region) continue;
    for (const [minute, events] of series.deltas) {
      if (minute >= beforeMinute) continue;
      total += events;
      if (series.metricLabels.code !== '500') good += events;
    }
  }
  return { good, total };
}

const SLO = playbackSlo({
  window: '7d',
  regions: ['eu-west1', 'us-central1'],
  ratio: { source: 'cloud-monitoring', good: GOOD, total: TOTAL, regionLabel: 'metric.label.region' },
});

describe('pulling Cloud Monitoring into the store', () => {
  let fake: FakeMetricService;

  beforeAll(async () => {
    fake = await FakeMetricService.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it("gives the engine each region's exact good, total and SLI; an outage is backfilled; re-pulled minutes count once", async () => {
    const clock = new ManualClock((START_MINUTE + 3 * 1_440) * MINUTE_MS + 30_000);
    const config = cloudMonitoringSourceSchema.parse({ project: 'my-project', emulator: fake.emulator, pageSize: 1_000 });
    const rig = startPullRig({ slo: SLO, sourceKind: 'cloud-monitoring', source: new CloudMonitoringSource(config, { clock }), clock });
    const { store, registry, engine, puller } = rig;
    const check = (beforeMinute: number) => {
      const report = engine.evaluate(clock.now());
      for (const region of ['eu-west1', 'us-central1']) {
        const want = expectedTotals(region, beforeMinute);
        expect(report[0]?.regions[region]).toMatchObject({ good: want.good, total: want.total, sli: want.good / want.total });
      }
    };
    try {
      fake.onList = alignedDeltaAnswer(BY_FILTER);
      await puller.pull();
      expect(puller.status('playback')).toMatchObject({ lastError: null, completeBefore: new Date((START_MINUTE + 3 * 1_440 - 5) * MINUTE_MS).toISOString() });
      // Seven days of window in one-day chunks, each of two filters in pages of at most 1,000 points.
      const tokens = fake.listRequests.map((r) => r.pageToken).filter((t) => t !== '');
      expect(tokens.length).toBeGreaterThan(0);
      check(START_MINUTE + 3 * 1_440 + 1);

      fake.onList = () => ({ code: status.UNAVAILABLE, details: 'connection reset' });
      clock.advance(60 * MINUTE_MS);
      await puller.pull();
      expect(puller.status('playback')?.lastError).toMatch(/^unreachable: /);
      expect(await registry.getSingleMetricAsString('vigil_source_errors_total')).toContain('vigil_source_errors_total{source="cloud-monitoring"} 1');
      // Nothing could be read for the outage: those minutes are no data, not good.
      const during = store.sloBuckets('playback', { targetRegion: null, vantage: null }, START_MINUTE + 3 * 1_440 + 1, START_MINUTE + MINUTES);
      expect(during.minutes.length).toBe(0);

      fake.onList = alignedDeltaAnswer(BY_FILTER);
      clock.set((START_MINUTE + MINUTES + 10) * MINUTE_MS);
      await puller.pull();
      expect(puller.status('playback')?.lastError).toBeNull();
      check(START_MINUTE + MINUTES);
      await puller.pull();
      clock.advance(MINUTE_MS);
      await puller.pull();
      check(START_MINUTE + MINUTES);
    } finally {
      await rig.close();
    }
  }, 60_000);
});
