// Computes every SLO at one instant from a known set of events (`vigil report --events`), with prefix sums.
import { MINUTE_MS } from '../lib/duration.js';
import { evaluateSlo, type SloStatus, type WindowSums } from './evaluate.js';
import type { Counts } from './math/budget.js';
import { unitCounts } from './math/timeslices.js';
import { unitMinutes } from './math/windows.js';
import type { SloDefinition } from './model.js';
import type { EventRecord } from './sources/events-file.js';
import { UnitSeries } from './unit-series.js';

/** Minute buckets of one SLO: all events, and per target region. */
class SloBuckets {
  readonly all = new Map<number, Counts>();
  readonly byRegion = new Map<string, Map<number, Counts>>();

  add(event: EventRecord): void {
    const minute = Math.floor(event.ts / MINUTE_MS);
    addTo(this.all, minute, event);
    if (event.targetRegion) {
      const region = this.byRegion.get(event.targetRegion) ?? new Map<number, Counts>();
      this.byRegion.set(event.targetRegion, region);
      addTo(region, minute, event);
    }
  }
}

function addTo(buckets: Map<number, Counts>, key: number, counts: Counts): void {
  const current = buckets.get(key);
  if (current) {
    current.good += counts.good;
    current.total += counts.total;
  } else buckets.set(key, { good: counts.good, total: counts.total });
}

/** Minute buckets → units of the SLO's budgeting method (minutes, or good/counted timeslices). */
export function toUnitSeries(def: SloDefinition, minutes: ReadonlyMap<number, Counts>): UnitSeries {
  const unitMin = unitMinutes(def);
  const raw = new Map<number, Counts>();
  for (const [minute, counts] of minutes) addTo(raw, Math.floor(minute / unitMin), counts);
  const units = new Map<number, Counts>();
  for (const [unit, counts] of raw) units.set(unit, unitCounts(counts, def.budgeting));
  return UnitSeries.fromUnits(units);
}

export function sumsOf(series: UnitSeries): WindowSums {
  return (w) => series.sum(w.firstUnit, w.lastUnit);
}

export class EventReport {
  private readonly buckets = new Map<string, SloBuckets>();

  constructor(
    private readonly definitions: readonly SloDefinition[],
    private readonly atMs: number,
  ) {
    for (const def of definitions) this.buckets.set(def.name, new SloBuckets());
  }

  /** Adds one event; events at or after `at` have not happened yet and are ignored. */
  add(event: EventRecord): void {
    if (event.ts >= this.atMs) return;
    this.buckets.get(event.slo)?.add(event);
  }

  statuses(): SloStatus[] {
    const empty = UnitSeries.fromUnits(new Map());
    return this.definitions.map((def) => {
      const buckets = this.buckets.get(def.name) as SloBuckets;
      return evaluateSlo(def, this.atMs, (region) => {
        const minutes = region === null ? buckets.all : buckets.byRegion.get(region);
        return sumsOf(minutes ? toUnitSeries(def, minutes) : empty);
      });
    });
  }
}
