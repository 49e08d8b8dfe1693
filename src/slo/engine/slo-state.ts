// Running window sums of one SLO, per group of series (the whole SLO, each target region, each
// (target region, vantage) pair). A step adds the newest unit and subtracts the one leaving each window,
// so a tick costs the same for a 7-day window as for a 90-day one.
import { MINUTE_MS } from '../../lib/duration.js';
import type { Series } from '../../store/bucket-store.js';
import { type WindowSums, windowsAt } from '../evaluate.js';
import type { Counts } from '../math/budget.js';
import { unitCounts } from '../math/timeslices.js';
import { periodAt, type UnitWindow, unitMinutes } from '../math/windows.js';
import type { SloDefinition } from '../model.js';

/** A rolling window of `units` units, or the calendar period (`units` null). */
export interface TrackedWindow {
  key: string;
  units: number | null;
}

export const WHOLE_SLO = '';

export function regionGroup(targetRegion: string): string {
  return `t:${targetRegion}`;
}

export function vantageGroup(targetRegion: string, vantage: string): string {
  return `v:${targetRegion}\u0000${vantage}`;
}

export class SloState {
  readonly unitMin: number;
  readonly windows: TrackedWindow[];
  /** Last unit included in every window; null until the first evaluation. */
  cursor: number | null = null;
  periodStartUnit = 0;
  private readonly groupIndex = new Map<string, number>();
  private readonly seriesGroups = new Map<number, number[]>();
  /** The (target region, vantage) pairs seen so far, by group key. */
  readonly pairs = new Map<string, { targetRegion: string; vantage: string }>();
  private readonly sums: Float64Array[] = [];

  constructor(readonly def: SloDefinition) {
    this.unitMin = unitMinutes(def);
    // Window shapes do not depend on the instant: sample any one to learn them.
    this.windows = windowsAt(def, 0).map((w) => ({
      key: w.key,
      units: w.key === 'calendar' ? null : w.lastUnit - w.firstUnit + 1,
    }));
  }

  get unitMs(): number {
    return this.unitMin * MINUTE_MS;
  }

  /** The calendar period's first unit at `atMs` (0 for rolling SLOs). */
  periodStartUnitAt(atMs: number): number {
    if (this.def.window.kind === 'rolling') return 0;
    return Math.ceil(periodAt(this.def.window, atMs).startMs / this.unitMs);
  }

  /** The groups a series counts in: the whole SLO, its target region, its (target region, vantage) pair. */
  groupsOf(series: Series): readonly number[] {
    let groups = this.seriesGroups.get(series.id);
    if (!groups) {
      const pairKey = vantageGroup(series.targetRegion, series.vantage);
      groups = [this.group(WHOLE_SLO), this.group(regionGroup(series.targetRegion)), this.group(pairKey)];
      this.pairs.set(pairKey, { targetRegion: series.targetRegion, vantage: series.vantage });
      this.seriesGroups.set(series.id, groups);
    }
    return groups;
  }

  groupKeys(): string[] {
    return [...this.groupIndex.keys()];
  }

  reset(cursor: number, periodStartUnit: number): void {
    this.cursor = cursor;
    this.periodStartUnit = periodStartUnit;
    for (const sums of this.sums) sums.fill(0);
  }

  firstUnit(window: TrackedWindow): number {
    const cursor = this.cursor ?? 0;
    return window.units === null ? this.periodStartUnit : cursor - window.units + 1;
  }

  /** Adds (sign 1) or removes (sign −1) one unit's raw counts of a group to the windows that hold it. */
  applyUnit(group: number, unit: number, raw: Counts, sign: 1 | -1, only?: TrackedWindow): void {
    const counts = unitCounts(raw, this.def.budgeting);
    // A restated minute can lower good alone (a delta of total 0): only a change of nothing is skipped.
    if (counts.total === 0 && counts.good === 0) return;
    this.addToWindows(group, unit, counts.good * sign, counts.total * sign, only);
  }

  /** Applies a change of one unit's raw counts from `before` to `after`. */
  changeUnit(group: number, unit: number, before: Counts, after: Counts): void {
    const b = unitCounts(before, this.def.budgeting);
    const a = unitCounts(after, this.def.budgeting);
    if (a.good === b.good && a.total === b.total) return;
    this.addToWindows(group, unit, a.good - b.good, a.total - b.total);
  }

  /** Sets the sums of one window directly (used when (re)computing it from the store). */
  addToWindow(group: number, window: TrackedWindow, good: number, total: number): void {
    const index = this.windows.indexOf(window);
    const sums = this.sums[group] as Float64Array;
    sums[2 * index] = (sums[2 * index] as number) + good;
    sums[2 * index + 1] = (sums[2 * index + 1] as number) + total;
  }

  clearWindow(window: TrackedWindow): void {
    const index = this.windows.indexOf(window);
    for (const sums of this.sums) {
      sums[2 * index] = 0;
      sums[2 * index + 1] = 0;
    }
  }

  /** Window sums of one group, in the shape the pure evaluation asks for. */
  windowSums(groupKey: string): WindowSums {
    const index = this.groupIndex.get(groupKey);
    const sums = index === undefined ? null : (this.sums[index] as Float64Array);
    return (w: UnitWindow) => {
      const i = this.windows.findIndex((t) => t.key === w.key);
      if (i < 0) throw new Error(`window ${w.key} is not tracked for ${this.def.name}`);
      return sums ? { good: sums[2 * i] as number, total: sums[2 * i + 1] as number } : { good: 0, total: 0 };
    };
  }

  private group(key: string): number {
    let index = this.groupIndex.get(key);
    if (index === undefined) {
      index = this.sums.length;
      this.groupIndex.set(key, index);
      this.sums.push(new Float64Array(2 * this.windows.length));
    }
    return index;
  }

  private addToWindows(group: number, unit: number, good: number, total: number, only?: TrackedWindow): void {
    if (this.cursor === null || unit > this.cursor) return;
    const sums = this.sums[group] as Float64Array;
    this.windows.forEach((window, i) => {
      if (only && window !== only) return;
      if (unit < this.firstUnit(window)) return;
      sums[2 * i] = (sums[2 * i] as number) + good;
      sums[2 * i + 1] = (sums[2 * i + 1] as number) + total;
    });
  }
}
