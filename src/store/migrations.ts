// Versioned schema changes, applied in order, each in its own transaction. Never edit a shipped one: add the next.
import type { Db } from './database.js';
import { packMinuteBuckets } from './pack-minute-buckets.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Data moved between the tables `sql` creates and the ones it retires, in the same transaction. */
  migrate?: (db: Db) => void;
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
  {
    version: 2,
    name: 'failover state, journal and audit log',
    sql: `
      -- The policy's state (one row), saved with each decision so a restart resumes a drain where it was.
      CREATE TABLE failover_state (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        state      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- Every weight change is written here before it is carried out; a restart finishes or rolls back
      -- whatever is still pending.
      CREATE TABLE failover_journal (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  INTEGER NOT NULL,
        before      TEXT NOT NULL,
        after       TEXT NOT NULL,
        prior_state TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rolled_back', 'failed')),
        finished_at INTEGER,
        error       TEXT
      );
      CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        ts      INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        region  TEXT,
        outcome TEXT NOT NULL,
        rule    TEXT,
        reason  TEXT NOT NULL,
        forced  INTEGER NOT NULL DEFAULT 0,
        before  TEXT,
        after   TEXT
      );
      CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 3,
    name: 'batch ids expire',
    sql: `
      -- Batch ids are forgotten after a while (store retention); this finds the old ones without a scan.
      CREATE INDEX ingested_batches_received_at ON ingested_batches (received_at);
    `,
  },
  {
    version: 4,
    name: 'identities: sessions, silences, on-behalf-of in the audit log',
    sql: `
      -- Secrets the server makes for itself on first start (the session cookie signing key).
      CREATE TABLE server_secrets (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- Browser sessions: only the hash of the session id is kept. A session is good while its identity still
      -- has the token it signed in with.
      CREATE TABLE sessions (
        id_sha256    TEXT PRIMARY KEY,
        identity     TEXT NOT NULL,
        token_sha256 TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        ended_at     INTEGER
      );
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      -- Who a command was run for when the caller said so (vigil failover --actor): the actor stays the identity.
      ALTER TABLE audit_log ADD COLUMN on_behalf_of TEXT;
      -- Alert silences: a squad (or an admin) quiets an SLO's alerts for a while; notifications skip them.
      CREATE TABLE silences (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        slo          TEXT NOT NULL,
        region       TEXT,
        severity     TEXT,
        starts_at    INTEGER NOT NULL,
        ends_at      INTEGER NOT NULL,
        reason       TEXT NOT NULL,
        created_by   TEXT NOT NULL,
        on_behalf_of TEXT,
        ended_at     INTEGER,
        ended_by     TEXT
      );
      CREATE INDEX silences_ends_at ON silences (ends_at);
    `,
  },
  {
    version: 5,
    name: 'drill runs and schedules',
    sql: `
      -- Every drill run, whole, as JSON (its timeline grows with it); state and times as columns to find them.
      CREATE TABLE drill_runs (
        id         TEXT PRIMARY KEY,
        drill      TEXT NOT NULL,
        state      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        ended_at   INTEGER,
        run        TEXT NOT NULL
      );
      CREATE INDEX drill_runs_drill ON drill_runs (drill, created_at);
      -- The last cron instant each drill's schedule was handled for, so a restart neither repeats nor forgets one.
      CREATE TABLE drill_schedule (
        drill     TEXT PRIMARY KEY,
        last_fire INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'SLO alert history',
    sql: `
      -- Each time an SLO alert (an SLO, a target region or '' for the whole SLO, a severity) started firing and
      -- when it stopped; notified says whether people were told (a silence holds the notice back).
      CREATE TABLE alert_events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        slo        TEXT NOT NULL,
        region     TEXT NOT NULL,
        severity   TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at   INTEGER,
        notified   INTEGER NOT NULL DEFAULT 0,
        windows    TEXT NOT NULL
      );
      CREATE INDEX alert_events_open ON alert_events (ended_at);
      CREATE INDEX alert_events_slo ON alert_events (slo, started_at);
    `,
  },
  {
    version: 7,
    name: 'minute buckets by series',
    sql: `
      -- One SLO's minutes over a span (its history, a report period) without reading every other series.
      CREATE INDEX buckets_by_series ON buckets (series_id, minute, good, total);
    `,
  },
  {
    version: 8,
    name: 'metric source progress',
    sql: `
      -- How far each ratio SLO's metric source has been read: minutes before complete_before are final, so a
      -- restart resumes (and backfills) from there; the last error and success say how the source is doing.
      -- A different source or query (the SLO was edited) starts over.
      CREATE TABLE source_progress (
        slo             TEXT PRIMARY KEY,
        source          TEXT NOT NULL,
        query           TEXT NOT NULL,
        complete_before INTEGER NOT NULL,
        last_success_at INTEGER,
        last_error      TEXT,
        last_error_at   INTEGER
      );
    `,
  },
  {
    version: 9,
    name: 'packed hours of minute counts',
    sql: `
      -- One row per series and hour: its minutes packed (minute-block.ts) and their sums. 2-3 bytes a series-minute
      -- on disk where a row per minute took ~18. Keyed by hour first: the engine reads "every series at minute m".
      CREATE TABLE blocks (
        hour      INTEGER NOT NULL,
        series_id INTEGER NOT NULL REFERENCES series(id),
        good      INTEGER NOT NULL CHECK (good >= 0),
        total     INTEGER NOT NULL CHECK (total >= good),
        data      BLOB NOT NULL,
        PRIMARY KEY (hour, series_id)
      ) WITHOUT ROWID;
      -- One SLO's hours over a span (its history, a report period).
      CREATE INDEX blocks_by_series ON blocks (series_id, hour);
      -- Sums per series and day, written with every block: a 28-day window is 28 rows a series, not 40,320.
      CREATE TABLE day_sums (
        day       INTEGER NOT NULL,
        series_id INTEGER NOT NULL,
        good      INTEGER NOT NULL,
        total     INTEGER NOT NULL,
        PRIMARY KEY (day, series_id)
      ) WITHOUT ROWID;
    `,
    migrate: packMinuteBuckets,
  },
];
