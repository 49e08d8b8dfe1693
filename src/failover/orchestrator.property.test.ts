// Property test of the orchestrator as the server runs it (FailoverController over Orchestrator, policy,
// store): random configurations and random sequences of signals, IMOC commands (forced or not), clock
// advances, restarts and a provider that fails at random — before, after or halfway through a change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vigilConfigSchema } from '../config/kinds/vigil-config.js';
import { ManualClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { type Db, openDatabase } from '../store/database.js';
import { FailoverStore } from '../store/failover-store.js';
import { FailoverController } from './controller.js';
import { Orchestrator } from './orchestrator.js';
import type { Command, PolicyConfig, PolicyState } from './policy/types.js';
import type { WeightProvider, Weights } from './providers/provider.js';
import type { Firing } from './signals.js';

const REGIONS = ['eu', 'us', 'asia'] as const;
const ATTEMPTS = 3;

/** What the provider does with one call. */
type Fault = 'ok' | 'fail' | 'lost-answer' | 'partial';

interface Write {
  from: Weights;
  to: Weights;
}

/**
 * An in-memory provider that follows a script of faults: `fail` changes nothing, `lost-answer` applies and
 * then errs, `partial` applies the first region's change only, then errs. It never refuses weights, so
 * the test sees whatever the orchestrator asks for.
 */
class ScriptedProvider implements WeightProvider {
  readonly kind = 'scripted';
  weights: Weights;
  requested: Weights[] = [];
  writes: Write[] = [];
  /** Calls that failed `ATTEMPTS` times in a row (the orchestrator gives up on those). */
  exhausted = 0;
  private streak = 0;
  private next = 0;

  constructor(
    initial: Weights,
    private readonly faults: readonly Fault[],
  ) {
    this.weights = { ...initial };
  }

  heal(): void {
    this.next = this.faults.length;
  }

  private fault(): Fault {
    const fault = this.faults[this.next++] ?? 'ok';
    this.streak = fault === 'ok' ? 0 : this.streak + 1;
    if (this.streak >= ATTEMPTS) {
      this.exhausted++;
      this.streak = 0;
    }
    return fault;
  }

  private set(to: Weights): void {
    if (REGIONS.some((r) => to[r] !== this.weights[r])) this.writes.push({ from: this.weights, to: { ...to } });
    this.weights = { ...to };
  }

  async read(): Promise<Weights> {
    if (this.fault() !== 'ok') throw new Error('read failed');
    return { ...this.weights };
  }

  async apply(weights: Weights): Promise<void> {
    this.requested.push({ ...weights });
    const fault = this.fault();
    if (fault === 'fail') throw new Error('apply failed');
    if (fault === 'partial') {
      const first = REGIONS.find((r) => weights[r] !== this.weights[r]);
      if (first) this.set({ ...this.weights, [first]: weights[first] as number });
      throw new Error('connection lost midway');
    }
    this.set(weights);
    if (fault === 'lost-answer') throw new Error('answer lost');
  }

  async close(): Promise<void> {}
}

const configArb = fc.record({
  mode: fc.constantFrom('auto', 'auto', 'manual', 'dry-run'),
  minServingRegions: fc.integer({ min: 1, max: 2 }),
  maxDrainedRegions: fc.integer({ min: 1, max: 2 }),
  cooldown: fc.constantFrom('0s', '5m', '15m'),
  steps: fc.constantFrom(
    [{ weightPercent: 0 }],
    [{ weightPercent: 50, bake: '2m' }, { weightPercent: 0 }],
    [{ weightPercent: 60, bake: '1m' }, { weightPercent: 20, bake: '1m' }, { weightPercent: 0 }],
  ),
  failback: fc.constantFrom({ mode: 'manual' as const }, { mode: 'auto' as const, healthyFor: '10m' }),
});

type ConfigInput = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function policyConfig(input: ConfigInput): PolicyConfig {
  const { mode, steps, failback, ...safety } = input;
  const spec = vigilConfigSchema.parse({
    apiVersion: 'vigil/v1',
    kind: 'Config',
    spec: {
      regions: { eu: { weight: 100, capacity: 60 }, us: { weight: 100, capacity: 60 }, asia: { weight: 80, capacity: 50 } },
      failover: { mode, triggers: { slos: ['api'], quorum: 2 }, safety, steps, failback },
    },
  }).spec;
  if (!spec.failover) throw new Error('no failover in the generated config');
  return { regions: spec.regions, failover: spec.failover };
}

const vantagesArb = fc.subarray([...REGIONS]);
const firingArb: fc.Arbitrary<Firing> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.tuple(vantagesArb, vantagesArb, vantagesArb).map(([eu, us, asia]) => {
      const seen: Record<string, string[]> = { eu, us, asia };
      return Object.fromEntries(REGIONS.map((target) => [target, Object.fromEntries(REGIONS.map((v) => [v, seen[target]?.includes(v) ?? false]))]));
    }),
  },
);

