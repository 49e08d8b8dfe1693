import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSlo, postJson } from './helpers/http.js';
import { LoopbackTarget } from './helpers/loopback-target.js';
import { httpProbeYaml, probeSloYaml } from './helpers/probe-yaml.js';
import { startVigil } from './helpers/processes.js';
import { makeProject, upConfig } from './helpers/project.js';
import { metricSum, scrape } from './helpers/prom-text.js';
import { waitFor } from './helpers/wait.js';

const SLO = probeSloYaml('loop-availability', 'loop-http', ['eu-west1', 'us-central1']);


const CONFIG = upConfig();

let target: LoopbackTarget;
beforeAll(async () => {
  target = await new LoopbackTarget().start();
});
afterAll(async () => {
  await target.stop();
});

describe('vigil up runs a prober per vantage region in the server process', () => {
  it('feeds probe SLOs, exposes blackbox-style and server metrics, and follows new probe files', async () => {
    const dir = makeProject({ slos: SLO, config: CONFIG });
    mkdirSync(path.join(dir, 'probes'));
    const eu = `${target.url}/eu`;
    writeFileSync(path.join(dir, 'probes', 'loop.yaml'), httpProbeYaml('loop-http', [['eu-west1', eu], ['us-central1', `${target.url}/us`]]));
    const vigil = await startVigil(['up'], { cwd: dir });
    try {
      const slo = await waitFor(async () => {
        const status = await getSlo(vigil.url, 'loop-availability');
        return status.regions['eu-west1']?.total && status.regions['us-central1']?.total ? status : null;
      }, 'probe events in the SLO, per target region');
      expect(slo.total).toBeGreaterThan(0);
      expect(slo.good).toBe(slo.total);

      const text = await scrape(`${vigil.url}/metrics`);
      for (const vantage of ['eu-west1', 'us-central1']) {
        expect(metricSum(text, 'probe_success', { probe: 'loop-http', target: eu, target_region: 'eu-west1', vantage })).toBe(1);
        expect(metricSum(text, 'probe_http_status_code', { probe: 'loop-http', target: eu, target_region: 'eu-west1', vantage })).toBe(200);
        expect(metricSum(text, 'vigil_probe_total', { probe: 'loop-http', target_region: 'eu-west1', vantage, failure: '' })).toBeGreaterThan(0);
        expect(metricSum(text, 'vigil_probe_success_total', { probe: 'loop-http', target_region: 'eu-west1', vantage })).toBeGreaterThan(0);
      }
      expect(metricSum(text, 'probe_http_duration_seconds', { target: eu, vantage: 'eu-west1', phase: 'connect' })).not.toBeNull();
      expect(metricSum(text, 'vigil_slo_evaluation_seconds_count')).toBeGreaterThan(0);
      expect(metricSum(text, 'process_cpu_seconds_total')).not.toBeNull();

      // An agent's batch through the HTTP ingest is counted by outcome.
      const batch = {
        batchId: 'outside-1',
        vantage: 'asia-east1',
        results: [
          { probe: 'loop-http', target: eu, targetRegion: 'eu-west1', vantage: 'asia-east1', ts: new Date().toISOString(), ok: true, latencyMs: 3, failure: null, status: 200, phases: null },
        ],
      };
      expect((await postJson(`${vigil.url}/api/v1/results`, batch)).status).toBe(200);
      expect((await postJson(`${vigil.url}/api/v1/results`, { batchId: 'bad' })).status).toBe(400);
      const after = await scrape(`${vigil.url}/metrics`);
      expect(metricSum(after, 'vigil_ingest_batches_total', { endpoint: 'results', outcome: 'committed' })).toBe(1);
      expect(metricSum(after, 'vigil_ingest_batches_total', { endpoint: 'results', outcome: 'rejected' })).toBe(1);

      // A probe file added while running is picked up by every in-process prober.
      writeFileSync(path.join(dir, 'probes', 'extra.yaml'), httpProbeYaml('extra-http', [['us-central1', `${target.url}/extra`]]));
      await waitFor(async () => {
        const now = await scrape(`${vigil.url}/metrics`);
        return ['eu-west1', 'us-central1'].every((vantage) => (metricSum(now, 'vigil_probe_total', { probe: 'extra-http', vantage }) ?? 0) > 0);
      }, 'the new probe from both vantages');
      expect(target.count('/extra')).toBeGreaterThan(1);
    } finally {
      vigil.child.kill('SIGINT');
    }
    expect(await vigil.exited).toBe(0);
  }, 60_000);

  it('does not probe in vigil serve (agents do)', async () => {
    const dir = makeProject({ slos: SLO, config: CONFIG });
    mkdirSync(path.join(dir, 'probes'));
    writeFileSync(path.join(dir, 'probes', 'loop.yaml'), httpProbeYaml('loop-http', [['eu-west1', `${target.url}/serve-only`]], '[eu-west1]'));
    const vigil = await startVigil(['serve'], { cwd: dir });
    try {
      const text = await scrape(`${vigil.url}/metrics`);
      expect(metricSum(text, 'vigil_probe_targets')).toBeNull();
      expect(metricSum(text, 'vigil_slo_evaluation_seconds_count')).toBeGreaterThan(0);
      // The agents' view of the same probes is served instead.
      const first = await fetch(`${vigil.url}/api/v1/probes?vantage=eu-west1`);
      expect(((await first.json()) as { probes: unknown[] }).probes).toHaveLength(1);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const again = await fetch(`${vigil.url}/api/v1/probes?vantage=eu-west1`, { headers: { 'if-none-match': etag ?? '' } });
      expect(again.status).toBe(304);
      const other = await fetch(`${vigil.url}/api/v1/probes?vantage=asia-east1`, { headers: { 'if-none-match': etag ?? '' } });
      expect(other.status).toBe(200);
      expect(((await other.json()) as { probes: unknown[] }).probes).toEqual([]);
    } finally {
      vigil.child.kill('SIGTERM');
    }
    expect(await vigil.exited).toBe(0);
    expect(target.count('/serve-only')).toBe(0);
  }, 30_000);
});
