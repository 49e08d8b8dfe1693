// Marks the alerts of a report that a silence covers: an SLO's alerts everywhere or in one target region,
// of one severity or both. Pure; the report without silences is left as it is.
import type { AlertStatus, SloStatus, WindowStatus } from './evaluate.js';
import type { SloReport } from './report-format.js';

export interface SilenceScope {
  id: number;
  slo: string;
  region: string | null;
  severity: string | null;
  endsAt: number;
  createdBy: string;
}

/** Whether a silence covers an alert of `slo` (in `region`, or the whole SLO when null) of `severity`. */
export function covers(silence: SilenceScope, alert: { slo: string; region: string | null; severity: string }): boolean {
  return silence.slo === alert.slo && (silence.region === null || silence.region === alert.region) && (silence.severity === null || silence.severity === alert.severity);
}

function mark(alerts: readonly AlertStatus[], silences: readonly SilenceScope[]): AlertStatus[] {
  return alerts.map((alert) => {
    const silence = silences.find((s) => s.severity === null || s.severity === alert.severity);
    return silence ? { ...alert, silenced: { id: silence.id, by: silence.createdBy, until: new Date(silence.endsAt).toISOString() } } : alert;
  });
}

function silenceStatus(slo: SloStatus, silences: readonly SilenceScope[]): SloStatus {
  const everywhere = silences.filter((s) => s.region === null);
  const regions: Record<string, WindowStatus> = {};
  for (const [region, status] of Object.entries(slo.regions)) {
    const here = silences.filter((s) => s.region === null || s.region === region);
    regions[region] = here.length === 0 ? status : { ...status, alerts: mark(status.alerts, here) };
  }
  return { ...slo, alerts: everywhere.length === 0 ? slo.alerts : mark(slo.alerts, everywhere), regions };
}

export function withSilences(report: SloReport, silences: readonly SilenceScope[]): SloReport {
  if (silences.length === 0) return report;
  const bySlo = new Map<string, SilenceScope[]>();
  for (const s of silences) bySlo.set(s.slo, [...(bySlo.get(s.slo) ?? []), s]);
  return { ...report, slos: report.slos.map((slo) => (bySlo.has(slo.name) ? silenceStatus(slo, bySlo.get(slo.name) ?? []) : slo)) };
}
