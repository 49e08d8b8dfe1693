// Probe results exported to Cloud Monitoring and read back as a ratio SLO's SLI through the
// cloud-monitoring source: what a large fleet does instead of feeding the embedded store.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeKind, fakeProbe } from '../../../test/helpers/fake-kind.js';
import { FakeMetricService } from '../../../test/helpers/fake-metric-service.js';
import { FakeTimeSeriesStore } from '../../../test/helpers/metric-service-store.js';
import { VirtualTimers } from '../../../test/helpers/virtual-timers.js';
import { MINUTE_MS } from '../../lib/duration.js';
import { CloudMonitoringSource } from '../../slo/sources/cloud-monitoring/cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from '../../slo/sources/cloud-monitoring/schema.js';
import type { ProbeKind } from '../kinds/kind.js';
import { ProberMetrics } from '../metrics.js';
import type { ProbeResult } from '../model.js';
import { failure, success } from '../outcome.js';
import { VantageProber } from '../vantage-prober.js';
import { CloudMonitoringExporter, PROBE_TOTAL_METRIC } from './cloud-monitoring.js';

describe('probe results through Cloud Monitoring and back', () => {
  let fake: FakeMetricService;

  beforeAll(async () => {
    fake = await FakeMetricService.start();
    new FakeTimeSeriesStore().attach(fake);
  });
  afterAll(async () => {
    await fake.close();
  });

  it("gives a ratio SLO over the exported totals each target region's exact good, total and SLI", async () => {
    const timers = new VirtualTimers();
    const startMinute = timers.now() / MINUTE_MS;
    const exporter = new CloudMonitoringExporter({ project: 'my-project', emulator: fake.emulator, timers, registry: new Registry() });
    let usAttempts = 0;
    const { kind } = fakeKind(
      (target) => {
        if (target !== 'us') return { delayMs: 20 };
        usAttempts++;
        return { delayMs: 20, outcome: usAttempts % 3 === 0 ? failure('http_status', 20) : success(20) };
      },
      { timers },
    );
    const seen: ProbeResult[] = [];
    const prober = new VantageProber({
      vantage: 'eu-west1',
      sink: null,
      metrics: new ProberMetrics(new Registry()),
      kinds: new Map([[kind.type, kind as ProbeKind]]),
      timers,
      exporter: {
        record(result) {
          seen.push(result);
          exporter.record(result);
        },
      },
    });
    prober.setProbes([
      fakeProbe({
        name: 'playback-http',
        targets: [
          { name: 'eu', region: 'eu-west1' },
          { name: 'us', region: 'us-central1' },
        ],
        intervalMs: 2_000,
      }),
    ]);
    for (let minute = 0; minute < 30; minute++) {
      await timers.advance(MINUTE_MS);
      await exporter.flush();
    }
    await prober.close(0);
    await timers.advance(MINUTE_MS);
    await exporter.close();
    expect(seen.length).toBeGreaterThan(1_700);

    const config = cloudMonitoringSourceSchema.parse({ project: 'my-project', emulator: fake.emulator });
    const source = new CloudMonitoringSource(config, { clock: timers });
    const total = `metric.type = "${PROBE_TOTAL_METRIC}" AND metric.label.probe = "playback-http"`;
    const query = { slo: 'playback', good: `${total} AND metric.label.failure = "none"`, total, regionLabel: 'metric.label.target_region', vantageLabel: 'metric.label.vantage' };
    const { counts } = await source.read(query, startMinute, startMinute + 32, AbortSignal.timeout(10_000));
    await source.close();
    for (const region of ['eu-west1', 'us-central1']) {
      const mine = counts.filter((c) => c.targetRegion === region);
      const good = mine.reduce((sum, c) => sum + c.good, 0);
      const all = mine.reduce((sum, c) => sum + c.total, 0);
      const results = seen.filter((r) => r.targetRegion === region);
      expect({ good, total: all, sli: good / all }).toEqual({
        good: results.filter((r) => r.ok).length,
        total: results.length,
        sli: results.filter((r) => r.ok).length / results.length,
      });
      expect(new Set(mine.map((c) => c.vantage))).toEqual(new Set(['eu-west1']));
    }
  });
});
