// Reads a weekly or monthly reliability report from the store: each SLO's minute counts over the period,
// the alerts, failovers and drills in it. The numbers come from the same buckets as every other view.
import { DateTime, IANAZone } from 'luxon';
import { MINUTE_MS } from '../lib/duration.js';
import type { Counts } from '../slo/math/budget.js';
import type { SloDefinition } from '../slo/model.js';
import { type PeriodReport, periodBounds, periodCounts, periodReport, REPORT_PERIODS, type ReportPeriod } from '../slo/period-report.js';
import type { BucketStore } from '../store/bucket-store.js';
import { InputError } from './errors.js';
import type { EventSources } from './slo-timeline.js';

export interface ReportQuery {
  period: ReportPeriod;
  /** Any instant in the period wanted. */
  at: number;
  timeZone: string;
  squad: string | null;
}

const REPORTED_ACTIONS = new Set(['drain', 'restore', 'pause', 'resume']);

/** Checks the query's parameters (each error names its parameter). `start` is a date (YYYY-MM-DD, in the zone) or an instant. */
export function reportQuery(raw: { period?: string | undefined; start?: string | undefined; timeZone?: string | undefined; squad?: string | undefined }, definitions: readonly SloDefinition[], now: number): ReportQuery {
  const period = raw.period ?? 'week';
  if (!(REPORT_PERIODS as readonly string[]).includes(period)) throw new InputError(`period: must be one of ${REPORT_PERIODS.join(', ')}`);
  const timeZone = raw.timeZone ?? 'UTC';
  if (!IANAZone.isValidZone(timeZone)) throw new InputError(`timeZone: "${timeZone.slice(0, 60)}" is not an IANA time zone (e.g. Europe/Stockholm)`);
  let at = now;
  if (raw.start !== undefined && raw.start !== '') {
    // A bare date is midnight in the report's zone; a time needs its offset.
    const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(raw.start);
    const parsed = DateTime.fromISO(raw.start, { zone: timeZone, setZone: !bareDate });
    if (!parsed.isValid || (!bareDate && !/(Z|[+-]\d{2}:?\d{2})$/i.test(raw.start))) {
      throw new InputError(`start: "${raw.start.slice(0, 60)}" is neither a date (2026-11-23) nor an ISO 8601 time with an offset`);
    }
    at = parsed.toMillis();
  }
  const squad = raw.squad === undefined || raw.squad === '' ? null : raw.squad;
  if (squad !== null && !definitions.some((d) => d.squad === squad)) throw new InputError(`squad: no SLO belongs to a squad named "${squad.slice(0, 60)}"`);
  return { period: period as ReportPeriod, at, timeZone, squad };
}

export function readPeriodReport(store: BucketStore, sources: EventSources, definitions: readonly SloDefinition[], query: ReportQuery, now = Date.now()): PeriodReport {
  const { from, to } = periodBounds(query.period, query.at, query.timeZone);
  const defs = definitions.filter((d) => query.squad === null || d.squad === query.squad);
  const counts = new Map<string, Counts>();
  for (const def of defs) {
    const read = store.sloBuckets(def.name, { targetRegion: null, vantage: null }, Math.floor(from / MINUTE_MS), Math.ceil(to / MINUTE_MS));
    const minutes = new Map<number, Counts>([...read.minutes].map((m, i) => [m, { good: read.good[i] as number, total: read.total[i] as number }]));
    counts.set(def.name, periodCounts(def, minutes, from, to));
  }
  const names = new Set(defs.map((d) => d.name));
  return periodReport({
    period: query.period,
    timeZone: query.timeZone,
    from,
    to,
    squad: query.squad,
    now,
    definitions: defs,
    counts,
    alerts: sources.alerts
      .history(null, from, to)
      .filter((a) => names.has(a.slo))
      .map((a) => ({ slo: a.slo, severity: a.severity, startedAt: a.startedAt, endedAt: a.endedAt })),
    failovers: sources.audit
      .between(from, to)
      .filter((e) => REPORTED_ACTIONS.has(e.action))
      .map((e) => ({ ts: new Date(e.ts).toISOString(), action: e.action, region: e.region, outcome: e.outcome, rule: e.rule, actor: e.actor, reason: e.reason })),
    drills: sources.drillRuns.overlapping(from, to).map((r) => ({
      drill: r.drill,
      run: r.id,
      region: r.region,
      state: r.state,
      startedAt: r.startedAt === null ? null : new Date(r.startedAt).toISOString(),
      endedAt: r.endedAt === null ? null : new Date(r.endedAt).toISOString(),
      reason: r.reason,
    })),
  });
}
