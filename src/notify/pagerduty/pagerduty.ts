// The `pagerduty` notifier: PagerDuty Events API v2. Halts, blocked drains, failures and proposals page
// (critical); a drain and its steps open one warning alert per region, which the region's restore resolves.
import { z } from 'zod';
import { urlWithEnv, withEnv } from '../../lib/env-reference.js';
import { headline, type Notice, type NoticeEvent } from '../notice.js';
import { defineNotifier, eventsField, type NoticeContext, nameField } from '../notifier.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutyNotifierSchema = z.strictObject({
  kind: z.literal('pagerduty'),
  name: nameField,
  /** The integration key of an Events API v2 integration. */
  routingKey: withEnv(),
  url: urlWithEnv(PAGERDUTY_EVENTS_URL).default(PAGERDUTY_EVENTS_URL),
  events: eventsField,
});

type PagerdutyNotifierConfig = z.output<typeof pagerdutyNotifierSchema>;

const SEVERITY: Record<Exclude<NoticeEvent, 'restore'>, 'critical' | 'warning'> = {
  halt: 'critical',
  blocked: 'critical',
  failed: 'critical',
  proposed: 'critical',
  drain: 'warning',
  step: 'warning',
};

/** One alert per region and event; a drain's steps belong to the drain's alert. */
export function dedupKey(notice: Pick<Notice, 'event' | 'region'>): string {
  const event = notice.event === 'step' || notice.event === 'restore' ? 'drain' : notice.event;
  return `vigil/${notice.region ?? 'all'}/${event}`;
}

export function pagerdutyEvent(routingKey: string, notice: Notice, context: NoticeContext) {
  if (notice.event === 'restore') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey(notice) };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey(notice),
    payload: {
      // PagerDuty keeps at most 1024 characters of a summary.
      summary: headline(notice).slice(0, 1024),
      source: 'vigil',
      severity: SEVERITY[notice.event],
      timestamp: notice.at,
      component: notice.region ?? 'all',
      group: 'failover',
      class: notice.event,
      custom_details: {
        event: notice.event,
        region: notice.region,
        rule: notice.rule,
        reason: notice.reason,
        actor: notice.actor,
        forced: notice.forced,
        weights: notice.weights,
      },
    },
    client: 'Vigil',
    ...(context.server ? { client_url: context.server } : {}),
  };
}

export const pagerdutyNotifier = defineNotifier<PagerdutyNotifierConfig>({
  kind: 'pagerduty',
  schema: pagerdutyNotifierSchema,
  create: (config) => ({
    kind: 'pagerduty',
    events: new Set(config.events),
    post: (notice, context) => ({
      url: config.url,
      headers: { 'content-type': 'application/json' },
      body: pagerdutyEvent(config.routingKey, notice, context),
    }),
  }),
});