const commandArb = (allowForce: boolean): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('drain' as const, 'restore' as const), region: fc.constantFrom('eu', 'us', 'asia'), force: allowForce ? fc.boolean() : fc.constant(false) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const) }) },
  ).map((c) => ({ ...c, actor: 'imoc-test', reason: 'property test' }) as Command);

type Step =
  | { kind: 'signals'; firing: Firing }
  | { kind: 'round' }
  | { kind: 'command'; command: Command }
  | { kind: 'advance'; ms: number }
  | { kind: 'restart' };

const stepsArb = (allowForce: boolean): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      { weight: 2, arbitrary: firingArb.map((firing): Step => ({ kind: 'signals', firing })) },
      { weight: 5, arbitrary: fc.constant<Step>({ kind: 'round' }) },
      { weight: 2, arbitrary: commandArb(allowForce).map((command): Step => ({ kind: 'command', command })) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 20 * 6 }).map((tens): Step => ({ kind: 'advance', ms: tens * 10_000 })) },
      { weight: 1, arbitrary: fc.constant<Step>({ kind: 'restart' }) },
    ),
    { minLength: 1, maxLength: 40 },
  );

/** Faults come in bursts, long enough at times to outlast the orchestrator's retries (and its clean-up). */
const faultsArb = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 }).map((n) => Array<Fault>(n).fill('ok')) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom<Fault>('fail', 'lost-answer', 'partial'), fc.integer({ min: 1, max: 7 })).map(([f, n]) => Array<Fault>(n).fill(f)) },
    ),
    { maxLength: 30 },
  )
  .map((bursts) => bursts.flat());

/** One server's worth of failover over one in-memory database; `restart` swaps the process, keeps the store. */
class World {
  readonly clock = new ManualClock(Date.parse('2026-11-01T00:00:00Z'));
  readonly provider: ScriptedProvider;
  readonly store: FailoverStore;
  firing: Firing = {};
  controller!: FailoverController;

  constructor(
    readonly config: PolicyConfig,
    faults: readonly Fault[],
    private readonly db: Db,
  ) {
    this.provider = new ScriptedProvider(Object.fromEntries(Object.entries(config.regions).map(([r, spec]) => [r, spec.weight])), faults);
    this.store = new FailoverStore(db);
    this.boot();
  }

  boot(): void {
    const orchestrator = new Orchestrator({
      config: this.config,
      provider: this.provider,
      store: new FailoverStore(this.db),
      clock: this.clock,
      logger: silentLogger(),
      retry: { attempts: ATTEMPTS, minTimeoutMs: 0, callTimeoutMs: 1000 },
    });
    this.controller = new FailoverController({
      orchestrator,
      store: this.store,
      provider: this.provider,
      firing: () => this.firing,
      config: this.config,
      clock: this.clock,
      logger: silentLogger(),
    });
  }
}

const total = (w: Weights) => Object.values(w).reduce((a, b) => a + b, 0);
const same = (a: Weights | null, b: Weights) => a !== null && REGIONS.every((r) => a[r] === b[r]);
const servingPhases = (state: PolicyState) => Object.values(state.regions).filter((p) => p.phase === 'serving' || p.phase === 'restoring').length;

/** Audit entries with an id above `id`, oldest first. */
function auditSince(store: FailoverStore, id: number): ReturnType<FailoverStore['audit']> {
  for (let limit = 32; ; limit *= 4) {
    const newest = store.audit(limit);
    if (newest.length < limit || (newest.at(-1)?.id ?? 0) <= id) return newest.filter((e) => e.id > id).reverse();
  }
}

