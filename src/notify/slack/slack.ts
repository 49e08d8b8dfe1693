// The `slack` notifier: a message to a Slack incoming webhook — a readable line (also the notification
// text) and a section with what a person needs next: region, rule and weights of a failover; run, state and
// runbook of a drill; squad, burn rates and runbook of an SLO alert.
import { z } from 'zod';
import type { Weights } from '../../failover/policy/types.js';
import { urlWithEnv } from '../../lib/env-reference.js';
import { headline, isAlertNotice, isDrillNotice, type Notice } from '../notice.js';
import { audienceOf, commonFields, defineNotifier, type NoticeContext } from '../notifier.js';

export const slackNotifierSchema = z.strictObject({
  kind: z.literal('slack'),
  ...commonFields,
  webhookUrl: urlWithEnv('https://hooks.slack.com/services/T000/B000/XXXX'),
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

function fieldsOf(notice: Notice, context: NoticeContext): string[] {
  const runbook = (path: string | null) => `*Runbook:* ${path ? escapeMrkdwn(path) : '-'}`;
  if (isDrillNotice(notice)) {
    return [`*Region:* ${notice.region}`, `*Run:* ${notice.run}`, `*State:* ${notice.state}`, runbook(notice.runbook)];
  }
  if (isAlertNotice(notice)) {
    const burn = Object.entries(notice.burnRates)
      .map(([w, r]) => `${w} ${r}`)
      .join(', ');
    return [`*Squad:* ${escapeMrkdwn(notice.squad)}`, `*Region:* ${notice.region ?? 'all'}`, `*Burn rates:* ${burn || '-'}`, runbook(notice.runbook)];
  }
  const before = weightsLine(notice.weights.before);
  const after = weightsLine(notice.weights.after);
  const onBehalf = notice.onBehalfOf ? ` on behalf of ${escapeMrkdwn(notice.onBehalfOf)}` : '';
  return [
    `*Region:* ${notice.region ?? 'all'}`,
    `*Rule:* ${notice.rule ?? '-'}`,
    `*Actor:* ${escapeMrkdwn(notice.actor)}${onBehalf}${notice.forced ? ' (forced)' : ''}`,
    `*Weights:* ${before === after ? before : `${before} → ${after}`}`,
    ...(context.runbook ? [runbook(context.runbook)] : []),
  ];
}

export function slackMessage(notice: Notice, context: NoticeContext) {
  const text = escapeMrkdwn(headline(notice));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${notice.event}*: ${text}` } },
      { type: 'section', fields: fieldsOf(notice, context).map((f) => ({ type: 'mrkdwn', text: f })) },
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
    audience: audienceOf(config),
    runbook: config.runbook ?? null,
    post: (notice, context) => ({ url: config.webhookUrl, headers: { 'content-type': 'application/json' }, body: slackMessage(notice, context) }),
  }),
});
