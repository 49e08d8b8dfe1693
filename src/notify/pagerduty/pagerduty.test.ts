import { afterEach, describe, expect, it } from 'vitest';
import type { AlertNotice, DrillNotice, Notice } from '../notice.js';
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
          onBehalfOf: null,
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

describe('pagerduty notifier: SLO alerts and drills', () => {
  const firing: AlertNotice = {
    event: 'alert_firing',
    slo: 'playback-availability',
    squad: 'playback',
    severity: 'page',
    region: 'eu-west1',
    windows: ['1h/5m'],
    burnRates: { '1h': 20.1, '5m': 31 },
    runbook: 'runbooks/playback.md',
    at: '2026-11-01T00:02:00.000Z',
  };

  async function sendRaw(config: string, notices: Notice[]) {
    receiver = await Receiver.start();
    receiver.fallback = 202;
    const { notifications } = notificationsFor(`- { kind: pagerduty, routingKey: KEY, url: "${receiver.url}/v2/enqueue"${config} }`);
    notifications.setServer('http://vigil.internal:8080');
    notifications.announce(notices);
    await notifications.close();
    return receiver.posts.map((p) => p.body as { event_action: string; dedup_key: string; payload?: { severity: string; summary: string }; links?: unknown });
  }

  it('triggers when an SLO alert fires and resolves it when it stops, one alert per SLO, region and severity, with the runbook linked', async () => {
    const posts = await sendRaw(', squads: [playback]', [firing, { ...firing, event: 'alert_resolved', burnRates: {} }]);
    expect(posts.map((p) => [p.event_action, p.dedup_key, p.payload?.severity])).toEqual([
      ['trigger', 'vigil/slo/playback-availability/eu-west1/page', 'critical'],
      ['resolve', 'vigil/slo/playback-availability/eu-west1/page', undefined],
    ]);
    expect(posts[0]?.payload?.summary).toBe('PAGE playback-availability in eu-west1 burns its error budget (1h/5m; burn 1h 20.1, 5m 31)');
    expect(posts[0]?.links).toEqual([{ href: 'http://vigil.internal:8080/runbooks/playback', text: 'Runbook' }]);
  });

  it('routes SLO alerts by squad and severity, and hears none of them without asking', async () => {
    const ticket = { ...firing, severity: 'ticket' };
    const other = { ...firing, squad: 'search', slo: 'search-availability' };
    expect((await sendRaw(', squads: [playback], severities: [page]', [firing, ticket, other])).map((p) => p.dedup_key)).toEqual(['vigil/slo/playback-availability/eu-west1/page']);
    await receiver?.close();
    expect(await sendRaw('', [firing])).toEqual([]);
    await receiver?.close();
    expect((await sendRaw(', events: [alert_firing]', [firing, other])).length).toBe(2);
  });

  it('keeps one alert per drill run: warning while it waits for approval, error when it fails, resolved when it passes', async () => {
    const drill: DrillNotice = { event: 'drill_awaiting_approval', drill: 'eu-evacuation', run: 'r-1', region: 'eu-west1', state: 'awaiting_approval', reason: null, runbook: null, at: '2026-11-01T00:02:00.000Z' };
    const posts = await sendRaw('', [drill, { ...drill, event: 'drill_started', state: 'draining' }, { ...drill, event: 'drill_failed', state: 'failed', reason: 'missed maxDrainSeconds (400 > 300)' }, { ...drill, run: 'r-2', event: 'drill_passed', state: 'passed' }]);
    expect(posts.map((p) => [p.event_action, p.dedup_key, p.payload?.severity])).toEqual([
      ['trigger', 'vigil/drill/eu-evacuation/r-1', 'warning'],
      ['trigger', 'vigil/drill/eu-evacuation/r-1', 'info'],
      ['trigger', 'vigil/drill/eu-evacuation/r-1', 'error'],
      ['resolve', 'vigil/drill/eu-evacuation/r-2', undefined],
    ]);
    expect(posts[2]?.payload?.summary).toBe('Drill eu-evacuation (r-1) of eu-west1 failed: missed maxDrainSeconds (400 > 300)');
  });
});
