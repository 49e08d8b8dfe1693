import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getSlo } from './helpers/http.js';
import { LoopbackTarget } from './helpers/loopback-target.js';
import { probeSloYaml } from './helpers/probe-yaml.js';
import { startVigil, type VigilProcess } from './helpers/processes.js';
import { makeProject } from './helpers/project.js';
import { metricSum, scrape } from './helpers/prom-text.js';
import { waitFor } from './helpers/wait.js';

const SLO = probeSloYaml('loop-availability', 'loop-http');

function probeYaml(urls: string[]): string {
  return `apiVersion: vigil/v1
kind: Probe
metadata: { name: loop-http }
spec:
  type: http
  interval: 250ms
  timeout: 200ms
  targets:
${urls.map((url) => `    - { region: eu-west1, url: "${url}" }`).join('\n')}
`;
}

let target: LoopbackTarget;
const running: VigilProcess[] = [];

beforeAll(async () => {
  target = await new LoopbackTarget().start();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  for (const vigil of running.splice(0)) {
    if (vigil.child.exitCode === null && vigil.child.signalCode === null) {
      vigil.child.kill('SIGKILL');
      await vigil.exited;
    }
  }
});

function project(urls: string[]): string {
  const dir = makeProject({ slos: SLO });
  mkdirSync(path.join(dir, 'probes'));
  writeFileSync(path.join(dir, 'probes', 'loop.yaml'), probeYaml(urls));
  return dir;
}

async function serve(dir: string, port = 0): Promise<VigilProcess> {
  const vigil = await startVigil(['serve', '--port', String(port)], { cwd: dir });
  running.push(vigil);
  return vigil;
}

async function agent(args: string[]): Promise<VigilProcess & { metrics: string }> {
  // The URL is the agent's own endpoint: /metrics and /healthz live under it.
  const vigil = await startVigil(['probe', '--region', 'eu-west1', '--metrics-port', '0', ...args], {
    ready: /metrics at (http:\/\/\S+)\/metrics/,
    env: { VIGIL_LOG_LEVEL: 'info' },
  });
  running.push(vigil);
  return { ...vigil, metrics: `${vigil.url}/metrics` };
}

interface Tally {
  results: number;
  shipped: number;
  rejected: number;
  dropped: number;
  spooledBatches: number;
}

/** Stops an agent with SIGTERM and returns what it says it did, from its last log line. */
async function stopAgent(vigil: VigilProcess): Promise<Tally> {
  vigil.child.kill('SIGTERM');
  expect(await vigil.exited).toBe(0);
  const line = vigil
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"probe agent stopped"'));
  if (!line) throw new Error(`no shutdown line in:\n${vigil.output()}`);
  return JSON.parse(line) as Tally;
}

const port = (url: string) => Number(new URL(url).port);
const metric = async (agentMetrics: string, name: string, labels: Record<string, string> = {}) =>
  metricSum(await scrape(agentMetrics), name, labels) ?? 0;

/** The server's count of probe events, once it matches `expected` (the engine re-evaluates every second). */
async function storedEvents(server: string, expected: number, token?: string): Promise<number> {
  let total = -1;
  await waitFor(async () => {
    total = (await getSlo(server, 'loop-availability', token)).total;
    return total === expected;
  }, `the server to count ${expected} events`, { timeoutMs: 15_000 }).catch(() => undefined);
  return total;
}

describe('vigil probe agent shipping to a server', () => {
  it('spools while the server is away and backfills when it returns: nothing lost, nothing counted twice', async () => {
    const dir = project([`${target.url}/a`, `${target.url}/b`]);
    let server = await serve(dir);
    const url = server.url;
    const spoolDir = path.join(dir, 'spool');
    const probe = await agent(['--server', url, '--spool-dir', spoolDir, '--poll-interval', '1s']);
    await waitFor(async () => (await metric(probe.metrics, 'vigil_shipper_results_shipped_total')) > 0, 'a first shipped batch');

    server.child.kill('SIGKILL');
    await server.exited;
    await waitFor(async () => (await metric(probe.metrics, 'vigil_spool_batches')) >= 2, 'two batches in the spool');
    expect(await metric(probe.metrics, 'vigil_shipper_batches_failed_total', { reason: 'unreachable' })).toBeGreaterThan(0);
    // Probing goes on during the outage with the definitions pulled before it.
    const duringOutage = await metric(probe.metrics, 'vigil_probe_total');
    await waitFor(async () => (await metric(probe.metrics, 'vigil_probe_total')) > duringOutage + 4, 'probing during the outage');

    server = await serve(dir, port(url));
    const back = Date.now();
    await waitFor(async () => (await metric(probe.metrics, 'vigil_spool_batches')) === 0, 'the spool to drain', { timeoutMs: 60_000 });
    console.log(`agent backfill after the server returned: spool drained in ${Date.now() - back} ms`);

    const tally = await stopAgent(probe);
    expect(tally).toMatchObject({ dropped: 0, rejected: 0, spooledBatches: 0 });
    expect(tally.shipped).toBe(tally.results);
    expect(tally.results).toBeGreaterThan(20);
    expect(await storedEvents(server.url, tally.results)).toBe(tally.results);
  }, 120_000);

  it('keeps its spool on SIGTERM while the server is away; the next run probes from cached definitions and ships it', async () => {
    const dir = project([`${target.url}/c`]);
    let server = await serve(dir);
    const url = server.url;
    const spoolDir = path.join(dir, 'spool');
    const first = await agent(['--server', url, '--spool-dir', spoolDir, '--poll-interval', '1s']);
    await waitFor(async () => (await metric(first.metrics, 'vigil_shipper_results_shipped_total')) > 0, 'a first shipped batch');
    server.child.kill('SIGKILL');
    await server.exited;
    await waitFor(async () => (await metric(first.metrics, 'vigil_spool_batches')) >= 1, 'a batch in the spool');

    const stopping = Date.now();
    const before = await stopAgent(first);
    console.log(`agent stopped by SIGTERM during a server outage in ${Date.now() - stopping} ms`);
    expect(before.spooledBatches).toBeGreaterThan(0);
    expect(before.shipped).toBeLessThan(before.results);
    const spoolLines = readFileSync(path.join(spoolDir, 'spool.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"batchId"'));
    expect(spoolLines.length).toBeGreaterThanOrEqual(before.spooledBatches);

    // Restarted while the server is still away: it runs the definitions it pulled last time.
    const second = await agent(['--server', url, '--spool-dir', spoolDir, '--poll-interval', '1s']);
    await waitFor(async () => (await metric(second.metrics, 'vigil_probe_total')) > 0, 'probing from cached definitions');
    server = await serve(dir, port(url));
    await waitFor(async () => (await metric(second.metrics, 'vigil_spool_batches')) === 0, 'the spool to drain', { timeoutMs: 60_000 });
    const after = await stopAgent(second);
    expect(after).toMatchObject({ dropped: 0, rejected: 0, spooledBatches: 0 });
    // The second run shipped its own results and everything the first one left behind.
    expect(after.shipped).toBe(after.results + (before.results - before.shipped));
    const expected = before.results + after.results;
    expect(await storedEvents(server.url, expected)).toBe(expected);
  }, 120_000);
});

