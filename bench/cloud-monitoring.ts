// Benchmark: the Cloud Monitoring exporter's cost on the probing hot path and per write, and a 30-day
// backfill of one SLO × 3 regions through the cloud-monitoring source, all through the real client
// against the fake MetricService on loopback (no emulator exists). The fake runs in this process, so
// the backfill's CPU includes the fake encoding the pages: an upper bound on Vigil's side.
import { Registry } from 'prom-client';
import { DAY_MS, MINUTE_MS } from '../src/lib/duration.js';
import { CloudMonitoringExporter } from '../src/prober/exporters/cloud-monitoring.js';
import type { ProbeResult } from '../src/prober/model.js';
import { CloudMonitoringSource } from '../src/slo/sources/cloud-monitoring/cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from '../src/slo/sources/cloud-monitoring/schema.js';
import { FakeMetricService } from '../test/helpers/fake-metric-service.js';
import { alignedDeltaAnswer, type KnownSeries } from '../test/helpers/metric-service-data.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 3_000);
const RESULTS = Number(process.env.BENCH_RESULTS ?? 1_000_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function exporterCost(fake: FakeMetricService): Promise<void> {
  const exporter = new CloudMonitoringExporter({ project: 'bench-project', emulator: fake.emulator, flushIntervalMs: 3_600_000, registry: new Registry() });
  const results: ProbeResult[] = Array.from({ length: TARGETS }, (_, i) => ({
    probe: `probe-${i % 100}`,
    target: `https://t${i}.example.com/`,
    targetRegion: ['eu-west1', 'us-central1', 'asia-east1'][i % 3] as string,
    vantage: `vantage-${Math.floor(i / 100) % 10}`,
    ts: Date.now(),
    ok: i % 50 !== 0,
    latencyMs: 12.5,
    failure: i % 50 === 0 ? 'timeout' : null,
    status: 200,
    phases: null,
  }));
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < RESULTS; i++) exporter.record(results[i % results.length] as ProbeResult);
  const recordCpu = cpuMs(cpu);
  const recordWall = performance.now() - wall;
  fake.createRequests.length = 0;
  const flushCpu = process.cpuUsage();
  const flushWall = performance.now();
  const summary = await exporter.flush();
  const flushMs = performance.now() - flushWall;
  const flushCpuMs = cpuMs(flushCpu);
  await exporter.close();
  console.log(`exporter: ${RESULTS.toLocaleString()} results over ${TARGETS.toLocaleString()} targets`);
  console.log(`  record(): ${((recordCpu * 1e6) / RESULTS).toFixed(0)} ns CPU per result (${recordWall.toFixed(0)} ms wall in all)`);
  console.log(
    `  one write: ${summary.series.toLocaleString()} series in ${summary.calls} CreateTimeSeries calls (largest ${Math.max(...fake.createRequests.map((r) => r.timeSeries?.length ?? 0))}), ${flushMs.toFixed(0)} ms wall, ${flushCpuMs.toFixed(0)} ms CPU incl. the fake`,
  );
}

async function backfillCost(fake: FakeMetricService): Promise<void> {
  const endMinute = Math.floor(Date.parse('2026-11-01T00:00:00Z') / MINUTE_MS);
  const minutes = (DAYS * DAY_MS) / MINUTE_MS;
  const startMinute = endMinute - minutes;
  const total = 'metric.type = "custom.googleapis.com/http/requests"';
  const good = `${total} AND metric.label.code != "500"`;
  const series: KnownSeries[] = [];
  for (const region of ['eu-west1', 'us-central1', 'asia-east1']) {
    for (const code of ['200', '500']) {
      const deltas = new Map<number, number>();
      for (let m = startMinute; m < endMinute; m++) deltas.set(m, code === '200' ? 1_000 + (m % 97) : m % 7);
      series.push({ metricLabels: { region, code }, deltas });
    }
  }
  fake.onList = alignedDeltaAnswer(
    new Map([
      [total, series],
      [good, series.filter((s) => s.metricLabels.code === '200')],
    ]),
  );
  const config = cloudMonitoringSourceSchema.parse({ project: 'bench-project', emulator: fake.emulator, pageSize: 10_000 });
  const source = new CloudMonitoringSource(config, { clock: { now: () => (endMinute + 10) * MINUTE_MS } });
  const query = { slo: 'bench', good, total, regionLabel: 'metric.label.region', vantageLabel: null };
  fake.listRequests.length = 0;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  let counted = 0;
  for (let from = startMinute; from < endMinute; from += source.maxChunkMinutes) {
    const { counts } = await source.read(query, from, Math.min(endMinute, from + source.maxChunkMinutes), AbortSignal.timeout(60_000));
    counted += counts.length;
  }
  const wallMs = performance.now() - wall;
  const cpuUsed = cpuMs(cpu);
  await source.close();
  console.log(`backfill: ${DAYS} days × 3 regions of one SLO (${counted.toLocaleString()} region-minutes, ${fake.listRequests.length} ListTimeSeries pages)`);
  console.log(`  ${(wallMs / 1000).toFixed(2)} s wall, ${(cpuUsed / 1000).toFixed(2)} s CPU incl. the fake`);
}

process.env.METADATA_SERVER_DETECTION = 'none';
const fake = await FakeMetricService.start();
try {
  await exporterCost(fake);
  await backfillCost(fake);
} finally {
  await fake.close();
}
