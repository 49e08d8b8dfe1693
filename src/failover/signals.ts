// What the policy decides on: per (target region, vantage), whether a trigger SLO's alert of the trigger
// severity fires, read from the engine's per-pair windows after an evaluation.
import type { FailoverConfig } from '../config/kinds/vigil-config.js';
import type { SloEngine } from '../slo/engine/engine.js';

export type Firing = Record<string, Record<string, boolean>>;

export function triggerFiring(engine: SloEngine, failover: FailoverConfig, regions: readonly string[]): Firing {
  const firing: Firing = {};
  const { slos, severity } = failover.triggers;
  for (const slo of slos) {
    for (const { key, targetRegion, vantage } of engine.vantagePairs(slo)) {
      if (!regions.includes(targetRegion) || vantage === '') continue;
      const status = engine.groupStatus(slo, key);
      const fires = status?.alerts.some((a) => a.severity === severity && a.firing) ?? false;
      const byVantage = firing[targetRegion] ?? {};
      byVantage[vantage] = (byVantage[vantage] ?? false) || fires;
      firing[targetRegion] = byVantage;
    }
  }
  return firing;
}
