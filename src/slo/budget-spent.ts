// How much of each SLO's error budget a span of minutes used, per target region: the bad events of those
// minutes (from the minute buckets) over the budget of the SLO's window at the latest evaluation. What a
// drill report says it cost. Timeslice SLOs count slices, not events, and are left out.
import { MINUTE_MS } from '../lib/duration.js';
import type { BucketStore } from '../store/bucket-store.js';
import { toNumber } from './math/rational.js';
import type { SloDefinition } from './model.js';
import type { SloReport } from './report-format.js';

export interface RegionBudgetSpent {
  slo: string;
  region: string;
  percent: number;
}

export function budgetSpent(store: BucketStore, definitions: readonly SloDefinition[], report: SloReport | null, from: number, to: number): RegionBudgetSpent[] {
  if (!report || to <= from) return [];
  const bad = new Map<string, number>();
  for (const row of store.sums(Math.floor(from / MINUTE_MS), Math.floor(to / MINUTE_MS) + 1)) {
    const series = store.series(row.seriesId);
    if (!series || series.targetRegion === '') continue;
    const key = `${series.slo}\u0000${series.targetRegion}`;
    bad.set(key, (bad.get(key) ?? 0) + (row.total - row.good));
  }
  const spent: RegionBudgetSpent[] = [];
  for (const def of definitions) {
    if (def.budgeting.method !== 'occurrences') continue;
    const status = report.slos.find((s) => s.name === def.name);
    for (const [region, window] of Object.entries(status?.regions ?? {})) {
      const allowed = toNumber(def.budget) * window.total;
      if (allowed <= 0) continue;
      const used = bad.get(`${def.name}\u0000${region}`) ?? 0;
      spent.push({ slo: def.name, region, percent: Math.round((used / allowed) * 100 * 10_000) / 10_000 });
    }
  }
  return spent;
}
