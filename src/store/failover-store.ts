// Persistence for the failover orchestrator: the policy state, the journal of weight changes (written
// before a change is carried out) and the append-only audit log, each change in one transaction.
import { type AuditEntry, AuditLog, parseWeights, type Weights } from './audit-log.js';
import type { Db } from './database.js';

export type { AuditEntry, Weights };

export interface JournalEntry {
  id: number;
  createdAt: number;
  before: Weights;
  after: Weights;
  /** The policy state before the decision, restored if the change is rolled back. */
  priorState: string;
  status: 'pending' | 'applied' | 'rolled_back' | 'failed';
}

export class FailoverStore {
  private readonly auditLog: AuditLog;
  private readonly upsertState;

  constructor(private readonly db: Db) {
    this.auditLog = new AuditLog(db);
    this.upsertState = db.prepare(
      'INSERT INTO failover_state (id, state, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    );
  }

  /** The saved policy state as JSON text, or null before the first decision. */
  loadState(): string | null {
    const row = this.db.prepare('SELECT state FROM failover_state WHERE id = 1').get() as { state: string } | undefined;
    return row?.state ?? null;
  }

  /**
   * Saves a decision: the new state, its audit entries and, when weights change, the journal intent —
   * all or nothing. Returns the journal id of the intent.
   */
  record(stateJson: string, audit: readonly AuditEntry[], intent: { before: Weights; after: Weights; priorState: string } | null, now: number): number | null {
    return this.db.transaction(() => {
      this.upsertState.run(stateJson, now);
      for (const entry of audit) this.appendAudit(entry);
      if (!intent) return null;
      const info = this.db
        .prepare("INSERT INTO failover_journal (created_at, before, after, prior_state, status) VALUES (?, ?, ?, ?, 'pending')")
        .run(now, JSON.stringify(intent.before), JSON.stringify(intent.after), intent.priorState);
      return Number(info.lastInsertRowid);
    })();
  }

  /** Closes a journal entry, with an audit entry saying how, and optionally a corrected state. */
  finish(id: number, status: JournalEntry['status'], audit: AuditEntry, now: number, stateJson?: string, error?: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE failover_journal SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(status, now, error ?? null, id);
      if (stateJson !== undefined) this.upsertState.run(stateJson, now);
      this.appendAudit(audit);
    })();
  }

  pending(): JournalEntry[] {
    const rows = this.db
      .prepare("SELECT id, created_at AS createdAt, before, after, prior_state AS priorState, status FROM failover_journal WHERE status = 'pending' ORDER BY id")
      .all() as Array<{ id: number; createdAt: number; before: string; after: string; priorState: string; status: 'pending' }>;
    return rows.map((r) => ({ ...r, before: parseWeights(r.before) ?? {}, after: parseWeights(r.after) ?? {} }));
  }

  appendAudit(entry: AuditEntry): void {
    this.auditLog.append(entry);
  }

  /** The newest audit entries first. */
  audit(limit = 100): Array<AuditEntry & { id: number }> {
    return this.auditLog.newest(limit);
  }
}
