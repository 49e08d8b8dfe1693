import { describe, expect, it } from 'vitest';
import { vigilConfigSchema } from '../config/kinds/vigil-config.js';
import { ManualClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import type { NoticeSink } from '../notify/notice.js';
import { notificationsFor } from '../notify/testing/notify-config.js';
import { Receiver } from '../notify/testing/receiver.js';
import { openDatabase } from '../store/database.js';
import { FailoverStore } from '../store/failover-store.js';
import { FailoverController } from './controller.js';
import { Orchestrator } from './orchestrator.js';
import { initialState, type PolicyConfig } from './policy/types.js';
import type { WeightProvider, Weights } from './providers/provider.js';

const spec = vigilConfigSchema.parse({
  apiVersion: 'vigil/v1',
  kind: 'Config',
  spec: {
    regions: { eu: { weight: 100, capacity: 60 }, us: { weight: 100, capacity: 60 }, asia: { weight: 100, capacity: 50 } },
    failover: { mode: 'auto', triggers: { slos: ['api'], quorum: 2 } },
  },
}).spec;
const config: PolicyConfig = { regions: spec.regions, failover: spec.failover as NonNullable<typeof spec.failover> };
const FULL = { eu: 100, us: 100, asia: 100 };

/** A provider that is down (every call fails), hangs (calls never settle) or works. */
class SwitchableProvider implements WeightProvider {
  readonly kind = 'switchable';
  mode: 'down' | 'hang' | 'up' = 'up';
  weights: Weights = { ...FULL };
  calls = 0;
  private hung: Array<() => void> = [];
  /** Lets the hanging calls go on. */
  release(): void {
    this.mode = 'up';
    for (const resume of this.hung.splice(0)) resume();
  }
  private async gate(): Promise<void> {
    this.calls++;
    if (this.mode === 'down') throw new Error('connection refused');
    if (this.mode === 'hang') await new Promise<void>((resolve) => this.hung.push(resolve));
  }
  async read(): Promise<Weights> {
    await this.gate();
    return { ...this.weights };
  }
  async apply(weights: Weights): Promise<void> {
    await this.gate();
    this.weights = { ...weights };
  }
  async close(): Promise<void> {}
}

function setup(notices?: NoticeSink) {
  const db = openDatabase(':memory:');
  const store = new FailoverStore(db);
  const provider = new SwitchableProvider();
  const clock = new ManualClock(Date.parse('2026-11-01T00:00:00Z'));
  const orchestrator = new Orchestrator({ config, provider, store, clock, logger: silentLogger(), retry: { attempts: 2, minTimeoutMs: 0, callTimeoutMs: 1000 } });
  const rounds = { count: 0 };
  const firing = () => {
    rounds.count++;
    return {};
  };
  const controller = new FailoverController({ orchestrator, store, provider, firing, config, clock, logger: silentLogger(), notices });
  return { db, store, provider, controller, rounds, clock };
}

/** What a crash between journaling a drain of eu and calling the provider leaves in the store. */
function crashedMidDrain(store: FailoverStore): void {
  const prior = initialState(Object.keys(config.regions));
  const drained = { ...prior, regions: { ...prior.regions, eu: { phase: 'drained' as const, since: 0, origin: 'manual' as const } } };
  store.record(JSON.stringify(drained), [], { before: FULL, after: { ...FULL, eu: 0 }, priorState: JSON.stringify(prior) }, 0);
}

describe('failover controller', () => {
  it("reads the provider's weights for the page at most once per 10 s, and says why when it cannot", async () => {
    const { db, provider, controller, clock } = setup();
    provider.weights = { eu: 0, us: 100, asia: 100 };
    expect(await controller.providerWeights()).toEqual({ weights: { eu: 0, us: 100, asia: 100 } });
    clock.advance(9_000);
    await controller.providerWeights();
    expect(provider.calls).toBe(1);
    provider.mode = 'down';
    clock.advance(1_000);
    expect(await controller.providerWeights()).toEqual({ error: 'connection refused' });
    expect(provider.calls).toBe(2);
    db.close();
  });

  it('holds decisions while a pending change cannot be reconciled, audits that once, and resumes when the provider is back', async () => {
    const { db, store, provider, controller } = setup();
    crashedMidDrain(store);
    provider.mode = 'down';
    expect(await controller.start()).toBe(false);
    await controller.round();
    await controller.round();
    const command = await controller.command({ kind: 'drain', region: 'us', actor: 'imoc', reason: 'x', force: false });
    expect(command).toEqual({ kind: 'unavailable', reason: expect.stringContaining('connection refused') });
    expect(controller.status().onHold).toContain('decisions on hold');
    expect(store.audit().filter((e) => e.action === 'recover' && e.outcome === 'failed')).toHaveLength(1);
    expect(store.pending()).toHaveLength(1);

    provider.mode = 'up';
    await controller.round();
    expect(store.pending()).toEqual([]);
    expect(controller.status().onHold).toBeNull();
    expect(controller.status().state.regions.eu).toEqual({ phase: 'serving' });
    expect(provider.weights).toEqual(FULL);
    db.close();
  });

  it('tells the notifiers once that decisions are on hold, however many rounds and commands find the provider down', async () => {
    const receiver = await Receiver.start();
    const { notifications } = notificationsFor(`- { kind: webhook, url: "${receiver.url}/hook" }`);
    const { db, store, provider, controller } = setup(notifications);
    crashedMidDrain(store);
    provider.mode = 'down';
    await controller.start();
    await controller.round();
    await controller.command({ kind: 'drain', region: 'us', actor: 'imoc', reason: 'x', force: false });
    await notifications.close();
    await receiver.close();
    expect(receiver.posts.map((p) => p.body)).toEqual([
      expect.objectContaining({ event: 'failed', region: null, reason: expect.stringMatching(/switchable provider cannot be reconciled .*connection refused.*decisions on hold/) }),
    ]);
    db.close();
  });

  it('skips evaluation rounds while the previous one is still running, so rounds never pile up', async () => {
    const { db, store, provider, controller, rounds } = setup();
    crashedMidDrain(store);
    provider.mode = 'hang';
    controller.afterEvaluation();
    await new Promise((r) => setImmediate(r));
    expect(provider.calls).toBe(1);
    controller.afterEvaluation();
    controller.afterEvaluation();
    provider.release();
    await controller.round();
    // The first round (after the reconcile) and the one awaited here; the two in between were skipped.
    expect(rounds.count).toBe(2);
    expect(store.pending()).toEqual([]);
    db.close();
  });

  it('does not wait forever at shutdown for a hung provider call; the change stays pending for the next start', async () => {
    const { db, store, provider, controller } = setup();
    crashedMidDrain(store);
    provider.mode = 'hang';
    void controller.start();
    await controller.close(50);
    expect(store.pending()).toHaveLength(1);
    db.close();
  });
});
