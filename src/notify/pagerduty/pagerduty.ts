// The `pagerduty` notifier: PagerDuty Events API v2. Halts, blocked drains, failures and proposals page
// (critical); a drain and its steps open one warning alert per region, which the region's restore resolves.
// An SLO alert triggers when it fires and resolves when it stops, one alert per SLO, region and severity.
// A drill run is one alert: opened when it waits for approval or starts, resolved when it passes or is
// skipped, raised to an error when it fails or is aborted (a person should look).
import { z } from 'zod';
import { urlWithEnv, withEnv } from '../../lib/env-reference.js';
import { type AlertNotice, type DrillNotice, type FailoverEvent, type FailoverNotice, headline, isAlertNotice, isDrillNotice, type Notice } from '../notice.js';
import { audienceOf, commonFields, defineNotifier, type NoticeContext } from '../notifier.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutyNotifierSchema = z.strictObject({
  kind: z.literal('pagerduty'),
  ...commonFields,
  /** The integration key of an Events API v2 integration. */
  routingKey: withEnv(),
  url: urlWithEnv(PAGERDUTY_EVENTS_URL).default(PAGERDUTY_EVENTS_URL),
});

type PagerdutyNotifierConfig = z.output<typeof pagerdutyNotifierSchema>;
type Severity = 'critical' | 'error' | 'warning' | 'info';

/** A restore resolves its drain's alert instead (see resolves()). */
const FAILOVER_SEVERITY: Record<FailoverEvent, Severity> = {
  restore: 'info',
  halt: 'critical',
  blocked: 'critical',
  failed: 'critical',
  proposed: 'critical',
  drain: 'warning',
  step: 'warning',
};

/** One alert per region and event; a drain's steps belong to the drain's alert. */
export function dedupKey(notice: Notice): string {
  if (isAlertNotice(notice)) return `vigil/slo/${notice.slo}/${notice.region ?? 'all'}/${notice.severity}`;
  if (isDrillNotice(notice)) return `vigil/drill/${notice.drill}/${notice.run}`;
  const event = notice.event === 'step' || notice.event === 'restore' ? 'drain' : notice.event;
  return `vigil/${notice.region ?? 'all'}/${event}`;
}

interface Trigger {
  severity: Severity;
  component: string;
  group: string;
  details: Record<string, unknown>;
}

function failoverTrigger(notice: FailoverNotice): Trigger {
  const { region, rule, reason, actor, onBehalfOf, forced, weights } = notice;
  return { severity: FAILOVER_SEVERITY[notice.event], component: region ?? 'all', group: 'failover', details: { event: notice.event, region, rule, reason, actor, onBehalfOf: onBehalfOf ?? null, forced, weights } };
}

function alertTrigger(notice: AlertNotice): Trigger {
  const { slo, squad, severity, region, windows, burnRates, runbook } = notice;
  return { severity: severity === 'page' ? 'critical' : 'warning', component: slo, group: squad, details: { event: notice.event, slo, squad, severity, region, windows, burnRates, runbook } };
}

function drillTrigger(notice: DrillNotice): Trigger {
  const { drill, run, region, state, reason, runbook } = notice;
  const severity: Severity = notice.event === 'drill_failed' || notice.event === 'drill_aborted' ? 'error' : notice.event === 'drill_awaiting_approval' ? 'warning' : 'info';
  return { severity, component: region, group: 'drills', details: { event: notice.event, drill, run, region, state, reason, runbook } };
}

/** Whether the notice ends its alert rather than opening or updating it. */
function resolves(notice: Notice): boolean {
  return notice.event === 'restore' || notice.event === 'alert_resolved' || notice.event === 'drill_passed' || notice.event === 'drill_skipped';
}

export function pagerdutyEvent(routingKey: string, notice: Notice, context: NoticeContext) {
  if (resolves(notice)) return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey(notice) };
  const trigger = isAlertNotice(notice) ? alertTrigger(notice) : isDrillNotice(notice) ? drillTrigger(notice) : failoverTrigger(notice as FailoverNotice);
  const runbook = isAlertNotice(notice) || isDrillNotice(notice) ? notice.runbook : context.runbook;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey(notice),
    payload: {
      // PagerDuty keeps at most 1024 characters of a summary.
      summary: headline(notice).slice(0, 1024),
      source: 'vigil',
      severity: trigger.severity,
      timestamp: notice.at,
      component: trigger.component,
      group: trigger.group,
      class: notice.event,
      custom_details: trigger.details,
    },
    client: 'Vigil',
    ...(context.server ? { client_url: context.server } : {}),
    ...(runbook && context.server ? { links: [{ href: `${context.server}/runbooks/${encodeURIComponent(runbook.replace(/^runbooks\//, '').replace(/\.md$/, ''))}`, text: 'Runbook' }] } : {}),
  };
}

export const pagerdutyNotifier = defineNotifier<PagerdutyNotifierConfig>({
  kind: 'pagerduty',
  schema: pagerdutyNotifierSchema,
  create: (config) => ({
    kind: 'pagerduty',
    audience: audienceOf(config),
    runbook: config.runbook ?? null,
    post: (notice, context) => ({
      url: config.url,
      headers: { 'content-type': 'application/json' },
      body: pagerdutyEvent(config.routingKey, notice, context),
    }),
  }),
});
