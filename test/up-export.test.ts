// vigil up with spec.export.cloud-monitoring: the in-process probers' results reach Cloud Monitoring as
// custom metrics (a fake MetricService here), one series per probe, target region, vantage and failure,
// each attempt counted once by the time the server has closed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/lib/logger.js';
import { PROBE_TOTAL_METRIC } from '../src/prober/exporters/cloud-monitoring.js';
import { startServer } from '../src/server/start.js';
import { FakeMetricService } from './helpers/fake-metric-service.js';
import { getSlo } from './helpers/http.js';
import { LoopbackTarget } from './helpers/loopback-target.js';
import { httpProbeYaml, probeSloYaml } from './helpers/probe-yaml.js';
import { makeProject, upConfig } from './helpers/project.js';
import { waitFor } from './helpers/wait.js';

const SLO = probeSloYaml('loop-availability', 'loop-http', ['eu-west1']);

const config = (port: number) =>
  upConfig(`  export:
    cloud-monitoring: { project: my-project, interval: 5s, emulator: { host: 127.0.0.1, port: ${port} } }
`);

let fake: FakeMetricService;
let target: LoopbackTarget;
beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = 'none';
  fake = await FakeMetricService.start();
  target = await new LoopbackTarget().start();
});
afterAll(async () => {
  await target.stop();
  await fake.close();
});

describe('vigil up exports probe results to Cloud Monitoring', () => {
  it('writes every attempt of each vantage once, as counted by the SLO', async () => {
    const dir = makeProject({ slos: SLO, config: config(fake.emulator.port) });
    mkdirSync(path.join(dir, 'probes'));
    writeFileSync(path.join(dir, 'probes', 'loop.yaml'), httpProbeYaml('loop-http', [['eu-west1', `${target.url}/eu`]]));
    const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), inProcessProbers: true });
    let counted = 0;
    try {
      await waitFor(async () => ((await getSlo(server.url, 'loop-availability')).total >= 4 ? true : null), 'probe results from both vantages');
    } finally {
      await server.close();
    }
    // Read after close: the last write carried every attempt the probers made.
    const reopened = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
    try {
      counted = (await getSlo(reopened.url, 'loop-availability')).total;
    } finally {
      await reopened.close();
    }
    const latest = new Map<string, number>();
    for (const series of fake.createRequests.flatMap((r) => r.timeSeries ?? [])) {
      if (series.metric?.type !== PROBE_TOTAL_METRIC) continue;
      const labels = series.metric.labels ?? {};
      expect(labels).toMatchObject({ probe: 'loop-http', target_region: 'eu-west1', failure: 'none' });
      latest.set(String(labels.vantage), Number(series.points?.[0]?.value?.int64Value));
    }
    expect([...latest.keys()].sort()).toEqual(['eu-west1', 'us-central1']);
    expect([...latest.values()].reduce((a, b) => a + b, 0)).toBe(counted);
  });
});
