import { afterEach, describe, expect, it } from 'vitest';
import { notice, notificationsFor } from '../testing/notify-config.js';
import { Receiver } from '../testing/receiver.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
});

describe('webhook notifier', () => {
  it('POSTs the notice as JSON, with the configured headers and a link to the server', async () => {
    receiver = await Receiver.start();
    const { notifications } = notificationsFor(`- { kind: webhook, url: "${receiver.url}/vigil", headers: { x-team: sre } }`);
    notifications.setServer('http://vigil.internal:8080');
    notifications.announce([notice({ event: 'halt' })]);
    await notifications.close();
    expect(receiver.posts).toHaveLength(1);
    const [post] = receiver.posts;
    expect(post?.path).toBe('/vigil');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.headers['x-team']).toBe('sre');
    expect(JSON.stringify(post?.body)).toBe(
      JSON.stringify({
        event: 'halt',
        region: 'eu-west1',
        rule: null,
        reason: 'receiving region(s) us-central1 started burning during the bake: drain stopped, IMOC alerted',
        actor: 'vigil',
        onBehalfOf: null,
        forced: false,
        weights: { before: { 'eu-west1': 50, 'us-central1': 100 }, after: { 'eu-west1': 50, 'us-central1': 100 } },
        at: '2026-11-01T00:02:00.000Z',
        runbook: null,
        vigil: { server: 'http://vigil.internal:8080' },
      }),
    );
  });
});
