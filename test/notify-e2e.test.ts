import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/problems.js';
import { silentLogger } from '../src/lib/logger.js';
import { Receiver } from '../src/notify/testing/receiver.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { makeFailoverProject, REGIONS, waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { postJson } from './helpers/http.js';
import { metricSum } from './helpers/prom-text.js';

const running: RunningServer[] = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** A minute of counts for the api SLO: each region in `burning` fails from `seenFrom`, every other pair succeeds. */
function events(burning: readonly string[], seenFrom: readonly string[], batchId: string) {
  const ts = new Date(Date.now() - 20_000).toISOString();
  const list = REGIONS.flatMap((region) =>
    REGIONS.map((vantage) => {
      const failing = burning.includes(region) && seenFrom.includes(vantage);
      return { slo: 'api', ts, good: failing ? 0 : 60, total: 60, region, vantage };
    }),
  );
  return { batchId, events: list };
}

interface WebhookBody {
  event: string;
  region: string | null;
  rule: string | null;
  reason: string;
  weights: { before: Record<string, number>; after: Record<string, number> };
  vigil: { server: string };
}

describe('failover notifications end to end: pushed events → policy → webhook', () => {
  it('tells the receiver about the drain, then about the halt when the receiving region burns during the bake', async () => {
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const { dir, weightsFile } = makeFailoverProject({
      steps: '[ { weightPercent: 50, bake: 10m }, { weightPercent: 0 } ]',
      notify: `    - { kind: webhook, url: "\${VIGIL_TEST_HOOK_BASE}/vigil", headers: { x-vigil-token: "\${VIGIL_TEST_HOOK_TOKEN}" } }`,
    });
    process.env.VIGIL_TEST_HOOK_BASE = receiver.url;
    process.env.VIGIL_TEST_HOOK_TOKEN = 'hook-secret';
    let server: RunningServer;
    try {
      server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
    } finally {
      delete process.env.VIGIL_TEST_HOOK_BASE;
      delete process.env.VIGIL_TEST_HOOK_TOKEN;
    }
    running.push(server);

    expect((await postJson(`${server.url}/api/v1/events`, events(['eu-west1'], ['us-central1', 'asia-east1'], 'b1'))).status).toBe(200);
    await receiver.until((r) => r.posts.length >= 1, 'the drain notification');
    expect(weightsOnDisk(weightsFile)).toEqual({ 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 });

    // During the 10-minute bake, us-central1 (which took eu-west1's traffic) starts burning too.
    expect((await postJson(`${server.url}/api/v1/events`, events(['us-central1'], ['eu-west1', 'asia-east1'], 'b2'))).status).toBe(200);
    await receiver.until((r) => r.posts.some((p) => (p.body as WebhookBody).event === 'halt'), 'the halt notification');

    const bodies = receiver.posts.map((p) => p.body as WebhookBody);
    expect(bodies.slice(0, 2).map((b) => [b.event, b.region])).toEqual([
      ['drain', 'eu-west1'],
      ['halt', 'eu-west1'],
    ]);
    const [drain, halt] = bodies;
    expect(drain?.weights).toEqual({
      before: { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 },
      after: { 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 },
    });
    expect(drain?.reason).toMatch(/page alert of api fires for eu-west1 from asia-east1, us-central1 \(quorum 2\)/);
    expect(halt?.reason).toBe('receiving region(s) us-central1 started burning during the bake: drain stopped, IMOC alerted');
    expect(halt?.weights.after).toEqual({ 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 });
    expect(halt?.vigil.server).toBe(server.url);
    expect(receiver.posts.every((p) => p.headers['x-vigil-token'] === 'hook-secret')).toBe(true);
    // us-central1 burns too, but nothing more may be drained while eu-west1's drain is halted: blocked, said once.
    const blocked = await waitFor(
      () => receiver.posts.map((p) => p.body as WebhookBody).filter((b) => b.event === 'blocked'),
      (list) => list.length > 0,
    );
    expect(blocked).toMatchObject([{ region: 'us-central1', rule: 'in_progress' }]);
    // The halt holds: the drain does not move on to 0.
    expect(weightsOnDisk(weightsFile)).toEqual({ 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 });

    // Counted once the receiver's answer is in, a moment after the receiver saw the POST.
    const metrics = await waitFor(
      async () => (await fetch(`${server.url}/metrics`)).text(),
      (text) => metricSum(text, 'vigil_notifications_total', { notifier: 'webhook', outcome: 'sent' }) === receiver.posts.length,
    );
    expect(metricSum(metrics, 'vigil_notifications_total', { notifier: 'webhook', outcome: 'sent' })).toBe(receiver.posts.length);
    expect(metricSum(metrics, 'vigil_notifications_total', { notifier: 'webhook', outcome: 'failed' })).toBe(0);
    expect(metricSum(metrics, 'vigil_notifications_total', { notifier: 'webhook', outcome: 'dropped' })).toBe(0);
  });

  it('refuses to start when a notifier references an unset environment variable, saying where', async () => {
    const { dir } = makeFailoverProject({ notify: `    - { kind: slack, webhookUrl: "\${VIGIL_TEST_UNSET_SLACK_URL}" }` });
    const start = startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(
      /vigil\.yaml:\d+:\d+: environment variable VIGIL_TEST_UNSET_SLACK_URL is not set \(referenced as \$\{VIGIL_TEST_UNSET_SLACK_URL\}\)/,
    );
  });
});
