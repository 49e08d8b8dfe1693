import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BucketStore } from './bucket-store.js';
import { openDatabase } from './database.js';
import { MIGRATIONS } from './migrations.js';

const M0 = Date.parse('2026-11-30T23:00:00Z') / 60_000;

describe('migrating a store of minute rows (schema 8) to packed hours', () => {
  it('keeps every minute, series id, batch id and sum, and drops the old table', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-migrate-'));
    const old = openDatabase(dir, MIGRATIONS.filter((m) => m.version <= 8));
    const insertSeries = old.prepare('INSERT INTO series (id, slo, target_region, vantage) VALUES (?, ?, ?, ?)');
    const insertBucket = old.prepare('INSERT INTO buckets (minute, series_id, good, total) VALUES (?, ?, ?, ?)');
    const rows: Array<{ seriesId: number; minute: number; good: number; total: number }> = [];
    old.transaction(() => {
      insertSeries.run(3, 'api', 'eu', 'us');
      insertSeries.run(7, 'api', 'us', 'us');
      insertSeries.run(9, 'web', 'eu', '');
      // Two days across midnight, with gaps, a 0/0 row as the old store could hold, and a count past 2^32.
      for (let i = 0; i < 2 * 1440; i += 1 + (i % 7)) {
        for (const seriesId of [3, 7, 9]) {
          if ((i + seriesId) % 5 === 0) continue;
          const total = seriesId === 9 && i === 100 ? 2 ** 40 : (i * seriesId) % 97;
          const good = total - (i % 11 === 0 ? Math.min(total, 3) : 0);
          insertBucket.run(M0 + i, seriesId, good, total);
          if (total > 0) rows.push({ seriesId, minute: M0 + i, good, total });
        }
      }
      old.prepare("INSERT INTO ingested_batches (id, received_at, events) VALUES ('batch-1', ?, 10)").run(Date.now());
    })();
    old.close();

    const db = openDatabase(dir);
    const store = new BucketStore(db);
    rows.sort((a, b) => a.minute - b.minute || a.seriesId - b.seriesId);
    expect(store.rows(M0 - 60, M0 + 3 * 1440)).toEqual(rows);
    expect(store.allSeries().map((s) => s.id).sort()).toEqual([3, 7, 9]);
    const total = rows.reduce((sum, r) => sum + r.total, 0);
    expect(store.sums(M0 - 1440, M0 + 3 * 1440).reduce((sum, r) => sum + r.total, 0)).toBe(total);
    expect(store.add([{ slo: 'api', targetRegion: 'eu', vantage: 'us', ts: M0 * 60_000, good: 1, total: 1 }], 'batch-1').applied).toBe(false);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('buckets', 'buckets_by_series')").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: MIGRATIONS.at(-1)?.version });
    db.close();
  });

  it('leaves the old store as it was when the move fails midway', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-migrate-'));
    const old = openDatabase(dir, MIGRATIONS.filter((m) => m.version <= 8));
    old.prepare("INSERT INTO series (id, slo, target_region, vantage) VALUES (1, 'api', 'eu', 'us')").run();
    old.prepare('INSERT INTO buckets (minute, series_id, good, total) VALUES (?, 1, 1, 2)').run(M0);
    old.close();
    // A row no packed hour can hold (a fraction) stands in for any failure during the move.
    const raw = new Database(path.join(dir, 'vigil.db'));
    raw.prepare('INSERT INTO buckets (minute, series_id, good, total) VALUES (?, 1, 0.5, 2)').run(M0 + 1);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(/whole numbers/);
    const after = new Database(path.join(dir, 'vigil.db'), { readonly: true });
    expect(after.prepare('SELECT COUNT(*) AS n FROM buckets').get()).toEqual({ n: 2 });
    expect(after.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 8 });
    after.close();
  });
});
