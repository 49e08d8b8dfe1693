// SLO alerts reach people: after every evaluation, an alert (SLO, target region, severity) that started
// firing is told once as alert_firing and once as alert_resolved when it stops, de-duplicated across
// restarts by the alert history in the store. A silence holds the firing notice back while it lasts;
// an alert still firing when the silence ends is told then.
import { alertTransitions, type FiringAlert, firingAlerts } from '../slo/alert-transitions.js';
import type { SloReport } from '../slo/report-format.js';
import { covers, type SilenceScope } from '../slo/silences.js';
import type { AlertStore } from '../store/alert-store.js';
import type { AlertNotice, NoticeSink } from './notice.js';

export interface AlertWatchOptions {
  store: AlertStore;
  notices: NoticeSink;
  /** Silences in effect at an instant. */
  silences: (at: number) => readonly SilenceScope[];
  runbookOf: (slo: string) => string | null;
}

export class AlertWatch {
  constructor(private readonly options: AlertWatchOptions) {}

  afterEvaluation(report: SloReport): AlertNotice[] {
    const { store, runbookOf } = this.options;
    const at = Date.parse(report.at);
    const silences = this.options.silences(at);
    const silenced = (alert: FiringAlert) => silences.some((s) => covers(s, alert));
    const transitions = alertTransitions(store.open(), firingAlerts(report), silenced);
    const iso = report.at;
    const notices: AlertNotice[] = [];
    const firingNotice = (alert: FiringAlert): AlertNotice => ({ event: 'alert_firing', ...alert, runbook: runbookOf(alert.slo), at: iso });
    for (const { alert, notify } of transitions.started) {
      store.start(alert, at, notify);
      if (notify) notices.push(firingNotice(alert));
    }
    for (const { open, alert } of transitions.released) {
      store.markNotified(open.id);
      notices.push(firingNotice(alert));
    }
    const squads = new Map(report.slos.map((s) => [s.name, s.squad]));
    for (const { open } of transitions.stopped) {
      store.end(open.id, at);
      if (!open.notified) continue;
      notices.push({
        event: 'alert_resolved',
        slo: open.slo,
        squad: squads.get(open.slo) ?? '',
        region: open.region,
        severity: open.severity,
        windows: open.windows,
        burnRates: {},
        runbook: runbookOf(open.slo),
        at: iso,
      });
    }
    if (notices.length > 0) this.options.notices.announce(notices);
    return notices;
  }
}
