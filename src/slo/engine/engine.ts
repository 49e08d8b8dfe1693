// The live SLO engine: keeps running window sums over the store's minute buckets and evaluates every SLO
// on each tick. Each step reads one unit to add and one unit per window length to drop, never a whole window.
import type { Logger } from '../../lib/logger.js';
import { silentLogger } from '../../lib/logger.js';
import type { BucketChange, BucketRow, BucketStore, Series } from '../../store/bucket-store.js';
import { evaluateSlo, evaluateWindow, failedStatus, type SloStatus, type WindowStatus } from '../evaluate.js';
import type { Counts } from '../math/budget.js';
import { lastUnitBefore } from '../math/windows.js';
import type { SloDefinition } from '../model.js';
import { regionGroup, SloState, type TrackedWindow, WHOLE_SLO } from './slo-state.js';

/** SLOs that share a unit length (1 minute, or a slice length) step together and share store reads. */
class UnitClass {
  cursor: number | null = null;
  readonly states: SloState[] = [];

  constructor(readonly unitMin: number) {}

  get longestWindow(): number {
    return Math.max(1, ...this.states.flatMap((s) => s.windows.map((w) => w.units ?? 0)));
  }

  /** Distinct rolling window lengths, each with the SLOs that track it. */
  rollingLengths(): Map<number, Array<{ state: SloState; window: TrackedWindow }>> {
    const lengths = new Map<number, Array<{ state: SloState; window: TrackedWindow }>>();
    for (const state of this.states) {
      for (const window of state.windows) {
        if (window.units === null) continue;
        const list = lengths.get(window.units) ?? [];
        list.push({ state, window });
        lengths.set(window.units, list);
      }
    }
    return lengths;
  }
}

export interface SloEngineOptions {
  store: BucketStore;
  definitions: readonly SloDefinition[];
  logger?: Logger;
}

export class SloEngine {
  private readonly store: BucketStore;
  private readonly logger: Logger;
  private states = new Map<string, SloState>();
  private classes: UnitClass[] = [];
  private lastAt: number | null = null;
  private readonly unsubscribe: () => void;

  constructor(options: SloEngineOptions) {
    this.store = options.store;
    this.logger = options.logger ?? silentLogger();
    this.setDefinitions(options.definitions);
    this.unsubscribe = this.store.onChange((changes) => this.applyChanges(changes));
  }

  /** Replaces the SLO set; sums are rebuilt from the store at the next evaluation. */
  setDefinitions(definitions: readonly SloDefinition[]): void {
    this.states = new Map(definitions.map((def) => [def.name, new SloState(def)]));
    const byUnit = new Map<number, UnitClass>();
    for (const state of this.states.values()) {
      const unitClass = byUnit.get(state.unitMin) ?? new UnitClass(state.unitMin);
      byUnit.set(state.unitMin, unitClass);
      unitClass.states.push(state);
    }
    this.classes = [...byUnit.values()];
    this.lastAt = null;
  }

  definitions(): SloDefinition[] {
    return [...this.states.values()].map((s) => s.def);
  }

  close(): void {
    this.unsubscribe();
  }

  /** Brings every window up to `atMs` and evaluates every SLO there. */
  evaluate(atMs: number): SloStatus[] {
    this.advanceTo(atMs);
    // One SLO that cannot be evaluated reports its error; it never takes the others down.
    return [...this.states.values()].map((state) => {
      try {
        return evaluateSlo(state.def, atMs, (region) => state.windowSums(region === null ? WHOLE_SLO : regionGroup(region)));
      } catch (error) {
        this.logger.error({ err: error, slo: state.def.name }, 'evaluating an SLO failed');
        return failedStatus(state.def, error);
      }
    });
  }

  /**
   * Status of one group of an SLO's series at the last evaluated instant (call evaluate first):
   * WHOLE_SLO, regionGroup(target) or vantageGroup(target, vantage).
   */
  groupStatus(slo: string, groupKey: string): WindowStatus | null {
    const state = this.states.get(slo);
    if (!state || this.lastAt === null) return null;
    return evaluateWindow(state.def, this.lastAt, state.windowSums(groupKey));
  }

  groupKeys(slo: string): string[] {
    return this.states.get(slo)?.groupKeys() ?? [];
  }

  /** The (target region, vantage) pairs an SLO has data for, with their group keys. */
  vantagePairs(slo: string): Array<{ key: string; targetRegion: string; vantage: string }> {
    const state = this.states.get(slo);
    return state ? [...state.pairs].map(([key, pair]) => ({ key, ...pair })) : [];
  }

