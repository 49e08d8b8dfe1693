// What Vigil tells people: failover decisions worth hearing about (derived here from a decision round's
// outcome), drill runs changing state (drill-notices.ts) and SLO alerts firing and resolving
// (alert-notices.ts). Pure, so the wording and the choice of events are testable without a server.
import type { Decision, RegionPhase, Weights } from '../failover/policy/types.js';

export const FAILOVER_EVENTS = ['halt', 'blocked', 'drain', 'restore', 'step', 'failed', 'proposed'] as const;
export const DRILL_EVENTS = ['drill_awaiting_approval', 'drill_started', 'drill_passed', 'drill_failed', 'drill_aborted', 'drill_skipped'] as const;
export const ALERT_EVENTS = ['alert_firing', 'alert_resolved'] as const;
export const NOTICE_EVENTS = [...FAILOVER_EVENTS, ...DRILL_EVENTS, ...ALERT_EVENTS] as const;

export type FailoverEvent = (typeof FAILOVER_EVENTS)[number];
export type DrillEvent = (typeof DRILL_EVENTS)[number];
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/**
 * By default, notifiers hear everything an IMOC must act on or know about: failovers and drills. SLO alerts
 * go to the notifiers that ask for them (by event, or by `squads` / `severities`).
 */
export const DEFAULT_NOTICE_EVENTS: readonly NoticeEvent[] = [...FAILOVER_EVENTS, ...DRILL_EVENTS];

/** Events that describe a situation rather than a change, so the same one recurs while it lasts. */
export const RECURRING_EVENTS: ReadonlySet<NoticeEvent> = new Set(['blocked', 'failed', 'proposed']);

export interface FailoverNotice {
  event: FailoverEvent;
  /** null: about no single region (a global outage, the provider being unreachable). */
  region: string | null;
  rule: string | null;
  reason: string;
  actor: string;
  /** Whom the actor said it acted for (vigil failover --actor), when it did. */
  onBehalfOf?: string;
  forced: boolean;
  weights: { before: Weights; after: Weights };
  /** ISO time of the decision. */
  at: string;
}

export interface DrillNotice {
  event: DrillEvent;
  drill: string;
  run: string;
  region: string;
  /** The run's state: an outcome for the last four events (an interrupted run is reported as drill_aborted). */
  state: string;
  reason: string | null;
  runbook: string | null;
  at: string;
}

export interface AlertNotice {
  event: AlertEvent;
  slo: string;
  squad: string;
  severity: string;
  /** The target region, or null for an SLO without regions. */
  region: string | null;
  /** The alert windows that fire (or fired), as "1h/5m". */
  windows: string[];
  burnRates: Record<string, number>;
  runbook: string | null;
  at: string;
}

export type Notice = FailoverNotice | DrillNotice | AlertNotice;

export const isFailoverNotice = (n: Notice): n is FailoverNotice => (FAILOVER_EVENTS as readonly string[]).includes(n.event);
export const isDrillNotice = (n: Notice): n is DrillNotice => (DRILL_EVENTS as readonly string[]).includes(n.event);
export const isAlertNotice = (n: Notice): n is AlertNotice => (ALERT_EVENTS as readonly string[]).includes(n.event);

/** Where notices go; never blocks or throws into the decision path. */
export interface NoticeSink {
  announce(notices: readonly Notice[]): void;
}

export interface DecisionRound {
  decisions: readonly Decision[];
  /** Why the weights the decisions called for are not in effect, if so. */
  failure: string | null;
  before: Weights;
  after: Weights;
  /** Each region's phase after the round (a step that leads back up to serving is part of a restore). */
  phases: Readonly<Record<string, RegionPhase['phase']>>;
  at: number;
}

const AUTOMATION = 'vigil';
const CHANGES: ReadonlySet<Decision['action']> = new Set(['drain', 'restore', 'step']);

/**
 * The notices of one decision round. A change the provider did not carry out is reported as `failed`
 * (not as the change), blocked IMOC commands are not reported (the IMOC got the answer), dry-run
 * decisions and pause/resume are not reported.
 */
