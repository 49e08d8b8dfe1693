import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { captureIo } from './helpers/io.js';

let target: Server;
let base = '';
let refusedPort = 0;

beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else {
      res.writeHead(500);
      res.end('broken\n');
    }
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // A port that was just free and is closed again: connections to it are refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => target.close(() => resolve()));
});

function probesDir(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-once-'));
  writeFileSync(path.join(dir, 'probes.yaml'), yaml);
  return dir;
}

const probeYaml = () => `apiVersion: vigil/v1
kind: Probe
metadata: { name: loop-http }
spec:
  type: http
  interval: 10s
  timeout: 2s
  targets:
    - { region: eu-west1, url: "${base}/healthz" }
    - { region: us-central1, url: "${base}/broken" }
    - { region: asia-east1, url: "http://127.0.0.1:${refusedPort}/healthz" }
---
apiVersion: vigil/v1
kind: Probe
metadata: { name: elsewhere-only }
spec:
  type: http
  interval: 10s
  timeout: 2s
  vantages: [asia-east1]
  targets:
    - { region: eu-west1, url: "${base}/healthz" }
`;

async function once(...args: string[]) {
  const io = captureIo();
  const code = await run(['probe', '--once', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('vigil probe --once', () => {
  it('prints one JSON line per result of the probes that run from the region, with the documented keys', async () => {
    const { code, out } = await once('--probes', probesDir(probeYaml()), '--region', 'eu-west1', '--format', 'json');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    const results = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const result of results) {
      const keys = ['probe', 'target', 'targetRegion', 'vantage', 'ts', 'ok', 'latencyMs', 'failure', 'status', 'phases'];
      expect(Object.keys(result)).toEqual(result.ok ? keys : [...keys, 'detail']);
      expect(result.probe).toBe('loop-http');
      expect(result.vantage).toBe('eu-west1');
      expect(new Date(String(result.ts)).toISOString()).toBe(result.ts);
      expect(typeof result.latencyMs).toBe('number');
    }
    const [good, broken, refused] = results;
    expect(good).toMatchObject({ target: `${base}/healthz`, targetRegion: 'eu-west1', ok: true, failure: null, status: 200 });
    expect(Object.keys(good?.phases as object).sort()).toEqual(['connect', 'dns', 'tls', 'transfer', 'ttfb']);
    expect(broken).toMatchObject({ targetRegion: 'us-central1', ok: false, failure: 'http_status', status: 500 });
    expect(broken?.detail).toMatch(/500/);
    expect(refused).toMatchObject({ targetRegion: 'asia-east1', ok: false, failure: 'connection_refused', status: null });
  });

  it('runs probes restricted to other vantages only from those', async () => {
    const { code, out } = await once('--probes', probesDir(probeYaml()), '--region', 'asia-east1', '--format', 'json');
    expect(code).toBe(0);
    const probes = out.trim().split('\n').map((line) => (JSON.parse(line) as { probe: string }).probe);
    expect(probes).toEqual(['loop-http', 'loop-http', 'loop-http', 'elsewhere-only']);
  });

  it('prints a table for people, with the failure and its reason', async () => {
    const { code, out } = await once('--probes', probesDir(probeYaml()), '--region', 'eu-west1');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^PROBE\s+TARGET\s+REGION\s+RESULT\s+LATENCY\s+STATUS\s+DETAIL$/);
    expect(lines[1]).toMatch(new RegExp(`^loop-http\\s+${base}/healthz\\s+eu-west1\\s+ok\\s+[\\d.]+ms\\s+200$`));
    expect(lines[2]).toMatch(/\s+us-central1\s+http_status\s+[\d.]+ms\s+500\s+\S/);
    expect(lines.at(-1)).toBe('3 results from eu-west1, 2 failed');
  });

  it('says what is missing without --probes or --server', async () => {
    const onceRun = await once('--region', 'eu-west1');
    expect(onceRun.code).toBe(2);
    expect(onceRun.err).toMatch(/--probes DIR/);
    const io = captureIo();
    expect(await run(['probe', '--region', 'eu-west1'], io)).toBe(1);
    expect(io.stderr()).toMatch(/--server URL .* or --probes DIR/);
  });

  it('refuses a spool bound that is not a size of at least 1MiB before starting anything', async () => {
    for (const size of ['10kB', 'lots']) {
      const io = captureIo();
      expect(await run(['probe', '--region', 'eu-west1', '--probes', 'probes', '--spool-max-bytes', size], io)).toBe(2);
      expect(io.stderr()).toContain('must be a size of at least 1MiB');
    }
  });

  it('refuses a heap growth that is not a whole percent from 0 to 1000 before starting anything', async () => {
    for (const percent of ['1.5', '-1', '2000', 'lots']) {
      const io = captureIo();
      expect(await run(['probe', '--region', 'eu-west1', '--probes', 'probes', '--heap-growth', percent], io)).toBe(2);
      expect(io.stderr()).toContain('must be a whole percent from 0 to 1000');
    }
  });

  it('exits 1 on invalid definitions, printing file:line:col', async () => {
    const dir = probesDir(probeYaml().replace('interval: 10s', 'interval: 10x'));
    const { code, out, err } = await once('--probes', dir, '--region', 'eu-west1', '--format', 'json');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^${dir}/probes\\.yaml:6:13: `));
  });
});
