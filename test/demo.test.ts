import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getSlo } from './helpers/http.js';
import { freePort } from './helpers/peer-process.js';
import { startVigil } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

const DEMO_PORTS = { 'eu-west1': 18081, 'us-central1': 18082, 'asia-east1': 18083 } as const;
type Region = keyof typeof DEMO_PORTS;

/** A copy of the repository's own vigil.yaml and definitions, with the demo's fixed ports swapped for free ones. */
async function demoCopy(): Promise<{ dir: string; ports: Record<Region, number> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-demo-'));
  for (const entry of ['vigil.yaml', 'slo-definitions', 'probes', 'runbooks']) cpSync(entry, path.join(dir, entry), { recursive: true });
  const ports = { 'eu-west1': await freePort(), 'us-central1': await freePort(), 'asia-east1': await freePort() };
  const files = [path.join(dir, 'vigil.yaml'), ...readdirSync(path.join(dir, 'probes')).map((f) => path.join(dir, 'probes', f))];
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    for (const region of Object.keys(DEMO_PORTS) as Region[]) text = text.replaceAll(String(DEMO_PORTS[region]), String(ports[region]));
    writeFileSync(file, text);
  }
  return { dir, ports };
}

const fault = (port: number, body: object) =>
  fetch(`http://127.0.0.1:${port}/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the shipped demo (npm start)', () => {
  it('probes the stand-ins into the playback SLOs; injected errors and latency burn the right SLO in the right region', async () => {
    const { dir, ports } = await demoCopy();
    const vigil = await startVigil(['up', '--port', '0', '--data-dir', path.join(dir, 'data')], { cwd: dir });
    try {
      const regions = Object.keys(DEMO_PORTS) as Region[];
      await waitFor(async () => {
        const slo = await getSlo(vigil.url, 'playback-availability');
        return regions.every((r) => (slo.regions[r]?.total ?? 0) > 0) && slo.good === slo.total;
      }, 'healthy probe events from every region', { timeoutMs: 45_000 });

      expect((await fault(ports['eu-west1'], { errorRate: 1 })).status).toBe(200);
      expect((await fault(ports['us-central1'], { latencyMs: 600 })).status).toBe(200);
      const [availability, latency] = await waitFor(async () => {
        const a = await getSlo(vigil.url, 'playback-availability');
        const l = await getSlo(vigil.url, 'playback-latency');
        const eu = a.regions['eu-west1'];
        const us = l.regions['us-central1'];
        return eu && us && eu.good < eu.total && us.good < us.total ? [a, l] : null;
      }, 'the faults to show in the SLOs', { timeoutMs: 45_000 });
      // Slow but successful answers count against latency only; errors in one region stay in that region.
      expect(availability.regions['us-central1']?.good).toBe(availability.regions['us-central1']?.total);
      expect(availability.regions['asia-east1']?.good).toBe(availability.regions['asia-east1']?.total);
      expect(availability.burnRates['5m']).toBeGreaterThan(0);
      expect(latency.regions['asia-east1']?.good).toBe(latency.regions['asia-east1']?.total);
    } finally {
      vigil.child.kill('SIGINT');
    }
    expect(await vigil.exited).toBe(0);
  }, 120_000);
});