async function play(configInput: ConfigInput, steps: readonly Step[], faults: readonly Fault[], forcedAllowed: boolean): Promise<void> {
  const config = policyConfig(configInput);
  const { minServingRegions } = config.failover.safety;
  const db = openDatabase(':memory:');
  try {
    const world = new World(config, faults, db);
    await world.controller.start();
    let audited = 0;
    let checkedRequests = 0;
    let checkedWrites = 0;
    const check = (step: Step | { kind: 'heal' }, exhaustedBefore: number, forcedCommand: boolean) => {
      const { provider, store, controller } = world;
      const fresh = auditSince(store, audited);
      audited = fresh.at(-1)?.id ?? audited;
      for (const requested of provider.requested.slice(checkedRequests)) {
        expect(total(requested), 'never ask the provider for zero total weight').toBeGreaterThan(0);
        if (!forcedAllowed) {
          expect(REGIONS.filter((r) => (requested[r] ?? 0) > 0).length, 'weighted regions').toBeGreaterThanOrEqual(minServingRegions);
        }
      }
      checkedRequests = provider.requested.length;
      expect(total(provider.weights), 'total weight at the provider').toBeGreaterThan(0);
      // Every complete change at the provider is documented in this step's audit entries.
      for (const write of provider.writes.slice(checkedWrites)) {
        const partial = !provider.requested.some((r) => same(r, write.to));
        if (partial) continue;
        const documented = fresh.some((e) => same(e.after, write.to) || ((e.outcome === 'failed' || e.action === 'recover') && same(e.before, write.to)));
        expect(documented, `audit entry for ${JSON.stringify(write)} after ${step.kind}`).toBe(true);
      }
      checkedWrites = provider.writes.length;
      const status = controller.status();
      if (!forcedAllowed) expect(servingPhases(status.state), 'serving regions').toBeGreaterThanOrEqual(minServingRegions);
      // A step that ran a decision round (or a start) without the provider giving up once leaves nothing pending.
      const ranRound = step.kind === 'round' || step.kind === 'command' || step.kind === 'restart' || step.kind === 'heal';
      if (ranRound && provider.exhausted === exhaustedBefore) expect(status.pending, `pending journal after a clean ${step.kind}`).toEqual([]);
      if (status.pending.length === 0) expect(provider.weights, `provider agrees with the policy after ${step.kind}`).toEqual(status.weights);
      if (forcedCommand) expect(fresh.some((e) => e.forced && e.outcome === 'executed')).toBe(true);
    };

    for (const step of steps) {
      const exhaustedBefore = world.provider.exhausted;
      let forcedCommand = false;
      switch (step.kind) {
        case 'signals':
          world.firing = step.firing;
          break;
        case 'round':
          await world.controller.round();
          break;
        case 'advance':
          world.clock.advance(step.ms);
          break;
        case 'restart':
          await world.controller.close();
          world.boot();
          await world.controller.start();
          break;
        case 'command': {
          const result = await world.controller.command(step.command);
          if (result.kind === 'decided') {
            const d = result.decision;
            expect(d.forced).toBe('force' in step.command && step.command.force);
            forcedCommand = d.forced && d.outcome === 'executed' && result.outcome.failure === null;
          }
          break;
        }
      }
      check(step, exhaustedBefore, forcedCommand);
    }
    // Once the provider works again, the next round leaves nothing pending and the provider in line.
    world.provider.heal();
    world.clock.advance(10_000);
    const exhausted = world.provider.exhausted;
    await world.controller.round();
    check({ kind: 'heal' }, exhausted, false);
    expect(world.store.pending()).toEqual([]);
  } finally {
    db.close();
  }
}

describe('failover orchestrator under random signals, commands, restarts and provider faults', () => {
  it('unforced: never below minServingRegions, never zero total weight, every change audited, nothing left pending', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, stepsArb(false), faultsArb, async (config, steps, faults) => play(config, steps, faults, false)),
      { numRuns: 700 },
    );
  });

  it('with forced commands: never zero total weight, forced actions audited as forced, every change audited', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, stepsArb(true), faultsArb, async (config, steps, faults) => play(config, steps, faults, true)),
      { numRuns: 500 },
    );
  });
});
