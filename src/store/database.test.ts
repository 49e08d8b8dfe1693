import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BucketStore } from './bucket-store.js';
import { openDatabase, StoreVersionError } from './database.js';
import { MIGRATIONS } from './migrations.js';

describe('the embedded store', () => {
  it('opens in WAL mode with full fsync and applies migrations once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-db-'));
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
    const again = openDatabase(dir);
    const versions = again.prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    again.close();
  });

  it('refuses a store written by a newer Vigil instead of corrupting it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-db-'));
    const db = openDatabase(dir, [...MIGRATIONS, { version: 99, name: 'future', sql: 'CREATE TABLE future (x)' }]);
    db.close();
    expect(() => openDatabase(dir)).toThrow(StoreVersionError);
  });

  it('adds counts into minute buckets and keeps series ids across reopen', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-db-'));
    const store = new BucketStore(openDatabase(dir));
    const t = Date.parse('2026-11-01T10:00:10Z');
    store.add([
      { slo: 'a', targetRegion: 'eu', vantage: 'us', ts: t, good: 1, total: 2 },
      { slo: 'a', targetRegion: 'eu', vantage: 'us', ts: t + 40_000, good: 3, total: 3 },
      { slo: 'a', targetRegion: 'eu', vantage: 'us', ts: t + 50_000, good: 0, total: 1 },
    ]);
    const minute = Math.floor(t / 60_000);
    expect(store.rows(minute, minute + 2).map(({ minute: m, good, total }) => [m - minute, good, total])).toEqual([
      [0, 4, 5],
      [1, 0, 1],
    ]);
    const reopened = new BucketStore(openDatabase(dir));
    expect(reopened.allSeries()).toEqual(store.allSeries());
  });

  it('rolls back a failed batch entirely, leaving no half-written counts or phantom series', () => {
    const store = new BucketStore(openDatabase(':memory:'));
    const t = Date.parse('2026-11-01T10:00:00Z');
    expect(() =>
      store.add([
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 1, total: 1 },
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 2, total: 1 },
      ]),
    ).toThrow(/CHECK constraint/);
    expect(store.rows(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(store.allSeries()).toEqual([]);
  });
});
