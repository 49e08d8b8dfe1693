// The `slack` notifier: a message to a Slack incoming webhook — a readable line (also the notification
// text) and a section with the region, rule, reason and weights.
import { z } from 'zod';
import type { Weights } from '../../failover/policy/types.js';
import { urlWithEnv } from '../../lib/env-reference.js';
import { headline, type Notice } from '../notice.js';
import { defineNotifier, eventsField, type NoticeContext, nameField } from '../notifier.js';

export const slackNotifierSchema = z.strictObject({
  kind: z.literal('slack'),
  name: nameField,
  webhookUrl: urlWithEnv('https://hooks.slack.com/services/T000/B000/XXXX'),
  events: eventsField,
});

type SlackNotifierConfig = z.output<typeof slackNotifierSchema>;

function weightsLine(weights: Weights): string {
  return Object.entries(weights)
    .map(([region, weight]) => `${region} ${weight}`)
    .join(', ');
}

/** Slack's mrkdwn treats &, < and > as markup. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(notice: Notice, context: NoticeContext) {
  const before = weightsLine(notice.weights.before);
  const after = weightsLine(notice.weights.after);
  const fields = [
    `*Region:* ${notice.region ?? 'all'}`,
    `*Rule:* ${notice.rule ?? '-'}`,
    `*Actor:* ${escapeMrkdwn(notice.actor)}${notice.forced ? ' (forced)' : ''}`,
    `*Weights:* ${before === after ? before : `${before} → ${after}`}`,
  ];
  const text = escapeMrkdwn(headline(notice));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${notice.event}*: ${text}` } },
      { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: f })) },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `${notice.at}${context.server ? ` · <${context.server}|Vigil>` : ''}` }],
      },
    ],
  };
}

export const slackNotifier = defineNotifier<SlackNotifierConfig>({
  kind: 'slack',
  schema: slackNotifierSchema,
  create: (config) => ({
    kind: 'slack',
    events: new Set(config.events),
    post: (notice, context) => ({ url: config.webhookUrl, headers: { 'content-type': 'application/json' }, body: slackMessage(notice, context) }),
  }),
});
