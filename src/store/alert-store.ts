// The history of SLO alerts: when each started and stopped firing, and whether people were told.
import { z } from 'zod';
import type { FiringAlert, OpenAlert } from '../slo/alert-transitions.js';
import type { Db } from './database.js';

export interface AlertEvent extends OpenAlert {
  endedAt: number | null;
  windows: string[];
}

interface Row {
  id: number;
  slo: string;
  region: string;
  severity: string;
  startedAt: number;
  endedAt: number | null;
  notified: number;
  windows: string;
}

const windowsJson = z.array(z.string());
const COLUMNS = 'id, slo, region, severity, started_at AS startedAt, ended_at AS endedAt, notified, windows';

function fromRow(row: Row): AlertEvent {
  return { ...row, region: row.region === '' ? null : row.region, notified: row.notified === 1, windows: windowsJson.parse(JSON.parse(row.windows)) };
}

export class AlertStore {
  constructor(private readonly db: Db) {}

  open(): AlertEvent[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM alert_events WHERE ended_at IS NULL ORDER BY id`).all() as Row[]).map(fromRow);
  }

  start(alert: FiringAlert, at: number, notified: boolean): number {
    const info = this.db
      .prepare('INSERT INTO alert_events (slo, region, severity, started_at, notified, windows) VALUES (?, ?, ?, ?, ?, ?)')
      .run(alert.slo, alert.region ?? '', alert.severity, at, notified ? 1 : 0, JSON.stringify(alert.windows));
    return Number(info.lastInsertRowid);
  }

  markNotified(id: number): void {
    this.db.prepare('UPDATE alert_events SET notified = 1 WHERE id = ?').run(id);
  }

  end(id: number, at: number): void {
    this.db.prepare('UPDATE alert_events SET ended_at = ? WHERE id = ?').run(at, id);
  }

  /** Alerts of an SLO (every SLO when null) that overlap [from, to), oldest first. */
  history(slo: string | null, from: number, to: number): AlertEvent[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM alert_events WHERE (? IS NULL OR slo = ?) AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, id`)
      .all(slo, slo, to, from) as Row[];
    return rows.map(fromRow);
  }
}
