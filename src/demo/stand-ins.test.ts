import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/logger.js';
import { type StandIn, startStandIn, startStandIns } from './stand-ins.js';

const started: StandIn[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.close();
});

async function standIn(random?: () => number): Promise<StandIn> {
  const s = await startStandIn('eu-west1', 0, random);
  started.push(s);
  return s;
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('demo stand-in', () => {
  it('answers ok until a fault is injected, then fails that share of requests, and recovers on DELETE /fault', async () => {
    let draw = 0;
    // Draws alternate 0.25 / 0.75: with errorRate 0.5 exactly every other request fails.
    const s = await standIn(() => (draw++ % 2 === 0 ? 0.25 : 0.75));
    const healthy = await fetch(`${s.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.text()).toBe('ok eu-west1\n');

    const set = await post(`${s.url}/fault`, '{"errorRate": 0.5}');
    expect(await set.json()).toEqual({ region: 'eu-west1', fault: { errorRate: 0.5, latencyMs: 0 } });
    draw = 0;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.url}/healthz`)).status);
    expect(statuses).toEqual([503, 200, 503, 200]);

    expect((await fetch(`${s.url}/fault`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${s.url}/fault`)).json()).toEqual({ region: 'eu-west1', fault: { errorRate: 0, latencyMs: 0 } });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('delays every answer by latencyMs', async () => {
    const s = await standIn();
    await post(`${s.url}/fault`, '{"latencyMs": 150}');
    const started = performance.now();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // A lower bound only: the injected delay is behaviour, not a performance figure.
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('refuses a bad fault with a JSON error and keeps the current one', async () => {
    const s = await standIn();
    await post(`${s.url}/fault`, '{"errorRate": 1}');
    const bad = await post(`${s.url}/fault`, '{"errorRate": 2, "latency": 5}');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.details.join(' ')).toMatch(/errorRate/);
    expect((await post(`${s.url}/fault`, 'not json')).status).toBe(400);
    expect(s.fault()).toEqual({ errorRate: 1, latencyMs: 0 });
  });

  it('starts the configured regions and skips one whose port is taken', async () => {
    const taken = await standIn();
    const port = Number(new URL(taken.url).port);
    const standIns = await startStandIns({ 'us-central1': 0, 'asia-east1': port }, silentLogger());
    started.push(...standIns);
    expect(standIns.map((s) => s.region)).toEqual(['us-central1']);
    expect((await fetch(`${standIns[0]?.url}/healthz`)).status).toBe(200);
  });
});
