// The registry of notifiers: `spec.notify[].kind` → implementation. One line per notifier.
import type { AnyNotifierKind } from './notifier.js';
import { pagerdutyNotifier } from './pagerduty/pagerduty.js';
import { slackNotifier } from './slack/slack.js';
import { webhookNotifier } from './webhook/webhook.js';

const NOTIFIERS: AnyNotifierKind[] = [webhookNotifier, slackNotifier, pagerdutyNotifier];

export const NOTIFIER_KINDS: ReadonlyMap<string, AnyNotifierKind> = new Map(NOTIFIERS.map((n) => [n.kind, n]));
