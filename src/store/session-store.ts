// Persistence for browser sessions and the server's own secrets. Only SHA-256 digests of session ids are
// stored, so a copy of the sessions table signs no one in.
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface SessionRecord {
  idSha256: string;
  identity: string;
  tokenSha256: string;
  createdAt: number;
  expiresAt: number;
}

/** Ended and expired sessions are kept this long for the record, then dropped. */
const KEEP_ENDED_MS = 24 * 3_600_000;

export class SessionStore {
  constructor(private readonly db: Db) {}

  /** The named secret, created (32 random bytes, base64url) the first time it is asked for. */
  secret(name: string): string {
    const row = this.db.prepare('SELECT value FROM server_secrets WHERE name = ?').get(name) as { value: string } | undefined;
    if (row) return row.value;
    const value = randomBytes(32).toString('base64url');
    this.db.prepare('INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)').run(name, value);
    return (this.db.prepare('SELECT value FROM server_secrets WHERE name = ?').get(name) as { value: string }).value;
  }

  create(session: SessionRecord, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE expires_at < ? OR ended_at < ?').run(now - KEEP_ENDED_MS, now - KEEP_ENDED_MS);
      this.db
        .prepare(
          `INSERT INTO sessions (id_sha256, identity, token_sha256, created_at, expires_at)
           VALUES (@idSha256, @identity, @tokenSha256, @createdAt, @expiresAt)`,
        )
        .run(session);
    })();
  }

  /** A session that has not ended or expired at `now`. */
  live(idSha256: string, now: number): SessionRecord | null {
    const row = this.db
      .prepare(
        `SELECT id_sha256 AS idSha256, identity, token_sha256 AS tokenSha256,
                created_at AS createdAt, expires_at AS expiresAt
         FROM sessions WHERE id_sha256 = ? AND ended_at IS NULL AND expires_at > ?`,
      )
      .get(idSha256, now) as SessionRecord | undefined;
    return row ?? null;
  }

  end(idSha256: string, now: number): boolean {
    return this.db.prepare('UPDATE sessions SET ended_at = ? WHERE id_sha256 = ? AND ended_at IS NULL').run(now, idSha256).changes > 0;
  }
}
