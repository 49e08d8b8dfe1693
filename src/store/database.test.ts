import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BucketChange, BucketStore } from './bucket-store.js';
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

  it('writes a batch as one change per (series, minute), the sums of its events, and tells listeners exactly those', () => {
    const store = new BucketStore(openDatabase(':memory:'));
    const heard: BucketChange[] = [];
    store.onChange((changes) => heard.push(...changes));
    const t = Date.parse('2026-11-01T10:00:00Z');
    const { changes } = store.add([
      { slo: 'a', targetRegion: 'eu', vantage: '', ts: t + 1_000, good: 1, total: 2 },
      { slo: 'a', targetRegion: 'us', vantage: '', ts: t + 2_000, good: 5, total: 5 },
      { slo: 'a', targetRegion: 'eu', vantage: '', ts: t + 59_999, good: 3, total: 3 },
      { slo: 'a', targetRegion: 'eu', vantage: '', ts: t + 60_000, good: 0, total: 4 },
      { slo: 'a', targetRegion: 'us', vantage: '', ts: t + 30_000, good: 2, total: 2 },
    ]);
    const minute = t / 60_000;
    const [eu, us] = store.allSeries().map((s) => s.id);
    expect(changes).toEqual([
      { seriesId: eu, minute, good: 4, total: 5 },
      { seriesId: us, minute, good: 7, total: 7 },
      { seriesId: eu, minute: minute + 1, good: 0, total: 4 },
    ]);
    expect(heard).toEqual(changes);
    store.add([{ slo: 'a', targetRegion: 'eu', vantage: '', ts: t, good: 1, total: 1 }]);
    expect(store.rows(minute, minute + 2).map(({ seriesId, minute: m, good, total }) => [seriesId, m - minute, good, total])).toEqual([
      [eu, 0, 5, 6],
      [us, 0, 7, 7],
      [eu, 1, 0, 4],
    ]);
  });

  it('rolls back a failed batch entirely, leaving no half-written counts or phantom series', () => {
    const store = new BucketStore(openDatabase(':memory:'));
    const t = Date.parse('2026-11-01T10:00:00Z');
    expect(() =>
      store.add([
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 1, total: 1 },
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 2, total: 1 },
      ]),
    ).toThrow(/bad counts for new: good 2, total 1/);
    expect(store.rows(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(store.allSeries()).toEqual([]);
  });

  it('refuses a bad record even when the others in its bucket would hide it in the sum', () => {
    const store = new BucketStore(openDatabase(':memory:'));
    const t = Date.parse('2026-11-01T10:00:00Z');
    expect(() =>
      store.add([
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 0, total: 5 },
        { slo: 'new', targetRegion: 'eu', vantage: '', ts: t, good: 2, total: 1 },
      ]),
    ).toThrow(/bad counts/);
    expect(store.rows(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
