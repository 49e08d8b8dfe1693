// What the SLO detail page draws and the history and events endpoints answer: an SLO's status over a span
// (from the minute buckets, with the report's exact math), the alerts, failovers and drills in that span,
// and how long the data held reaches back, with a warning when that is shorter than the SLO's window.
import { z } from 'zod';
import { formatDuration, MINUTE_MS } from '../lib/duration.js';
import { sumsOf } from '../slo/event-report.js';
import { bucketMinutesFor, historyPoints, lookbackMinutes, MAX_HISTORY_POINTS, minuteSums, type SumsAt } from '../slo/history.js';
import { longestPeriodMinutes } from '../slo/math/windows.js';
import type { SloDefinition } from '../slo/model.js';
import { UnitSeries } from '../slo/unit-series.js';
import type { AlertStore } from '../store/alert-store.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BucketStore } from '../store/bucket-store.js';
import type { DrillStore } from '../store/drill-store.js';
import { InputError } from './errors.js';

export interface HistoryQuery {
  from: number;
  to: number;
  stepMs: number;
  region: string | null;
  vantage: string | null;
}

const point = z.object({
  t: z.string(),
  good: z.number(),
  total: z.number(),
  sli: z.number().nullable(),
  errorBudget: z.object({ consumed: z.number(), remaining: z.number() }),
  burnRates: z.record(z.string(), z.number()),
  firing: z.array(z.string()),
});

/** GET /api/v1/slos/NAME/history. */
export const historyJson = z.object({
  slo: z.string(),
  from: z.string(),
  to: z.string(),
  step: z.string(),
  region: z.string().nullable(),
  vantage: z.string().nullable(),
  /** The first minute held for this SLO, or null. */
  dataSince: z.string().nullable(),
  /** Set when the data held is shorter than the SLO's window (or there is none). */
  warning: z.string().nullable(),
  points: z.array(point),
});

/** GET /api/v1/slos/NAME/events. */
export const sloEventsJson = z.object({
  slo: z.string(),
  from: z.string(),
  to: z.string(),
  alerts: z.array(z.object({ severity: z.string(), region: z.string().nullable(), startedAt: z.string(), endedAt: z.string().nullable(), windows: z.array(z.string()) })),
  failovers: z.array(z.object({ ts: z.string(), action: z.string(), region: z.string().nullable(), outcome: z.string(), rule: z.string().nullable(), actor: z.string(), onBehalfOf: z.string().nullable(), reason: z.string() })),
  drills: z.array(z.object({ drill: z.string(), run: z.string(), region: z.string(), state: z.string(), startedAt: z.string().nullable(), endedAt: z.string().nullable() })),
});

export type HistoryJson = z.output<typeof historyJson>;
export type SloEventsJson = z.output<typeof sloEventsJson>;

/** The actions of the audit log that change where traffic goes. */
const TRAFFIC_ACTIONS = new Set(['drain', 'restore', 'step', 'halt']);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Checks a history request and fills its defaults: `to` now, `from` one SLO window before it, a step that
 * gives about 300 points. Times fall to whole minutes; a step is whole minutes and gives at most 10,000 points.
 */
export function historyQuery(def: SloDefinition, raw: { from?: number | undefined; to?: number | undefined; stepMs?: number | undefined; region?: string | undefined; vantage?: string | undefined }, now: number): HistoryQuery {
  const minute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  const to = minute(raw.to ?? now);
  const from = minute(raw.from ?? to - longestPeriodMinutes(def) * MINUTE_MS);
  if (from >= to) throw new InputError(`from: must be before to (from ${new Date(from).toISOString()}, to ${new Date(to).toISOString()})`);
  const stepMs = raw.stepMs ?? Math.max(1, Math.ceil((to - from) / MINUTE_MS / 300)) * MINUTE_MS;
  if (stepMs < MINUTE_MS || stepMs % MINUTE_MS !== 0) throw new InputError(`step: must be whole minutes, at least 1m (got ${formatDuration(stepMs)})`);
  const points = Math.floor((to - from) / stepMs) + 1;
  if (points > MAX_HISTORY_POINTS) {
    throw new InputError(`step: ${formatDuration(stepMs)} from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} gives ${points} points, more than ${MAX_HISTORY_POINTS}: use a longer step or a shorter span`);
  }
  if (raw.region !== undefined && !def.regions.includes(raw.region)) {
    throw new InputError(`region: "${raw.region.slice(0, 60)}" is not one of ${def.name}'s regions (${def.regions.join(', ') || 'none'})`);
  }
  return { from, to, stepMs, region: raw.region ?? null, vantage: raw.vantage ?? null };
}

