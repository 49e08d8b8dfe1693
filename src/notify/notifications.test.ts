import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/problems.js';
import type { Notifications } from './notifications.js';
import { counts, notice, notificationsFor } from './testing/notify-config.js';
import { Receiver } from './testing/receiver.js';

const receivers: Receiver[] = [];
const open: Notifications[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) await n.close(0);
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(): Promise<Receiver> {
  const r = await Receiver.start();
  receivers.push(r);
  return r;
}

function build(...args: Parameters<typeof notificationsFor>) {
  const built = notificationsFor(...args);
  open.push(built.notifications);
  return built;
}

describe('notifications fan-out', () => {
  it('sends a recurring notice (the same blocked drain) once per de-duplication period, a different rule or region at once', async () => {
    const r = await receiver();
    const { notifications, clock, registry } = build(`- { kind: webhook, url: "${r.url}/hook" }`, {}, { dedupWindowMs: 300_000 });
    const blocked = notice({ event: 'blocked', rule: 'cooldown', reason: 'last action 30 s ago' });
    notifications.announce([blocked]);
    clock.advance(10_000);
    notifications.announce([{ ...blocked, reason: 'last action 40 s ago' }]);
    notifications.announce([{ ...blocked, rule: 'capacity' }, { ...blocked, region: 'us-central1' }]);
    clock.advance(300_000);
    notifications.announce([blocked]);
    await notifications.idle();
    expect(r.posts.map((p) => [(p.body as { region: string }).region, (p.body as { rule: string }).rule])).toEqual([
      ['eu-west1', 'cooldown'],
      ['eu-west1', 'capacity'],
      ['us-central1', 'cooldown'],
      ['eu-west1', 'cooldown'],
    ]);
    expect(await counts(registry)).toEqual({ 'webhook/sent': 4, 'webhook/failed': 0, 'webhook/dropped': 0 });
  });

  it('never de-duplicates changes: two drains of a region are two notices', async () => {
    const r = await receiver();
    const { notifications } = build(`- { kind: webhook, url: "${r.url}/hook" }`);
    notifications.announce([notice({ event: 'drain' }), notice({ event: 'drain' })]);
    await notifications.idle();
    expect(r.posts).toHaveLength(2);
  });

  it('sends each notifier only its events, and counts each notifier under its own name', async () => {
    const pages = await receiver();
    const chat = await receiver();
    const { notifications, registry } = build(`
- { kind: webhook, url: "${pages.url}/a", events: [halt] }
- { kind: webhook, url: "${chat.url}/b" }
- { kind: webhook, name: audit-sink, url: "${chat.url}/c", events: [drain] }
`);
    notifications.announce([notice({ event: 'drain' }), notice({ event: 'halt' })]);
    await notifications.idle();
    expect(pages.posts.map((p) => (p.body as { event: string }).event)).toEqual(['halt']);
    expect(chat.posts.map((p) => `${p.path} ${(p.body as { event: string }).event}`)).toEqual(['/b drain', '/c drain', '/b halt']);
    expect(await counts(registry)).toMatchObject({ 'webhook/sent': 1, 'webhook-2/sent': 2, 'audit-sink/sent': 1 });
  });

  it('counts a notice the receiver keeps refusing as failed, after the retries', async () => {
    const r = await receiver();
    r.fallback = 503;
    const { notifications, registry } = build(`- { kind: webhook, url: "${r.url}/hook" }`, {}, { delivery: { attempts: 3 } });
    notifications.announce([notice({ event: 'halt' })]);
    await notifications.idle();
    expect(r.attempts).toBe(3);
    expect(await counts(registry)).toEqual({ 'webhook/sent': 0, 'webhook/failed': 1, 'webhook/dropped': 0 });
  });

  it('counts notices dropped from a full queue', async () => {
    const r = await receiver();
    r.script = ['hang'];
    const { notifications, registry } = build(`- { kind: webhook, url: "${r.url}/hook" }`, {}, { delivery: { capacity: 2 } });
    notifications.announce([1, 2, 3, 4, 5].map((n) => notice({ event: 'step', reason: `step ${n}` })));
    expect(await counts(registry)).toMatchObject({ 'webhook/dropped': 2 });
    await r.until((x) => x.attempts === 1, 'the first POST');
    r.release();
    await notifications.idle();
    expect(r.posts.map((p) => (p.body as { reason: string }).reason)).toEqual(['step 1', 'step 4', 'step 5']);
    expect(await counts(registry)).toEqual({ 'webhook/sent': 3, 'webhook/failed': 0, 'webhook/dropped': 2 });
  });
});

describe('environment references in notifier configs', () => {
  it('are expanded from the environment when the notifiers are built', async () => {
    const r = await receiver();
    const { notifications } = build(`- { kind: webhook, url: "\${HOOK_BASE}/hook/\${HOOK_PATH}", headers: { authorization: "Bearer \${HOOK_TOKEN}" } }`, {
      HOOK_BASE: r.url,
      HOOK_PATH: 'ops',
      HOOK_TOKEN: 's3cret',
    });
    notifications.announce([notice({ event: 'halt' })]);
    await notifications.idle();
    expect(r.posts[0]?.path).toBe('/hook/ops');
    expect(r.posts[0]?.headers.authorization).toBe('Bearer s3cret');
  });

  it('name the unset variable and where it is referenced', () => {
    const yaml = `
- kind: slack
  webhookUrl: "\${SLACK_WEBHOOK_URL}"
- kind: pagerduty
  routingKey: "\${PD_ROUTING_KEY}"
`;
    let error: unknown;
    try {
      build(yaml, { PD_ROUTING_KEY: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        `vigil.yaml:6:19: environment variable SLACK_WEBHOOK_URL is not set (referenced as \${SLACK_WEBHOOK_URL})`,
        `vigil.yaml:8:19: environment variable PD_ROUTING_KEY is not set (referenced as \${PD_ROUTING_KEY})`,
      ].join('\n'),
    );
  });

  it('must make a URL once expanded', () => {
    expect(() => build(`- { kind: webhook, url: "\${HOOK}" }`, { HOOK: 'not a url' })).toThrow(
      'vigil.yaml:5:29: once the environment is expanded: must be a URL such as https://alerts.example.com/vigil',
    );
  });
});
