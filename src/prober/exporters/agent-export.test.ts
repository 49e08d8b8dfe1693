// A prober agent with Cloud Monitoring export on: real HTTP probes of a loopback target, their results
// written as custom metrics to a fake MetricService, and the exporter's own counters in /metrics.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMetricService } from '../../../test/helpers/fake-metric-service.js';
import { LoopbackTarget } from '../../../test/helpers/loopback-target.js';
import { httpProbeYaml } from '../../../test/helpers/probe-yaml.js';
import { metricSum, scrape } from '../../../test/helpers/prom-text.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { silentLogger } from '../../lib/logger.js';
import { startAgent } from '../agent.js';
import { PROBE_TOTAL_METRIC } from './cloud-monitoring.js';

describe('vigil probe with --export-cloud-monitoring', () => {
  let fake: FakeMetricService;
  let target: LoopbackTarget;

  beforeAll(async () => {
    fake = await FakeMetricService.start();
    target = await new LoopbackTarget().start();
  });
  afterAll(async () => {
    await target.stop();
    await fake.close();
  });

  /** An agent in us-central1 whose one probe checks the loopback target as eu-west1, exporting to the fake. */
  async function startExportingAgent() {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-export-'));
    writeFileSync(path.join(dir, 'loop.yaml'), httpProbeYaml('loop-http', [['eu-west1', `${target.url}/health`]]));
    return startAgent({
      region: 'us-central1',
      probesDir: dir,
      spoolDir: dir,
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      exportCloudMonitoring: { project: 'my-project', emulator: fake.emulator },
      logger: silentLogger(),
    });
  }

  it('exports every attempt it made, counted once, when it stops', async () => {
    const agent = await startExportingAgent();
    await waitFor(() => agent.prober.summary().results >= 3, 'three probe results');
    const tally = await agent.close(0);
    const totals = fake.createRequests.flatMap((r) => r.timeSeries ?? []).filter((s) => s.metric?.type === PROBE_TOTAL_METRIC);
    expect(totals.map((s) => s.metric?.labels)).toEqual([{ probe: 'loop-http', target_region: 'eu-west1', vantage: 'us-central1', failure: 'none' }]);
    expect(Number(totals[0]?.points?.[0]?.value?.int64Value)).toBe(tally.results);
  });

  it('serves the exporter counters beside the probe metrics', async () => {
    const agent = await startExportingAgent();
    try {
      const text = await scrape(`${agent.metricsUrl}/metrics`);
      expect(metricSum(text, 'vigil_export_dropped_total', { exporter: 'cloud-monitoring' })).toBe(0);
      expect(text).toContain('# TYPE vigil_export_errors_total counter');
    } finally {
      await agent.close(0);
    }
  });
});
