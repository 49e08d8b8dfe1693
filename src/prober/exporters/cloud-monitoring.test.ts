// The probe-results exporter through the real @google-cloud/monitoring client against a fake gRPC
// MetricService, on virtual time: batch sizes, one point per series per call, 5 s spacing, drops, and
// probing that never waits on a failing API.
import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeKind, fakeProbe } from '../../../test/helpers/fake-kind.js';
import { type CreateTimeSeriesRequest, FakeMetricService } from '../../../test/helpers/fake-metric-service.js';
import { VirtualTimers } from '../../../test/helpers/virtual-timers.js';
import type { ProbeKind } from '../kinds/kind.js';
import { ProberMetrics } from '../metrics.js';
import type { ProbeResult } from '../model.js';
import { failure } from '../outcome.js';
import { VantageProber } from '../vantage-prober.js';
import {
  CloudMonitoringExporter,
  type CloudMonitoringExporterOptions,
  PROBE_DURATION_METRIC,
  PROBE_SUCCESS_METRIC,
  PROBE_TOTAL_METRIC,
} from './cloud-monitoring.js';
import { cloudMonitoringExportSchema } from './schema.js';

function result(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    probe: 'playback-http',
    target: 'https://eu.example.com/',
    targetRegion: 'eu-west1',
    vantage: 'us-central1',
    ts: Date.parse('2026-11-01T00:00:00Z'),
    ok: true,
    latencyMs: 120,
    failure: null,
    status: 200,
    phases: null,
    ...overrides,
  };
}

type Series = NonNullable<CreateTimeSeriesRequest['timeSeries']>[number];
const seriesKey = (s: Series) => `${s.metric?.type} ${JSON.stringify(Object.entries(s.metric?.labels ?? {}).sort())}`;
const endMs = (s: Series) => Number(s.points?.[0]?.interval?.endTime?.seconds) * 1000 + (s.points?.[0]?.interval?.endTime?.nanos ?? 0) / 1e6;

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
}

