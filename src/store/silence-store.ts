// Alert silences, kept with who made and who ended them; making and ending one is audited in the same
// transaction.
import { AuditLog } from './audit-log.js';
import type { Db } from './database.js';

export interface Silence {
  id: number;
  slo: string;
  /** A target region, or null for the SLO's alerts everywhere. */
  region: string | null;
  /** page or ticket, or null for both. */
  severity: string | null;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  onBehalfOf: string | null;
  endedAt: number | null;
  endedBy: string | null;
}

export type SilenceDraft = Omit<Silence, 'id' | 'endedAt' | 'endedBy'>;

const COLUMNS = `id, slo, region, severity, starts_at AS startsAt, ends_at AS endsAt, reason, created_by AS createdBy,
  on_behalf_of AS onBehalfOf, ended_at AS endedAt, ended_by AS endedBy`;

function scope(s: { slo: string; region: string | null; severity: string | null }): string {
  return `${s.slo}${s.region ? ` in ${s.region}` : ''}${s.severity ? ` (${s.severity} alerts)` : ''}`;
}

export class SilenceStore {
  private readonly audit: AuditLog;

  constructor(private readonly db: Db) {
    this.audit = new AuditLog(db);
  }

  create(draft: SilenceDraft): Silence {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO silences (slo, region, severity, starts_at, ends_at, reason, created_by, on_behalf_of)
           VALUES (@slo, @region, @severity, @startsAt, @endsAt, @reason, @createdBy, @onBehalfOf)`,
        )
        .run(draft);
      const id = Number(info.lastInsertRowid);
      this.audit.append({
        ts: draft.startsAt,
        actor: draft.createdBy,
        onBehalfOf: draft.onBehalfOf,
        action: 'silence',
        region: draft.region,
        outcome: 'executed',
        rule: null,
        reason: `silence #${id} of ${scope(draft)} until ${new Date(draft.endsAt).toISOString()}: ${draft.reason}`,
        forced: false,
        before: null,
        after: null,
      });
      return { ...draft, id, endedAt: null, endedBy: null };
    })();
  }

  get(id: number): Silence | null {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM silences WHERE id = ?`).get(id) as Silence | undefined) ?? null;
  }

  /** Silences in effect at `now`, soonest to end first. */
  active(now: number): Silence[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM silences WHERE ended_at IS NULL AND starts_at <= ? AND ends_at > ? ORDER BY ends_at, id`).all(now, now) as Silence[];
  }

  /** Ends a silence early; false when it had already ended. */
  end(silence: Silence, by: { actor: string; onBehalfOf: string | null }, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE silences SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL AND ends_at > ?').run(now, by.actor, silence.id, now).changes > 0;
      if (changed) {
        this.audit.append({
          ts: now,
          actor: by.actor,
          onBehalfOf: by.onBehalfOf,
          action: 'unsilence',
          region: silence.region,
          outcome: 'executed',
          rule: null,
          reason: `ended silence #${silence.id} of ${scope(silence)}`,
          forced: false,
          before: null,
          after: null,
        });
      }
      return changed;
    })();
  }
}
