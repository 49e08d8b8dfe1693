// The `webhook` notifier: the notice as JSON to any URL, with optional headers (an auth token, say).
import { z } from 'zod';
import { urlWithEnv, withEnv } from '../../lib/env-reference.js';
import { isAlertNotice, isDrillNotice, type Notice } from '../notice.js';
import { audienceOf, commonFields, defineNotifier, type NoticeContext } from '../notifier.js';

export const webhookNotifierSchema = z.strictObject({
  kind: z.literal('webhook'),
  ...commonFields,
  url: urlWithEnv('https://alerts.example.com/vigil'),
  /** Sent with every POST; values may reference the environment (${NAME}). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' }), withEnv()).default({}),
});

type WebhookNotifierConfig = z.output<typeof webhookNotifierSchema>;

/** The JSON body a webhook receives (documented in the README): the notice's own fields, then where from. */
export function webhookBody(notice: Notice, context: NoticeContext) {
  const vigil = { server: context.server };
  if (isDrillNotice(notice) || isAlertNotice(notice)) return { ...notice, vigil };
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
    runbook: context.runbook,
    vigil,
  };
}

export const webhookNotifier = defineNotifier<WebhookNotifierConfig>({
  kind: 'webhook',
  schema: webhookNotifierSchema,
  create: (config) => ({
    kind: 'webhook',
    audience: audienceOf(config),
    runbook: config.runbook ?? null,
    post: (notice, context) => ({
      url: config.url,
      headers: { 'content-type': 'application/json', ...config.headers },
      body: webhookBody(notice, context),
    }),
  }),
});