  private advanceTo(atMs: number): void {
    for (const unitClass of this.classes) {
      const target = lastUnitBefore(atMs, unitClass.unitMin);
      const cursor = unitClass.cursor;
      if (cursor === null || target < cursor || target - cursor > unitClass.longestWindow) {
        this.rebuild(unitClass, atMs);
        continue;
      }
      for (let unit = cursor + 1; unit <= target; unit++) this.step(unitClass, unit);
      for (const state of unitClass.states) {
        const periodStart = state.periodStartUnitAt(atMs);
        if (periodStart !== state.periodStartUnit) this.rebuildCalendar(state, periodStart);
      }
    }
    this.lastAt = atMs;
  }

  /** Moves a class's cursor to `unit`: drop what leaves each window, then add the new unit everywhere. */
  private step(unitClass: UnitClass, unit: number): void {
    for (const [length, tracked] of unitClass.rollingLengths()) {
      const leaving = this.readUnit(unitClass.unitMin, unit - length);
      for (const { state, window } of tracked) {
        for (const [group, counts] of this.groupCounts(state, leaving.get(state.def.name))) {
          state.applyUnit(group, unit - length, counts, -1, window);
        }
      }
    }
    unitClass.cursor = unit;
    const arriving = this.readUnit(unitClass.unitMin, unit);
    for (const state of unitClass.states) {
      state.cursor = unit;
      for (const [group, counts] of this.groupCounts(state, arriving.get(state.def.name))) {
        state.applyUnit(group, unit, counts, 1);
      }
    }
  }

  /**
   * Recomputes every window of a class from the store: at start-up, after a reload, or after a long gap.
   * One query per distinct window range serves every SLO that has that range.
   */
  private rebuild(unitClass: UnitClass, atMs: number): void {
    const target = lastUnitBefore(atMs, unitClass.unitMin);
    unitClass.cursor = target;
    const ranges = new Map<string, Array<{ state: SloState; window: TrackedWindow }>>();
    for (const state of unitClass.states) {
      state.reset(target, state.periodStartUnitAt(atMs));
      for (const window of state.windows) {
        const key = `${state.firstUnit(window)}:${target}`;
        const list = ranges.get(key) ?? [];
        list.push({ state, window });
        ranges.set(key, list);
      }
    }
    for (const tracked of ranges.values()) this.fillWindows(unitClass.unitMin, tracked);
    this.logger.debug({ unitMinutes: unitClass.unitMin, slos: unitClass.states.length }, 'rebuilt SLO windows from the store');
  }

  private rebuildCalendar(state: SloState, periodStartUnit: number): void {
    state.periodStartUnit = periodStartUnit;
    const window = state.windows.find((w) => w.units === null);
    if (!window) return;
    state.clearWindow(window);
    this.fillWindows(state.unitMin, [{ state, window }]);
  }

  /** Sums windows that share one unit range from the store (timeslices unit by unit: each needs its own ratio). */
  private fillWindows(unitMin: number, tracked: ReadonlyArray<{ state: SloState; window: TrackedWindow }>): void {
    const first = tracked[0];
    if (!first) return;
    const firstUnit = first.state.firstUnit(first.window);
    const lastUnit = first.state.cursor ?? firstUnit - 1;
    if (lastUnit < firstUnit) return;
    const fromMinute = firstUnit * unitMin;
    const toMinute = (lastUnit + 1) * unitMin;
    const bySlo = new Map<string, { state: SloState; windows: TrackedWindow[] }>();
    for (const { state, window } of tracked) {
      const entry = bySlo.get(state.def.name) ?? { state, windows: [] };
      entry.windows.push(window);
      bySlo.set(state.def.name, entry);
    }
    const occurrences = [...bySlo.values()].some((e) => e.state.def.budgeting.method === 'occurrences');
    const timeslices = [...bySlo.values()].some((e) => e.state.def.budgeting.method === 'timeslices');
    if (occurrences) {
      for (const row of this.store.sums(fromMinute, toMinute)) {
        const entry = this.entryOf(row, bySlo);
        if (entry?.state.def.budgeting.method !== 'occurrences') continue;
        const series = this.store.series(row.seriesId) as Series;
        for (const group of entry.state.groupsOf(series)) {
          for (const window of entry.windows) entry.state.addToWindow(group, window, row.good, row.total);
        }
      }
    }
    if (!timeslices) return;
    // Rows come in minute order, so each unit is complete when the next one starts.
    let currentUnit: number | null = null;
    let pending = new Map<string, BucketRow[]>();
    const flush = () => {
      for (const [slo, rows] of pending) {
        const entry = bySlo.get(slo) as { state: SloState; windows: TrackedWindow[] };
        for (const [group, counts] of this.groupCounts(entry.state, rows)) {
          for (const window of entry.windows) entry.state.applyUnit(group, currentUnit as number, counts, 1, window);
        }
      }
      pending = new Map();
    };
    // Only the timeslice SLOs' own series: read through the series index, not every series' hours.
    const only = new Set(this.store.allSeries().filter((s) => bySlo.get(s.slo)?.state.def.budgeting.method === 'timeslices').map((s) => s.id));
    this.store.eachRow(fromMinute, toMinute, (row) => {
      const entry = this.entryOf(row, bySlo);
      if (entry?.state.def.budgeting.method !== 'timeslices') return;
      const unit = Math.floor(row.minute / unitMin);
      if (unit !== currentUnit) {
        flush();
        currentUnit = unit;
      }
      const list = pending.get(entry.state.def.name) ?? [];
      list.push(row);
      pending.set(entry.state.def.name, list);
    }, only);
    flush();
  }