describe('vigil probe agent and the ingest token', () => {
  it('pulls and ships with the token from VIGIL_INGEST_TOKEN; without it nothing is pulled or stored', async () => {
    const dir = project([`${target.url}/token`]);
    const server = await startVigil(['serve', '--port', '0'], { cwd: dir, env: { VIGIL_INGEST_TOKEN: 'sesame' } });
    running.push(server);
    const common = ['--server', server.url, '--poll-interval', '1s'];

    const without = await agent([...common, '--spool-dir', path.join(dir, 'spool-1')]);
    expect(without.output()).toMatch(/cannot pull probe definitions yet/);
    expect(await metric(without.metrics, 'vigil_probe_targets', { vantage: 'eu-west1' })).toBe(0);
    await stopAgent(without);

    const withToken = await startVigil(['probe', '--region', 'eu-west1', '--metrics-port', '0', ...common, '--spool-dir', path.join(dir, 'spool-2')], {
      ready: /metrics at (http:\/\/\S+)\/metrics/,
      env: { VIGIL_LOG_LEVEL: 'info', VIGIL_INGEST_TOKEN: 'sesame' },
    });
    running.push(withToken);
    const metrics = `${withToken.url}/metrics`;
    await waitFor(async () => (await metric(metrics, 'vigil_shipper_results_shipped_total')) > 0, 'a batch shipped with the token');
    const tally = await stopAgent(withToken);
    expect(tally.shipped).toBe(tally.results);
    expect(await storedEvents(server.url, tally.results, 'sesame')).toBe(tally.results);
  }, 60_000);
});

describe('vigil probe agent with a local probes folder', () => {
  it('follows edits: a new target is probed, a removed one no longer is, a broken edit keeps the current set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-agent-'));
    const file = path.join(dir, 'loop.yaml');
    writeFileSync(file, probeYaml([`${target.url}/old`]));
    const probe = await agent(['--probes', dir]);
    const success = (target: string) => async () => metricSum(await scrape(probe.metrics), 'probe_success', { target });
    await waitFor(success(`${target.url}/old`), 'the old target in /metrics');
    expect(await metric(probe.metrics, 'vigil_probe_targets', { vantage: 'eu-west1' })).toBe(1);

    writeFileSync(file, probeYaml([`${target.url}/old`]).replace('interval: 250ms', 'interval: 250parsecs'));
    await waitFor(() => probe.output().includes('keeping the previous ones'), 'the broken edit to be refused');
    expect(probe.output()).toMatch(/loop\.yaml:6:13: /);
    expect(await metric(probe.metrics, 'vigil_probe_targets', { vantage: 'eu-west1' })).toBe(1);

    writeFileSync(file, probeYaml([`${target.url}/new`]));
    await waitFor(async () => {
      const text = await scrape(probe.metrics);
      return metricSum(text, 'probe_success', { target: `${target.url}/new` }) !== null &&
        metricSum(text, 'probe_success', { target: `${target.url}/old` }) === null;
    }, 'the reload to swap the targets');
    const oldHits = target.count('/old');
    const newHits = target.count('/new');
    await waitFor(() => target.count('/new') >= newHits + 4, 'the new target to be probed a few more times');
    // At most one attempt was already on the wire when the reload came.
    expect(target.count('/old')).toBeLessThanOrEqual(oldHits + 1);

    const health = (await (await fetch(`${probe.url}/healthz`)).json()) as { status: string; vantage: string; targets: number };
    expect(health).toMatchObject({ status: 'ok', vantage: 'eu-west1', targets: 1 });
    // Without --server nothing is shipped, but the agent still stops cleanly.
    const tally = await stopAgent(probe);
    expect(tally.shipped).toBe(0);
    expect(tally.results).toBeGreaterThan(0);
  }, 60_000);

  it('refuses to start on invalid definitions, printing file:line:col', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-agent-'));
    writeFileSync(path.join(dir, 'loop.yaml'), probeYaml([`${target.url}/x`]).replace('timeout: 200ms', 'timeout: 2s'));
    await expect(agent(['--probes', dir])).rejects.toThrow(/loop\.yaml:7:\d+: .*must not be longer than the interval/);
  });
});
