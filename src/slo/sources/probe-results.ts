// Probe results as SLO events: each result of a probe counts once for every SLO whose indicator is that
// probe, per target region and vantage; good = the attempt succeeded within the latency threshold.
import type { ProbeResult } from '../../prober/model.js';
import type { CountRecord } from '../../store/bucket-store.js';
import type { SloDefinition } from '../model.js';

export class ProbeSloIndex {
  private readonly byProbe = new Map<string, Array<{ slo: string; latencyThresholdMs: number | null }>>();

  constructor(slos: readonly SloDefinition[]) {
    for (const slo of slos) {
      if (slo.indicator.kind !== 'probe') continue;
      const list = this.byProbe.get(slo.indicator.probe) ?? [];
      list.push({ slo: slo.name, latencyThresholdMs: slo.indicator.latencyThresholdMs });
      this.byProbe.set(slo.indicator.probe, list);
    }
  }

  /** The SLO events these results make; results of probes no SLO uses make none. */
  counts(results: readonly ProbeResult[]): CountRecord[] {
    const records: CountRecord[] = [];
    for (const result of results) {
      for (const { slo, latencyThresholdMs } of this.byProbe.get(result.probe) ?? []) {
        const fastEnough = latencyThresholdMs === null || result.latencyMs <= latencyThresholdMs;
        records.push({
          slo,
          targetRegion: result.targetRegion,
          vantage: result.vantage,
          ts: result.ts,
          good: result.ok && fastEnough ? 1 : 0,
          total: 1,
        });
      }
    }
    return records;
  }
}
