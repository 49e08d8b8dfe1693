// The append-only audit log (SQLite triggers refuse updates and deletes): every decision, command and provider
// call of the failover orchestrator, and what people do besides (silences, reloads), with the identity that
// did it and, when it said so, whom it acted for.
import { z } from 'zod';
import type { Db } from './database.js';

export type Weights = Record<string, number>;

export interface AuditEntry {
  ts: number;
  actor: string;
  /** Who the actor said it acted for (the CLI's --actor), or null. */
  onBehalfOf: string | null;
  action: string;
  region: string | null;
  outcome: string;
  rule: string | null;
  reason: string;
  forced: boolean;
  before: Weights | null;
  after: Weights | null;
}

const weightsJson = z.record(z.string(), z.number());

export function parseWeights(text: string | null): Weights | null {
  return text === null ? null : weightsJson.parse(JSON.parse(text));
}

/** An audit entry as SQLite returns it: flags as integers, weights as JSON text. */
type AuditRow = Omit<AuditEntry, 'forced' | 'before' | 'after'> & { id: number; forced: number; before: string | null; after: string | null };

const COLUMNS = 'id, ts, actor, on_behalf_of AS onBehalfOf, action, region, outcome, rule, reason, forced, before, after';

export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (ts, actor, on_behalf_of, action, region, outcome, rule, reason, forced, before, after)
       VALUES (@ts, @actor, @onBehalfOf, @action, @region, @outcome, @rule, @reason, @forced, @before, @after)`,
    );
  }

  append(entry: AuditEntry): void {
    this.insert.run({
      ...entry,
      forced: entry.forced ? 1 : 0,
      before: entry.before ? JSON.stringify(entry.before) : null,
      after: entry.after ? JSON.stringify(entry.after) : null,
    });
  }

  /** The newest entries first. */
  newest(limit = 100): Array<AuditEntry & { id: number }> {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?`).all(limit) as AuditRow[];
    return rows.map((r) => ({ ...r, forced: r.forced === 1, before: parseWeights(r.before), after: parseWeights(r.after) }));
  }

  /** Entries in [from, to), oldest first, at most `limit`. */
  between(from: number, to: number, limit = 5000): Array<AuditEntry & { id: number }> {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE ts >= ? AND ts < ? ORDER BY id LIMIT ?`).all(from, to, limit) as AuditRow[];
    return rows.map((r) => ({ ...r, forced: r.forced === 1, before: parseWeights(r.before), after: parseWeights(r.after) }));
  }

  /** Entries whose reason mentions `text` (a drill run's id), oldest first. */
  mentioning(text: string, limit = 200): Array<AuditEntry & { id: number }> {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE reason LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?`).all(pattern, limit) as AuditRow[];
    return rows.map((r) => ({ ...r, forced: r.forced === 1, before: parseWeights(r.before), after: parseWeights(r.after) }));
  }

  /** How many entries there are: the access tests check that a refused request added none. */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  }
}