/** How far back the data for an SLO goes, and a warning when that is less than its window. */
export function dataHeld(store: BucketStore, def: SloDefinition, now: number): { dataSince: string | null; warning: string | null } {
  const first = store.firstMinute(def.name);
  const windowMinutes = longestPeriodMinutes(def);
  if (first === null) return { dataSince: null, warning: `No data is held for ${def.name} yet: its budget and burn rates count nothing.` };
  const heldMinutes = Math.floor(now / MINUTE_MS) - first;
  const dataSince = new Date(first * MINUTE_MS).toISOString();
  if (def.window.kind === 'rolling' && heldMinutes < windowMinutes) {
    return {
      dataSince,
      warning: `Data held since ${dataSince} (${formatDuration(heldMinutes * MINUTE_MS)}) is shorter than the ${def.window.text} window: the SLI and budget count only what is held.`,
    };
  }
  return { dataSince, warning: null };
}

export function sloHistory(store: BucketStore, def: SloDefinition, query: HistoryQuery, now: number): HistoryJson {
  const fromMinute = query.from / MINUTE_MS;
  const bucket = bucketMinutesFor(def, query.stepMs / MINUTE_MS);
  // The first bucket starts a whole number of buckets before the first point, far enough back for every window.
  const firstMinute = fromMinute - Math.ceil(lookbackMinutes(def) / bucket) * bucket;
  const filter = { targetRegion: query.region, vantage: query.vantage };
  let sums: SumsAt;
  if (bucket > 1) {
    const { minutes, good, total } = store.sloBuckets(def.name, filter, firstMinute, query.to / MINUTE_MS, bucket);
    const exact = sumsOf(UnitSeries.fromSorted(minutes, good, total));
    sums = () => exact;
  } else {
    const { minutes, good, total } = store.sloBuckets(def.name, filter, firstMinute, query.to / MINUTE_MS);
    sums = minuteSums(def, new Map([...minutes].map((m, i) => [m, { good: good[i] as number, total: total[i] as number }])));
  }
  return {
    slo: def.name,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
    step: formatDuration(query.stepMs),
    region: query.region,
    vantage: query.vantage,
    ...dataHeld(store, def, now),
    points: historyPoints(def, sums, query.from, query.to, query.stepMs),
  };
}

export interface EventSources {
  alerts: AlertStore;
  audit: AuditLog;
  drillRuns: DrillStore;
}

export function sloEvents(sources: EventSources, def: SloDefinition, from: number, to: number): SloEventsJson {
  const regions = new Set(def.regions);
  return {
    slo: def.name,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    alerts: sources.alerts.history(def.name, from, to).map((a) => ({ severity: a.severity, region: a.region, startedAt: new Date(a.startedAt).toISOString(), endedAt: iso(a.endedAt), windows: a.windows })),
    failovers: sources.audit
      .between(from, to)
      .filter((e) => TRAFFIC_ACTIONS.has(e.action) && (e.region === null || regions.size === 0 || regions.has(e.region)))
      .map((e) => ({ ts: new Date(e.ts).toISOString(), action: e.action, region: e.region, outcome: e.outcome, rule: e.rule, actor: e.actor, onBehalfOf: e.onBehalfOf, reason: e.reason })),
    drills: sources.drillRuns
      .overlapping(from, to)
      .filter((r) => r.startedAt !== null && (regions.size === 0 || regions.has(r.region)))
      .map((r) => ({ drill: r.drill, run: r.id, region: r.region, state: r.state, startedAt: iso(r.startedAt), endedAt: iso(r.endedAt) })),
  };
}
