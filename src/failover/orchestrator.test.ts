import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { vigilConfigSchema } from '../config/kinds/vigil-config.js';
import { ManualClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { type Db, openDatabase } from '../store/database.js';
import { FailoverStore } from '../store/failover-store.js';
import { Orchestrator } from './orchestrator.js';
import { initialState, type PolicyConfig } from './policy/types.js';
import { FileProvider } from './providers/file/file.js';
import type { WeightProvider, Weights } from './providers/provider.js';
import type { Firing } from './signals.js';

const MIN = 60_000;
const spec = vigilConfigSchema.parse({
  apiVersion: 'vigil/v1',
  kind: 'Config',
  spec: {
    regions: { eu: { weight: 100, capacity: 60 }, us: { weight: 100, capacity: 60 }, asia: { weight: 100, capacity: 50 } },
    failover: {
      mode: 'auto',
      triggers: { slos: ['api'], quorum: 2 },
      steps: [{ weightPercent: 50, bake: '2m' }, { weightPercent: 0 }],
    },
  },
}).spec;
const config: PolicyConfig = { regions: spec.regions, failover: spec.failover as NonNullable<typeof spec.failover> };
const FULL = { eu: 100, us: 100, asia: 100 };
const euDown: Firing = { eu: { us: true, asia: true }, us: { eu: false, asia: false }, asia: { eu: false, us: false } };

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

/** A provider over another that can be told to fail its next N applies, or to stop halfway through one. */
class FaultyProvider implements WeightProvider {
  readonly kind = 'faulty';
  failures = 0;
  /** How many of the next applies stop halfway. */
  partial = 0;
  /** How many of the next applies never settle, whatever their signal says. */
  hangs = 0;
  applies: Weights[] = [];
  constructor(private readonly inner: WeightProvider) {}
  read(signal: AbortSignal) {
    return this.inner.read(signal);
  }
  async apply(weights: Weights, signal: AbortSignal) {
    this.applies.push(weights);
    if (this.hangs > 0) {
      this.hangs--;
      return new Promise<void>(() => {});
    }
    if (this.failures > 0) {
      this.failures--;
      throw new Error('provider unavailable');
    }
    if (this.partial > 0) {
      this.partial--;
      const current = await this.inner.read(signal);
      // Cut off midway: the provider is left neither at the old weights nor at the new ones.
      await this.inner.apply({ ...current, eu: ((current.eu ?? 0) + (weights.eu ?? 0)) / 2 }, signal);
      throw new Error('connection lost midway');
    }
    await this.inner.apply(weights, signal);
  }
  close() {
    return this.inner.close();
  }
}

function setup(dir = mkdtempSync(path.join(tmpdir(), 'vigil-orch-'))) {
  const db = openDatabase(dir);
  dbs.push(db);
  const clock = new ManualClock(Date.parse('2026-11-01T00:00:00Z'));
  const file: WeightProvider = new FileProvider({ kind: 'file', path: 'weights.json' }, { regions: config.regions, root: dir, logger: silentLogger() });
  const provider = new FaultyProvider(file);
  const store = new FailoverStore(db);
  const orchestrator = new Orchestrator({ config, provider, store, clock, logger: silentLogger(), retry: { attempts: 3, minTimeoutMs: 1, callTimeoutMs: 1000 } });
  return { dir, db, clock, file, provider, store, orchestrator };
}

const signal = () => AbortSignal.timeout(1000);

describe('failover orchestrator', () => {
  it('journals, applies and audits each step of a drain with before/after weights', async () => {
    const { orchestrator, file, store, clock } = setup();
    expect((await orchestrator.tick(euDown)).applied).toEqual({ eu: 50, us: 100, asia: 100 });
    clock.advance(2 * MIN);
    await orchestrator.tick(euDown);
    expect(await file.read(signal())).toEqual({ eu: 0, us: 100, asia: 100 });
    const audit = store.audit().reverse();
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['drain', 'executed'],
      ['apply', 'executed'],
      ['step', 'executed'],
      ['apply', 'executed'],
    ]);
    expect(audit[0]).toMatchObject({ region: 'eu', actor: 'vigil', before: FULL, after: { eu: 50, us: 100, asia: 100 } });
    expect(store.pending()).toEqual([]);
  });

  it('retries a failing provider with backoff', async () => {
    const { orchestrator, provider, file } = setup();
    provider.failures = 2;
    expect((await orchestrator.tick(euDown)).applied).toEqual({ eu: 50, us: 100, asia: 100 });
    expect(provider.applies).toHaveLength(3);
    expect(await file.read(signal())).toEqual({ eu: 50, us: 100, asia: 100 });
  });

  it('undoes the decision when the provider keeps failing, and decides again next time', async () => {
    const { orchestrator, provider, file, store, clock } = setup();
    provider.failures = 3;
    expect((await orchestrator.tick(euDown)).applied).toBeNull();
    expect(await file.read(signal())).toEqual(FULL);
    expect(orchestrator.status().state.regions.eu).toEqual({ phase: 'serving' });
    expect(store.audit(1)[0]).toMatchObject({ action: 'apply', outcome: 'failed' });
    clock.advance(10_000);
    expect((await orchestrator.tick(euDown)).applied).toEqual({ eu: 50, us: 100, asia: 100 });
  });

  it('after a crash before the provider call, rolls the pending change back', async () => {
    const first = setup();
    // What a crash between writing the journal and calling the provider leaves behind.
    const prior = initialState(Object.keys(config.regions));
    const drained = { ...prior, regions: { ...prior.regions, eu: { phase: 'drained' as const, since: 0, origin: 'manual' as const } }, lastActionAt: 0 };
    first.store.record(JSON.stringify(drained), [], { before: FULL, after: { eu: 0, us: 100, asia: 100 }, priorState: JSON.stringify(prior) }, 0);
    first.db.close();
    const second = setup(first.dir);
    expect(second.orchestrator.status().state.regions.eu).toMatchObject({ phase: 'drained' });
    await second.orchestrator.recover();
    expect(second.orchestrator.status().state.regions.eu).toEqual({ phase: 'serving' });
    expect(await second.file.read(signal())).toEqual(FULL);
    expect(second.store.pending()).toEqual([]);
    expect(second.store.audit(1)[0]).toMatchObject({ action: 'recover', reason: expect.stringContaining('rolled back') });
  });

  it('after a crash after the provider call, keeps the change and closes the journal entry', async () => {
    const first = setup();
    const prior = initialState(Object.keys(config.regions));
    const after = { eu: 0, us: 100, asia: 100 };
    const drained = { ...prior, regions: { ...prior.regions, eu: { phase: 'drained' as const, since: 0, origin: 'manual' as const } } };
    first.store.record(JSON.stringify(drained), [], { before: FULL, after, priorState: JSON.stringify(prior) }, 0);
    await first.file.apply(after, signal());
    first.db.close();
    const second = setup(first.dir);
    await second.orchestrator.recover();
    expect(second.orchestrator.status().state.regions.eu).toMatchObject({ phase: 'drained' });
    expect(await second.file.read(signal())).toEqual(after);
    expect(second.store.audit(1)[0]).toMatchObject({ action: 'recover', reason: expect.stringContaining('had been applied') });
  });

  it('puts a half-applied change back where it was', async () => {
    const { orchestrator, provider, file, store } = setup();
    provider.partial = 3; // every attempt of the tick
    expect((await orchestrator.tick(euDown)).applied).toBeNull();
    expect(await file.read(signal())).toEqual(FULL);
    expect(store.pending()).toEqual([]);
  });

  it('resumes a drain after a restart where it left off', async () => {
    const first = setup();
    await first.orchestrator.tick(euDown);
    first.db.close();
    const second = setup(first.dir);
    second.clock.set(first.clock.now() + 2 * MIN);
    await second.orchestrator.recover();
    expect((await second.orchestrator.tick(euDown)).applied).toEqual({ eu: 0, us: 100, asia: 100 });
  });

  it('gives up on a provider call that never returns after the call timeout, even if the provider ignores its signal', async () => {
    const { orchestrator, provider, file, store } = setup();
    provider.hangs = 1;
    const outcome = await orchestrator.tick(euDown);
    // The hung first attempt was abandoned after 1 s; the retry went through.
    expect(provider.applies).toHaveLength(2);
    expect(outcome.applied).toEqual({ eu: 50, us: 100, asia: 100 });
    expect(await file.read(signal())).toEqual({ eu: 50, us: 100, asia: 100 });
    expect(store.pending()).toEqual([]);
  });

  it('keeps the audit log append-only', () => {
    const { store, db } = setup();
    store.appendAudit({ ts: 1, actor: 'a', onBehalfOf: null, action: 'drain', region: 'eu', outcome: 'executed', rule: null, reason: 'r', forced: false, before: null, after: null });
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });
});