  private entryOf<T>(row: { seriesId: number }, bySlo: ReadonlyMap<string, T>): T | undefined {
    const series = this.store.series(row.seriesId);
    return series ? bySlo.get(series.slo) : undefined;
  }

  /** Late or current data for units already inside the windows. */
  private applyChanges(changes: readonly BucketChange[]): void {
    if (this.lastAt === null) return;
    const touched = new Map<SloState, Map<number, BucketRow[]>>();
    for (const change of changes) {
      const series = this.store.series(change.seriesId);
      const state = series && this.states.get(series.slo);
      if (!state || state.cursor === null) continue;
      const unit = Math.floor(change.minute / state.unitMin);
      if (unit > state.cursor) continue;
      const units = touched.get(state) ?? new Map<number, BucketRow[]>();
      const list = units.get(unit) ?? [];
      list.push({ ...change });
      units.set(unit, list);
      touched.set(state, units);
    }
    for (const [state, units] of touched) {
      for (const [unit, deltas] of units) {
        if (state.def.budgeting.method === 'occurrences') {
          for (const [group, counts] of this.groupCounts(state, deltas)) state.applyUnit(group, unit, counts, 1);
          continue;
        }
        // A timeslice's status depends on its whole content: compare before and after this change.
        const after = this.groupCounts(state, this.readUnit(state.unitMin, unit).get(state.def.name));
        const delta = this.groupCounts(state, deltas);
        // A group the change emptied is absent from `after`: visit every group the change touched too.
        for (const group of new Set([...after.keys(), ...delta.keys()])) {
          const now = after.get(group) ?? { good: 0, total: 0 };
          const d = delta.get(group) ?? { good: 0, total: 0 };
          state.changeUnit(group, unit, { good: now.good - d.good, total: now.total - d.total }, now);
        }
      }
    }
  }

  /** Rows of one unit, grouped by SLO name. */
  private readUnit(unitMin: number, unit: number): Map<string, BucketRow[]> {
    const bySlo = new Map<string, BucketRow[]>();
    for (const row of this.store.rows(unit * unitMin, (unit + 1) * unitMin)) {
      const series = this.store.series(row.seriesId);
      if (!series) continue;
      const list = bySlo.get(series.slo) ?? [];
      list.push(row);
      bySlo.set(series.slo, list);
    }
    return bySlo;
  }

  /** Sums rows into each group they belong to. */
  private groupCounts(state: SloState, rows: readonly BucketRow[] | undefined): Map<number, Counts> {
    const counts = new Map<number, Counts>();
    for (const row of rows ?? []) {
      const series = this.seriesOf(row, state);
      if (!series) continue;
      for (const group of state.groupsOf(series)) {
        const c = counts.get(group);
        if (c) {
          c.good += row.good;
          c.total += row.total;
        } else counts.set(group, { good: row.good, total: row.total });
      }
    }
    return counts;
  }

  private seriesOf(row: { seriesId: number }, state: SloState): Series | null {
    const series = this.store.series(row.seriesId);
    return series && series.slo === state.def.name ? series : null;
  }
}
