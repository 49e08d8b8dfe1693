// How far each ratio SLO has been read from its metric source, persisted so that a restart backfills
// from where the last run stopped instead of from scratch, and so the API can say how a source is doing.
import type { Db } from './database.js';

export interface SourceProgress {
  slo: string;
  source: string;
  /** What was read (the SLO's selectors and labels): progress made with another query is not this one's. */
  query: string;
  /** Minutes before this one are final at the source and need no re-read. */
  completeBefore: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

const COLUMNS = `slo, source, query, complete_before AS completeBefore, last_success_at AS lastSuccessAt,
  last_error AS lastError, last_error_at AS lastErrorAt`;

export class SourceProgressStore {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsertSuccess;
  private readonly upsertError;

  constructor(db: Db) {
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM source_progress ORDER BY slo`);
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM source_progress WHERE slo = ?`);
    this.upsertSuccess = db.prepare(
      `INSERT INTO source_progress (slo, source, query, complete_before, last_success_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (slo) DO UPDATE SET source = excluded.source, query = excluded.query, complete_before = excluded.complete_before,
         last_success_at = excluded.last_success_at, last_error = NULL, last_error_at = NULL`,
    );
    // A different source or query for the same SLO (its definition changed) starts over: that progress is not ours.
    this.upsertError = db.prepare(
      `INSERT INTO source_progress (slo, source, query, complete_before, last_error, last_error_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (slo) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at,
         complete_before = CASE WHEN source_progress.source = excluded.source AND source_progress.query = excluded.query
           THEN source_progress.complete_before ELSE excluded.complete_before END,
         source = excluded.source, query = excluded.query`,
    );
  }

  all(): SourceProgress[] {
    return this.selectAll.all() as SourceProgress[];
  }

  get(slo: string): SourceProgress | null {
    return (this.selectOne.get(slo) as SourceProgress | undefined) ?? null;
  }

  recordSuccess(slo: string, source: string, query: string, completeBefore: number, at: number): void {
    this.upsertSuccess.run(slo, source, query, completeBefore, at);
  }

  /** Keeps the progress mark (the gap is read again once the source answers); `startMinute` is for a first read. */
  recordError(slo: string, source: string, query: string, startMinute: number, message: string, at: number): void {
    this.upsertError.run(slo, source, query, startMinute, message, at);
  }
}
