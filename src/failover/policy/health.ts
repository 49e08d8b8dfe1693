// Which regions are failing, judged from several vantages: a region fails when its trigger alert fires
// from at least `quorum` vantages. A vantage that sees every region failing is itself the problem
// (isolated) and does not count; when every vantage sees every region failing, nothing is failing
// as far as draining is concerned (fail open) and the situation is reported as global.

export interface RegionHealth {
  failing: Set<string>;
  /** Vantages that see every target region failing. */
  isolated: Set<string>;
  /** Every target region looks failing from every vantage that has data. */
  global: boolean;
  /** For messages: which counted vantages saw each failing region. */
  seenBy: Record<string, string[]>;
}

export function assessRegions(
  regions: readonly string[],
  firing: Record<string, Record<string, boolean>>,
  quorum: number,
): RegionHealth {
  const vantages = [...new Set(regions.flatMap((r) => Object.keys(firing[r] ?? {})))].sort();
  const fires = (region: string, vantage: string) => firing[region]?.[vantage] === true;
  const isolated = new Set(vantages.filter((v) => regions.length > 0 && regions.every((r) => fires(r, v))));
  const global = vantages.length > 0 && isolated.size === vantages.length;
  const failing = new Set<string>();
  const seenBy: Record<string, string[]> = {};
  if (!global) {
    for (const region of regions) {
      const counted = vantages.filter((v) => !isolated.has(v) && fires(region, v));
      if (counted.length >= quorum) {
        failing.add(region);
        seenBy[region] = counted;
      }
    }
  }
  return { failing, isolated, global, seenBy };
}
