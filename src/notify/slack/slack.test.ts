import { afterEach, describe, expect, it } from 'vitest';
import { notice, notificationsFor } from '../testing/notify-config.js';
import { Receiver } from '../testing/receiver.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
});

describe('slack notifier', () => {
  it('POSTs an incoming-webhook message: one readable line, then region, rule, actor and weights', async () => {
    receiver = await Receiver.start();
    const { notifications } = notificationsFor(`- { kind: slack, webhookUrl: "${receiver.url}/services/T0/B0/x" }`);
    notifications.setServer('http://vigil.internal:8080');
    notifications.announce([
      notice({
        event: 'drain',
        actor: 'dave',
        forced: true,
        reason: 'checkout errors <5xx> & timeouts',
        weights: { before: { 'eu-west1': 100, 'us-central1': 100 }, after: { 'eu-west1': 0, 'us-central1': 100 } },
      }),
    ]);
    await notifications.close();
    expect(receiver.posts.map((p) => p.path)).toEqual(['/services/T0/B0/x']);
    const line = 'eu-west1 is being drained by dave (forced): checkout errors &lt;5xx&gt; &amp; timeouts';
    expect(receiver.posts[0]?.body).toEqual({
      text: line,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*drain*: ${line}` } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Region:* eu-west1' },
            { type: 'mrkdwn', text: '*Rule:* -' },
            { type: 'mrkdwn', text: '*Actor:* dave (forced)' },
            { type: 'mrkdwn', text: '*Weights:* eu-west1 100, us-central1 100 → eu-west1 0, us-central1 100' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '2026-11-01T00:02:00.000Z · <http://vigil.internal:8080|Vigil>' }] },
      ],
    });
  });

  it('shows the blocking rule of a blocked drain and weights that did not change once', async () => {
    receiver = await Receiver.start();
    const { notifications } = notificationsFor(`- { kind: slack, webhookUrl: "${receiver.url}/hook", events: [blocked] }`);
    notifications.announce([notice({ event: 'halt' }), notice({ event: 'blocked', rule: 'capacity', reason: 'us-central1 can serve 60%' })]);
    await notifications.close();
    expect(receiver.posts).toHaveLength(1);
    const body = receiver.posts[0]?.body as { text: string; blocks: Array<{ fields?: Array<{ text: string }> }> };
    expect(body.text).toBe('Vigil did not drain eu-west1 (blocked by capacity): us-central1 can serve 60%');
    expect(body.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Region:* eu-west1',
      '*Rule:* capacity',
      '*Actor:* vigil',
      '*Weights:* eu-west1 50, us-central1 100',
    ]);
  });
});
