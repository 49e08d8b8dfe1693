// Timeline events of a simulation, and the alert transitions per (SLO, target region, vantage) that go in it.
import type { SloEngine } from '../../slo/engine/engine.js';
import type { SloDefinition } from '../../slo/model.js';
import type { Weights } from '../providers/provider.js';

export type SimulationEvent =
  | {
      t: string;
      type: 'alert_firing' | 'alert_resolved';
      slo: string;
      targetRegion: string;
      vantage: string;
      severity: string;
      long: string;
      short: string;
    }
  | { t: string; type: 'decision'; action: string; region: string | null; outcome: string; rule: string | null; reason: string }
  | { t: string; type: 'weights'; weights: Weights }
  | { t: string; type: 'drill'; drill: string; run: string; state: string; reason: string | null };

export class AlertTracker {
  private readonly firing = new Set<string>();

  constructor(
    private readonly slos: readonly SloDefinition[],
    private readonly severity: string,
  ) {}

  /** Alerts of the trigger severity that started or stopped firing since the last call. */
  update(engine: SloEngine, t: string): SimulationEvent[] {
    const events: SimulationEvent[] = [];
    for (const slo of this.slos) {
      for (const { key, targetRegion, vantage } of engine.vantagePairs(slo.name)) {
        for (const alert of engine.groupStatus(slo.name, key)?.alerts ?? []) {
          if (alert.severity !== this.severity) continue;
          const id = [slo.name, targetRegion, vantage, alert.long, alert.short].join('\u0000');
          if (alert.firing === this.firing.has(id)) continue;
          if (alert.firing) this.firing.add(id);
          else this.firing.delete(id);
          const { severity, long, short } = alert;
          events.push({ t, type: alert.firing ? 'alert_firing' : 'alert_resolved', slo: slo.name, targetRegion, vantage, severity, long, short });
        }
      }
    }
    return events;
  }
}
