// Versioned schema changes, applied in order, each in its own transaction. Never edit a shipped one: add the next.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'minute buckets per series',
    sql: `
      CREATE TABLE series (
        id            INTEGER PRIMARY KEY,
        slo           TEXT NOT NULL,
        target_region TEXT NOT NULL,
        vantage       TEXT NOT NULL,
        UNIQUE (slo, target_region, vantage)
      );
      -- Keyed by minute first: the engine reads "every series at minute m" on each step.
      CREATE TABLE buckets (
        minute    INTEGER NOT NULL,
        series_id INTEGER NOT NULL REFERENCES series(id),
        good      INTEGER NOT NULL CHECK (good >= 0),
        total     INTEGER NOT NULL CHECK (total >= good),
        PRIMARY KEY (minute, series_id)
      ) WITHOUT ROWID;
      -- Batch ids already committed, so a retried delivery is acknowledged without counting twice.
      CREATE TABLE ingested_batches (
        id          TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL,
        events      INTEGER NOT NULL
      );
    `,
  },
];
