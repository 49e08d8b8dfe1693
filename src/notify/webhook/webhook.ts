// The `webhook` notifier: the notice as JSON to any URL, with optional headers (an auth token, say).
import { z } from 'zod';
import { urlWithEnv, withEnv } from '../../lib/env-reference.js';
import type { Notice } from '../notice.js';
import { defineNotifier, eventsField, type NoticeContext, nameField } from '../notifier.js';

export const webhookNotifierSchema = z.strictObject({
  kind: z.literal('webhook'),
  name: nameField,
  url: urlWithEnv('https://alerts.example.com/vigil'),
  /** Sent with every POST; values may reference the environment (${NAME}). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' }), withEnv()).default({}),
  events: eventsField,
});

type WebhookNotifierConfig = z.output<typeof webhookNotifierSchema>;

/** The JSON body a webhook receives (documented in the README). */
export function webhookBody(notice: Notice, context: NoticeContext) {
  return {
    event: notice.event,
    region: notice.region,
    rule: notice.rule,
    reason: notice.reason,
    actor: notice.actor,
    onBehalfOf: notice.onBehalfOf ?? null,
    forced: notice.forced,
    weights: notice.weights,
    at: notice.at,
    vigil: { server: context.server },
  };
}

export const webhookNotifier = defineNotifier<WebhookNotifierConfig>({
  kind: 'webhook',
  schema: webhookNotifierSchema,
  create: (config) => ({
    kind: 'webhook',
    events: new Set(config.events),
    post: (notice, context) => ({
      url: config.url,
      headers: { ...config.headers, 'content-type': 'application/json' },
      body: webhookBody(notice, context),
    }),
  }),
});