describe('Cloud Monitoring exporter against a fake MetricService', () => {
  let fake: FakeMetricService;
  let exporter: CloudMonitoringExporter | undefined;
  let timers: VirtualTimers;
  let registry: Registry;

  beforeAll(async () => {
    fake = await FakeMetricService.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    await exporter?.close();
    exporter = undefined;
    fake.reset();
  });

  function createExporter(options: Partial<CloudMonitoringExporterOptions> = {}): CloudMonitoringExporter {
    timers = new VirtualTimers();
    registry = new Registry();
    exporter = new CloudMonitoringExporter({ project: 'my-project', emulator: fake.emulator, timers, registry, ...options });
    return exporter;
  }

  /** Moves virtual time on and waits for the write the timer started. */
  async function advance(ms: number, running: CloudMonitoringExporter): Promise<void> {
    await timers.advance(ms);
    await running.flush();
  }

  it('writes 750 series in calls of at most 200, each series once per call with one point, on the global resource', async () => {
    const running = createExporter();
    // 250 targets: each is one cumulative total series plus the success and duration gauges.
    for (let i = 0; i < 250; i++) running.record(result({ probe: `p${i}` }));
    await advance(60_000, running);
    expect(fake.createRequests.map((r) => r.timeSeries?.length)).toEqual([200, 200, 200, 150]);
    for (const request of fake.createRequests) {
      expect(request.name).toBe('projects/my-project');
      const keys = (request.timeSeries ?? []).map(seriesKey);
      expect(new Set(keys).size).toBe(keys.length);
      for (const series of request.timeSeries ?? []) {
        expect(series.points).toHaveLength(1);
        expect(series.resource).toEqual({ type: 'global', labels: { project_id: 'my-project' } });
      }
    }
    const all = fake.createRequests.flatMap((r) => r.timeSeries ?? []);
    expect(new Set(all.map((s) => s.metric?.type))).toEqual(new Set([PROBE_TOTAL_METRIC, PROBE_SUCCESS_METRIC, PROBE_DURATION_METRIC]));
    await expect(metricValue(registry, 'vigil_export_points_total')).resolves.toBe(750);
  });

  it('exports cumulative attempt counts labelled by probe, target region, vantage and failure, and the latest success and duration', async () => {
    const running = createExporter();
    running.record(result());
    running.record(result());
    running.record(result({ ok: false, failure: 'timeout', latencyMs: 2_000 }));
    await advance(60_000, running);
    const all = fake.createRequests.flatMap((r) => r.timeSeries ?? []);
    const totals = all.filter((s) => s.metric?.type === PROBE_TOTAL_METRIC);
    const labels = { probe: 'playback-http', target_region: 'eu-west1', vantage: 'us-central1' };
    expect(totals.map((s) => [s.metric?.labels, s.metricKind, s.points?.[0]?.value])).toEqual([
      [{ ...labels, failure: 'none' }, 'CUMULATIVE', { value: 'int64Value', int64Value: '2' }],
      [{ ...labels, failure: 'timeout' }, 'CUMULATIVE', { value: 'int64Value', int64Value: '1' }],
    ]);
    const start = totals[0]?.points?.[0]?.interval?.startTime;
    expect(Number(start?.seconds)).toBeLessThan(endMs(totals[0] as Series) / 1000);
    const gauge = (type: string) => all.find((s) => s.metric?.type === type);
    expect([gauge(PROBE_SUCCESS_METRIC)?.metric?.labels, gauge(PROBE_SUCCESS_METRIC)?.points?.[0]?.value]).toEqual([labels, { value: 'int64Value', int64Value: '0' }]);
    expect(gauge(PROBE_DURATION_METRIC)?.points?.[0]?.value).toEqual({ value: 'doubleValue', doubleValue: 2 });
  });

  it('keeps counting across writes and rewrites gauges only for targets probed since', async () => {
    const running = createExporter();
    running.record(result());
    await advance(60_000, running);
    running.record(result({ probe: 'other' }));
    await advance(60_000, running);
    const second = fake.createRequests.at(-1)?.timeSeries ?? [];
    expect(second.filter((s) => s.metric?.type === PROBE_TOTAL_METRIC).map((s) => [s.metric?.labels?.probe, s.points?.[0]?.value?.int64Value])).toEqual([
      ['playback-http', '1'],
      ['other', '1'],
    ]);
    expect(second.filter((s) => s.metric?.type === PROBE_SUCCESS_METRIC).map((s) => s.metric?.labels?.probe)).toEqual(['other']);
  });

  it('never writes two points of a series less than 5 s apart, even when asked to', async () => {
    const running = createExporter({ flushIntervalMs: 1_000 });
    running.record(result());
    await timers.advance(1_000);
    expect(fake.createRequests).toHaveLength(0);
    await advance(4_000, running);
    expect(fake.createRequests).toHaveLength(1);
    running.record(result());
    await running.flush();
    expect(fake.createRequests).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      running.record(result());
      await advance(5_000, running);
    }
    const ends = fake.createRequests.map((r) => endMs(r.timeSeries?.find((s) => s.metric?.type === PROBE_TOTAL_METRIC) as Series));
    expect(ends).toHaveLength(6);
    for (let i = 1; i < ends.length; i++) expect((ends[i] ?? 0) - (ends[i - 1] ?? 0)).toBeGreaterThanOrEqual(5_000);
  });

  it('drops and counts results that would grow it past its series limit', async () => {
    const running = createExporter({ maxSeries: 7 });
    running.record(result({ probe: 'a' }));
    running.record(result({ probe: 'b' }));
    running.record(result({ probe: 'c' }));
    running.record(result({ probe: 'a', ok: false, failure: 'connect' }));
    running.record(result({ probe: 'b', ok: false, failure: 'connect' }));
    await expect(metricValue(registry, 'vigil_export_dropped_total', { exporter: 'cloud-monitoring' })).resolves.toBe(2);
    await expect(metricValue(registry, 'vigil_export_series')).resolves.toBe(7);
    await advance(60_000, running);
    const probes = (fake.createRequests[0]?.timeSeries ?? []).map((s) => s.metric?.labels?.probe);
    expect(new Set(probes)).toEqual(new Set(['a', 'b']));
  });

  it('counts a failed call by reason and carries the totals in the next write', async () => {
    const running = createExporter();
    fake.onCreate = () => ({ code: status.PERMISSION_DENIED, details: 'monitoring.timeSeries.create denied' });
    running.record(result());
    await advance(60_000, running);
    await expect(metricValue(registry, 'vigil_export_errors_total', { reason: 'denied' })).resolves.toBe(1);
    fake.onCreate = () => ({});
    running.record(result());
    await advance(60_000, running);
    const total = fake.createRequests.at(-1)?.timeSeries?.find((s) => s.metric?.type === PROBE_TOTAL_METRIC);
    expect(total?.points?.[0]?.value).toEqual({ value: 'int64Value', int64Value: '2' });
    expect(fake.createRequests).toHaveLength(2);
  });

  it('lets probing run on while CreateTimeSeries hangs, and exports every attempt once the API answers', async () => {
    let release: (() => void) | undefined;
    fake.onCreate = () =>
      new Promise((resolve) => {
        release = () => resolve({});
      });
    const running = createExporter({ flushIntervalMs: 10_000, timeoutMs: 5_000 });
    const { kind } = fakeKind(() => ({ delayMs: 50, outcome: failure('connection_refused', 50) }), { timers });
    const prober = new VantageProber({
      vantage: 'us-central1',
      sink: null,
      metrics: new ProberMetrics(new Registry()),
      kinds: new Map([[kind.type, kind as ProbeKind]]),
      timers,
      exporter: running,
    });
    prober.setProbes([fakeProbe({ name: 'playback-tcp', targets: ['eu'], intervalMs: 1_000 })]);
    // The first write hangs; nine more intervals pass while it does.
    await timers.advance(100_000);
    const during = prober.summary().results;
    expect(during).toBeGreaterThanOrEqual(99);
    expect(fake.createRequests).toHaveLength(1);
    await prober.close(0);
    fake.onCreate = () => ({});
    release?.();
    await running.flush();
    await advance(10_000, running);
    const last = fake.createRequests.at(-1)?.timeSeries?.find((s) => s.metric?.type === PROBE_TOTAL_METRIC);
    expect(Number(last?.points?.[0]?.value?.int64Value)).toBe(prober.summary().results);
  });
});

describe('Cloud Monitoring export config', () => {
  it('fills defaults and refuses an interval under 5 s or a malformed project', () => {
    expect(cloudMonitoringExportSchema.parse({ project: 'my-project' })).toEqual({ project: 'my-project', interval: 60_000, maxSeries: 10_000 });
    expect(cloudMonitoringExportSchema.safeParse({ project: 'my-project', interval: '1s' }).error?.issues[0]?.message).toMatch(/too short: at least 5s/);
    expect(cloudMonitoringExportSchema.safeParse({ project: 'My Project' }).error?.issues[0]?.message).toMatch(/Google Cloud project ID/);
  });
});
