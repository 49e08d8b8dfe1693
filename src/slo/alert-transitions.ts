// Which SLO alerts fire in a report (per SLO, target region and severity; the whole SLO only when it has no
// regions), and how that changed from the alerts already open: new ones, ones a silence no longer holds
// back, ones that stopped. Pure; the alert log stores the result and tells people.
import type { WindowStatus } from './evaluate.js';
import type { SloReport } from './report-format.js';

export interface FiringAlert {
  slo: string;
  squad: string;
  /** The target region, or null for an SLO without regions. */
  region: string | null;
  severity: string;
  /** The alert windows of that severity that fire, as "1h/5m". */
  windows: string[];
  /** The burn rates over those windows. */
  burnRates: Record<string, number>;
}

export interface OpenAlert {
  id: number;
  slo: string;
  region: string | null;
  severity: string;
  startedAt: number;
  notified: boolean;
}

const keyOf = (a: { slo: string; region: string | null; severity: string }) => `${a.slo}\u0000${a.region ?? ''}\u0000${a.severity}`;

function firingIn(slo: { name: string; squad: string }, region: string | null, status: WindowStatus): FiringAlert[] {
  const bySeverity = new Map<string, FiringAlert>();
  for (const alert of status.alerts) {
    if (!alert.firing) continue;
    const entry = bySeverity.get(alert.severity) ?? { slo: slo.name, squad: slo.squad, region, severity: alert.severity, windows: [], burnRates: {} };
    entry.windows.push(`${alert.long}/${alert.short}`);
    for (const window of [alert.long, alert.short]) {
      const rate = status.burnRates[window];
      if (rate !== undefined) entry.burnRates[window] = Math.round(rate * 100) / 100;
    }
    bySeverity.set(alert.severity, entry);
  }
  return [...bySeverity.values()];
}

export function firingAlerts(report: SloReport): FiringAlert[] {
  return report.slos.flatMap((slo) => {
    const regions = Object.entries(slo.regions);
    if (regions.length === 0) return firingIn(slo, null, slo);
    return regions.flatMap(([region, status]) => firingIn(slo, region, status));
  });
}

export interface AlertTransitions<Open extends OpenAlert> {
  /** Started firing; `notify` is false while a silence covers it. */
  started: Array<{ alert: FiringAlert; notify: boolean }>;
  /** Open and firing, held back by a silence that has since ended: notify now. */
  released: Array<{ open: Open; alert: FiringAlert }>;
  /** Stopped firing. */
  stopped: Array<{ open: Open }>;
}

export function alertTransitions<Open extends OpenAlert>(open: readonly Open[], firing: readonly FiringAlert[], silenced: (alert: FiringAlert) => boolean): AlertTransitions<Open> {
  const openByKey = new Map(open.map((o) => [keyOf(o), o]));
  const firingByKey = new Map(firing.map((f) => [keyOf(f), f]));
  const transitions: AlertTransitions<Open> = { started: [], released: [], stopped: [] };
  for (const [key, alert] of firingByKey) {
    const existing = openByKey.get(key);
    if (!existing) transitions.started.push({ alert, notify: !silenced(alert) });
    else if (!existing.notified && !silenced(alert)) transitions.released.push({ open: existing, alert });
  }
  for (const [key, existing] of openByKey) if (!firingByKey.has(key)) transitions.stopped.push({ open: existing });
  return transitions;
}
