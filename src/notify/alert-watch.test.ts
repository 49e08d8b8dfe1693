import { describe, expect, it } from 'vitest';
import type { AlertStatus, SloStatus, WindowStatus } from '../slo/evaluate.js';
import type { SloReport } from '../slo/report-format.js';
import type { SilenceScope } from '../slo/silences.js';
import { AlertStore } from '../store/alert-store.js';
import { openDatabase } from '../store/database.js';
import { AlertWatch } from './alert-watch.js';
import type { Notice } from './notice.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');

function status(firing: Array<{ severity: 'page' | 'ticket'; long: string; short: string }>): WindowStatus {
  const alerts: AlertStatus[] = [
    { severity: 'page', long: '1h', short: '5m', threshold: 14.4, firing: firing.some((f) => f.long === '1h') },
    { severity: 'ticket', long: '3d', short: '6h', threshold: 1, firing: firing.some((f) => f.long === '3d') },
  ];
  return { objective: 0.999, window: '28d', good: 0, total: 0, sli: null, errorBudget: { consumed: 0, remaining: 1 }, burnRates: { '1h': 20, '5m': 30, '3d': 1.5, '6h': 2 }, alerts };
}

function report(at: number, euFiring: boolean): SloReport {
  const page = euFiring ? [{ severity: 'page' as const, long: '1h', short: '5m' }] : [];
  const slo: SloStatus = { name: 'api', squad: 'core', ...status(page), regions: { 'eu-west1': status(page), 'us-central1': status([]) } };
  return { at: new Date(at).toISOString(), slos: [slo] };
}

function watch(store: AlertStore, silences: SilenceScope[] = []) {
  const heard: Notice[] = [];
  const alerts = new AlertWatch({ store, notices: { announce: (n) => heard.push(...n) }, silences: (at) => silences.filter((s) => s.endsAt > at), runbookOf: () => 'runbooks/api.md' });
  return { alerts, heard };
}

describe('SLO alerts reaching people', () => {
  it('tells a region’s alert once when it starts firing and once when it stops, and remembers across a restart', () => {
    const db = openDatabase(':memory:');
    const store = new AlertStore(db);
    const first = watch(store);
    first.alerts.afterEvaluation(report(T0, true));
    first.alerts.afterEvaluation(report(T0 + 10_000, true));
    expect(first.heard).toEqual([
      { event: 'alert_firing', slo: 'api', squad: 'core', region: 'eu-west1', severity: 'page', windows: ['1h/5m'], burnRates: { '1h': 20, '5m': 30 }, runbook: 'runbooks/api.md', at: '2026-12-01T12:00:00.000Z' },
    ]);
    // A restarted server does not tell it again; it does tell the end.
    const second = watch(store);
    second.alerts.afterEvaluation(report(T0 + 20_000, true));
    second.alerts.afterEvaluation(report(T0 + 30_000, false));
    expect(second.heard).toMatchObject([{ event: 'alert_resolved', slo: 'api', region: 'eu-west1', severity: 'page', windows: ['1h/5m'] }]);
    expect(store.history('api', T0, T0 + 60_000)).toMatchObject([{ region: 'eu-west1', severity: 'page', startedAt: T0, endedAt: T0 + 30_000, notified: true }]);
    db.close();
  });

  it('holds the notice back while a silence covers the alert, and tells it when the silence ends and it still fires', () => {
    const db = openDatabase(':memory:');
    const store = new AlertStore(db);
    const silence: SilenceScope = { id: 1, slo: 'api', region: 'eu-west1', severity: null, endsAt: T0 + 60_000, createdBy: 'core-bot' };
    const { alerts, heard } = watch(store, [silence]);
    alerts.afterEvaluation(report(T0, true));
    alerts.afterEvaluation(report(T0 + 50_000, true));
    expect(heard).toEqual([]);
    alerts.afterEvaluation(report(T0 + 60_000, true));
    expect(heard.map((n) => n.event)).toEqual(['alert_firing']);
    db.close();
  });

  it('an alert that fired and stopped under a silence is never told at all', () => {
    const db = openDatabase(':memory:');
    const { alerts, heard } = watch(new AlertStore(db), [{ id: 1, slo: 'api', region: null, severity: 'page', endsAt: T0 + 3_600_000, createdBy: 'x' }]);
    alerts.afterEvaluation(report(T0, true));
    alerts.afterEvaluation(report(T0 + 10_000, false));
    expect(heard).toEqual([]);
    db.close();
  });
});
