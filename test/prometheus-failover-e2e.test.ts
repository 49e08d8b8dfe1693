// End to end from a real Prometheus: request counters scraped from a loopback target → the Prometheus source
// (exact counts per target region and vantage) → the SLO engine's page alert → a quorum of vantages → the
// failover orchestrator drains the region through the file provider.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { REGIONS, triggerSlo, waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { makeProject } from './helpers/project.js';
import { type PrometheusPeer, startPrometheus } from './helpers/prometheus-peer.js';

const BURNING = 'eu-west1';
const FAILING_FROM = ['us-central1', 'asia-east1'];
const PER_SCRAPE = 30;

/** Counters per (region, vantage, code), each scrape adding PER_SCRAPE requests: all 5xx where BURNING is seen failing. */
function counterTarget(): { server: Server; scrapes: () => number } {
  const counters = new Map<string, number>();
  let scrapes = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    for (const region of REGIONS) {
      for (const vantage of REGIONS) {
        const code = region === BURNING && FAILING_FROM.includes(vantage) ? '503' : '200';
        const key = `region="${region}",vantage="${vantage}",code="${code}"`;
        counters.set(key, (counters.get(key) ?? 0) + PER_SCRAPE);
      }
    }
    const lines = ['# TYPE http_requests_total counter', ...[...counters].map(([labels, n]) => `http_requests_total{${labels}} ${n}`)];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  return { server, scrapes: () => scrapes };
}

const SLO = triggerSlo(
  `{ ratio: { source: prometheus, good: 'http_requests_total{job="api",code!~"5.."}', total: 'http_requests_total{job="api"}', regionLabel: region, vantageLabel: vantage } }`,
);

let target: ReturnType<typeof counterTarget>;
let prometheus: PrometheusPeer;
let vigil: RunningServer;
let weightsFile: string;

beforeAll(async () => {
  target = counterTarget();
  await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
  const port = (target.server.address() as AddressInfo).port;
  prometheus = await startPrometheus({
    config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: api
    static_configs: [ { targets: ["127.0.0.1:${port}"] } ]
`,
  });
  const dir = makeProject({
    slos: SLO,
    config: `apiVersion: vigil/v1
kind: Config
spec:
  dataDir: data
  server: { port: 0 }
  engine: { evaluationInterval: 1s }
  sources:
    prometheus: { url: "${prometheus.url}", timeout: 5s, settle: 0s, maxChunk: 7d }
  regions:
    eu-west1:    { weight: 100, capacity: 60 }
    us-central1: { weight: 100, capacity: 60 }
    asia-east1:  { weight: 100, capacity: 50 }
  failover:
    mode: auto
    triggers: { slos: [api], severity: page, quorum: 2 }
    safety: { minServingRegions: 2, maxDrainedRegions: 1, cooldown: 0s }
    steps: [ { weightPercent: 0 } ]
    failback: { mode: manual }
    provider: { kind: file, path: weights.json }
`,
  });
  weightsFile = path.join(dir, 'weights.json');
  vigil = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
}, 120_000);

afterAll(async () => {
  await vigil?.close();
  await prometheus?.close();
  await new Promise<void>((resolve) => (target ? target.server.close(() => resolve()) : resolve()));
});

describe('a ratio SLO read from Prometheus', () => {
  it('pages for the burning region from two vantages and drains it through the orchestrator', async () => {
    const drained = await waitFor(
      () => weightsOnDisk(weightsFile),
      (w) => w?.[BURNING] === 0,
      60_000,
    );
    expect(drained).toEqual({ 'eu-west1': 0, 'us-central1': 100, 'asia-east1': 100 });
    expect(target.scrapes()).toBeGreaterThan(1);

    const detail = (await (await fetch(`${vigil.url}/api/v1/slos/api`)).json()) as {
      slo: { regions: Record<string, { good: number; total: number; alerts: Array<{ severity: string; firing: boolean }> }> };
      source: { source: string; lastError: string | null; completeBefore: string | null };
    };
    expect(detail.source).toMatchObject({ source: 'prometheus', lastError: null });
    const burning = detail.slo.regions[BURNING];
    // Exact counts: whole scrapes of PER_SCRAPE per series, and the three series of a region share every
    // scrape, so the one vantage that sees it serve holds exactly a third of its requests.
    expect(burning?.total).toBeGreaterThan(0);
    expect((burning?.total ?? 0) % PER_SCRAPE).toBe(0);
    expect((burning?.good ?? 0) * 3).toBe(burning?.total);
    expect(detail.slo.regions['us-central1']).toMatchObject({ alerts: expect.not.arrayContaining([expect.objectContaining({ firing: true })]) });

    const audit = (await (await fetch(`${vigil.url}/api/v1/failover/audit`)).json()) as { entries: Array<{ action: string; outcome: string; region: string | null; reason: string }> };
    const drain = audit.entries.find((e) => e.action === 'drain' && e.outcome === 'executed');
    expect(drain?.region).toBe(BURNING);
    expect(drain?.reason).toMatch(/page alert of api fires for eu-west1 from asia-east1, us-central1 \(quorum 2\)/);

    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    expect(metrics).toContain('vigil_source_errors_total{source="prometheus"} 0');
    expect(metrics).toMatch(/vigil_source_lag_seconds\{source="prometheus"\} \d/);
  }, 90_000);

  it('says so in the API, on the SLO page and in /metrics when Prometheus stops answering', async () => {
    await prometheus.stop();
    const failed = await waitFor(
      async () => ((await (await fetch(`${vigil.url}/api/v1/slos/api`)).json()) as { source: { lastError: string | null } }).source,
      // A read in flight while Prometheus shuts down may get its 503 first; once it is gone, reads are refused.
      (source) => source.lastError?.startsWith('unreachable') ?? false,
      30_000,
    );
    expect(failed.lastError).toMatch(/^unreachable: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: ECONNREFUSED/);
    const page = await (await fetch(`${vigil.url}/slos/api`)).text();
    expect(page).toContain('ratio from prometheus');
    expect(page).toMatch(/<p class="notice error">Reading prometheus failed at .*: unreachable: cannot reach/);
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_source_errors_total\{source="prometheus"\} [1-9]/);
  }, 60_000);
});
