import { afterEach, describe, expect, it } from 'vitest';
import { notice, notificationsFor } from '../testing/notify-config.js';
import { Receiver } from '../testing/receiver.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
});

async function send(...notices: Parameters<typeof notice>[0][]) {
  receiver = await Receiver.start();
  receiver.fallback = 202;
  const { notifications } = notificationsFor(`- { kind: pagerduty, routingKey: "\${PD_KEY}", url: "${receiver.url}/v2/enqueue" }`, {
    PD_KEY: 'R0UT1NGKEY',
  });
  notifications.setServer('http://vigil.internal:8080');
  notifications.announce(notices.map(notice));
  await notifications.close();
  return receiver.posts;
}

describe('pagerduty notifier (Events API v2)', () => {
  it('triggers a critical alert for a halt, keyed by region and event', async () => {
    const posts = await send({ event: 'halt' });
    expect(posts.map((p) => p.path)).toEqual(['/v2/enqueue']);
    expect(posts[0]?.body).toEqual({
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'vigil/eu-west1/halt',
      payload: {
        summary:
          'Vigil halted the drain of eu-west1: receiving region(s) us-central1 started burning during the bake: drain stopped, IMOC alerted',
        source: 'vigil',
        severity: 'critical',
        timestamp: '2026-11-01T00:02:00.000Z',
        component: 'eu-west1',
        group: 'failover',
        class: 'halt',
        custom_details: {
          event: 'halt',
          region: 'eu-west1',
          rule: null,
          reason: 'receiving region(s) us-central1 started burning during the bake: drain stopped, IMOC alerted',
          actor: 'vigil',
          forced: false,
          weights: { before: { 'eu-west1': 50, 'us-central1': 100 }, after: { 'eu-west1': 50, 'us-central1': 100 } },
        },
      },
      client: 'Vigil',
      client_url: 'http://vigil.internal:8080',
    });
  });

  it('pages blocked drains (a global outage too) and failures as critical; a drain and its steps share one warning alert', async () => {
    const posts = await send(
      { event: 'blocked', region: null, rule: 'global_outage' },
      { event: 'failed', region: null },
      { event: 'drain' },
      { event: 'step' },
    );
    const summary = posts.map((p) => {
      const body = p.body as { event_action: string; dedup_key: string; payload: { severity: string } };
      return [body.event_action, body.dedup_key, body.payload.severity];
    });
    expect(summary).toEqual([
      ['trigger', 'vigil/all/blocked', 'critical'],
      ['trigger', 'vigil/all/failed', 'critical'],
      ['trigger', 'vigil/eu-west1/drain', 'warning'],
      ['trigger', 'vigil/eu-west1/drain', 'warning'],
    ]);
  });

  it("resolves the region's drain alert when the region is restored", async () => {
    const posts = await send({ event: 'restore' });
    expect(posts.map((p) => p.body)).toEqual([{ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'vigil/eu-west1/drain' }]);
  });
});
