// Good/total sums over any range of units in O(log n): sorted units with prefix sums.
// Used where all data is known up front: `vigil report` over an events file, and as the
// reference the live engine is checked against.
import type { Counts } from './math/budget.js';

export class UnitSeries {
  private constructor(
    private readonly units: Float64Array,
    private readonly goodPrefix: Float64Array,
    private readonly totalPrefix: Float64Array,
  ) {}

  static fromUnits(counts: ReadonlyMap<number, Counts>): UnitSeries {
    const units = Float64Array.from(counts.keys()).sort();
    const goodPrefix = new Float64Array(units.length + 1);
    const totalPrefix = new Float64Array(units.length + 1);
    units.forEach((unit, i) => {
      const c = counts.get(unit) as Counts;
      goodPrefix[i + 1] = (goodPrefix[i] as number) + c.good;
      totalPrefix[i + 1] = (totalPrefix[i] as number) + c.total;
    });
    return new UnitSeries(units, goodPrefix, totalPrefix);
  }

  /**
   * From buckets already in unit order: `units[i]` is the first unit of bucket i, holding `good[i]` and
   * `total[i]` (a bucket may span several units when every window read starts and ends on bucket edges).
   */
  static fromSorted(units: Float64Array, good: Float64Array, total: Float64Array): UnitSeries {
    const goodPrefix = new Float64Array(units.length + 1);
    const totalPrefix = new Float64Array(units.length + 1);
    for (let i = 0; i < units.length; i++) {
      goodPrefix[i + 1] = (goodPrefix[i] as number) + (good[i] as number);
      totalPrefix[i + 1] = (totalPrefix[i] as number) + (total[i] as number);
    }
    return new UnitSeries(units, goodPrefix, totalPrefix);
  }

  /** Sum over units in [first, last], inclusive. */
  sum(first: number, last: number): Counts {
    if (last < first) return { good: 0, total: 0 };
    const from = this.lowerBound(first);
    const to = this.lowerBound(last + 1);
    return {
      good: (this.goodPrefix[to] as number) - (this.goodPrefix[from] as number),
      total: (this.totalPrefix[to] as number) - (this.totalPrefix[from] as number),
    };
  }

  /** Index of the first unit ≥ value. */
  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.units.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.units[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