export function noticesOf(round: DecisionRound): FailoverNotice[] {
  const at = new Date(round.at).toISOString();
  const weights = { before: round.before, after: round.after };
  const notices: FailoverNotice[] = [];
  let failureReported = false;
  for (const d of round.decisions) {
    const base = { region: d.region, rule: d.rule, reason: d.reason, actor: d.actor, forced: d.forced, weights, at, ...(d.onBehalfOf ? { onBehalfOf: d.onBehalfOf } : {}) };
    if (d.outcome === 'proposed') notices.push({ ...base, event: 'proposed' });
    else if (d.outcome === 'blocked' && d.actor === AUTOMATION) notices.push({ ...base, event: 'blocked' });
    else if (d.outcome !== 'executed') continue;
    else if (d.action === 'halt') notices.push({ ...base, event: 'halt' });
    else if (CHANGES.has(d.action) && round.failure !== null) {
      failureReported = true;
      notices.push({ ...base, event: 'failed', rule: null, reason: `${d.action} of ${d.region ?? 'all regions'} not carried out: ${round.failure}` });
    } else if (d.action === 'step') {
      const phase = d.region === null ? undefined : round.phases[d.region];
      notices.push({ ...base, event: phase === 'restoring' || phase === 'serving' ? 'restore' : 'step' });
    } else if (d.action === 'drain' || d.action === 'restore') notices.push({ ...base, event: d.action });
  }
  if (round.failure !== null && !failureReported) {
    notices.push({ event: 'failed', region: null, rule: null, reason: round.failure, actor: AUTOMATION, forced: false, weights, at });
  }
  return notices;
}

/** A failure outside any decision (the provider cannot be reconciled, a round failed). */
export function failureNotice(reason: string, weights: Weights, at: number): FailoverNotice {
  return {
    event: 'failed',
    region: null,
    rule: null,
    reason,
    actor: AUTOMATION,
    forced: false,
    weights: { before: weights, after: weights },
    at: new Date(at).toISOString(),
  };
}

/** One line a person can read in a chat or a pager. */
export function headline(notice: Notice): string {
  if (isDrillNotice(notice)) return drillHeadline(notice);
  if (isAlertNotice(notice)) return alertHeadline(notice);
  return failoverHeadline(notice);
}

function drillHeadline(n: DrillNotice): string {
  const what = `Drill ${n.drill} (${n.run}) of ${n.region}`;
  const why = n.reason ? `: ${n.reason}` : '';
  switch (n.event) {
    case 'drill_awaiting_approval':
      return `${what} is waiting for an IMOC's approval${why}`;
    case 'drill_started':
      return `${what} started: draining ${n.region}`;
    case 'drill_passed':
      return `${what} passed${why}`;
    case 'drill_failed':
      return `${what} failed${why}`;
    case 'drill_aborted':
      return `${what} ${n.state === 'interrupted' ? 'was interrupted' : 'was aborted'}${why}`;
    case 'drill_skipped':
      return `${what} was skipped${why}`;
  }
}

function alertHeadline(n: AlertNotice): string {
  const where = n.region ? ` in ${n.region}` : '';
  const burn = Object.entries(n.burnRates)
    .map(([w, r]) => `${w} ${r}`)
    .join(', ');
  return n.event === 'alert_firing'
    ? `${n.severity.toUpperCase()} ${n.slo}${where} burns its error budget (${n.windows.join(', ')}; burn ${burn})`
    : `Resolved: ${n.severity} ${n.slo}${where} no longer burns fast`;
}

function failoverHeadline(notice: FailoverNotice): string {
  const where = notice.region ?? 'all regions';
  const onBehalf = notice.onBehalfOf ? ` on behalf of ${notice.onBehalfOf}` : '';
  const by = notice.actor === AUTOMATION ? '' : ` by ${notice.actor}${onBehalf}${notice.forced ? ' (forced)' : ''}`;
  switch (notice.event) {
    case 'halt':
      return `Vigil halted the drain of ${where}: ${notice.reason}`;
    case 'blocked':
      return `Vigil did not drain ${where} (blocked by ${notice.rule ?? 'a safety rule'}): ${notice.reason}`;
    case 'drain':
      return `${where} is being drained${by}: ${notice.reason}`;
    case 'step':
      return `Drain of ${where} moved on: ${notice.reason}`;
    case 'restore':
      return `${where} is being restored${by}: ${notice.reason}`;
    case 'failed':
      return `Vigil failover failed (${where}): ${notice.reason}`;
    case 'proposed':
      return `Vigil proposes draining ${where}, waiting for the IMOC: ${notice.reason}`;
  }
}
