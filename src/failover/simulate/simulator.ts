// `vigil simulate`: replays synthetic probe results in virtual time through the real SLO engine, the
// real policy and orchestrator (file provider in a temp dir), and reports the timeline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mersenne } from 'pure-rand/generator/mersenne';
import { type VigilConfig, vantagesOf } from '../../config/kinds/vigil-config.js';
import { ManualClock } from '../../lib/clock.js';
import { MINUTE_MS } from '../../lib/duration.js';
import { silentLogger } from '../../lib/logger.js';
import type { ProbeResult } from '../../prober/model.js';
import { SloEngine } from '../../slo/engine/engine.js';
import type { SloDefinition } from '../../slo/model.js';
import { ProbeSloIndex } from '../../slo/sources/probe-results.js';
import { BucketStore, type CountRecord } from '../../store/bucket-store.js';
import { openDatabase } from '../../store/database.js';
import { FailoverStore } from '../../store/failover-store.js';
import { Orchestrator } from '../orchestrator.js';
import type { PolicyConfig } from '../policy/types.js';
import { FileProvider } from '../providers/file/file.js';
import type { Weights } from '../providers/provider.js';
import { triggerFiring } from '../signals.js';
import { activeEpisodes, type Scenario } from './scenario.js';
import { AlertTracker, type SimulationEvent } from './timeline.js';

export interface SimulationReport {
  events: SimulationEvent[];
  summary: {
    drains: Array<{ region: string; decidedAt: string; detectionSeconds: number | null }>;
    blocked: Array<{ t: string; region: string | null; rule: string }>;
    finalWeights: Weights;
  };
}

export interface SimulationInput {
  scenario: Scenario;
  config: VigilConfig;
  slos: readonly SloDefinition[];
}

export class SimulationError extends Error {}

/** Trigger SLOs must be probe SLOs: a simulation only makes probe results. */
function triggerSlos(input: SimulationInput, policy: PolicyConfig): SloDefinition[] {
  return policy.failover.triggers.slos.map((name) => {
    const def = input.slos.find((s) => s.name === name);
    if (!def) throw new SimulationError(`trigger SLO "${name}" is not defined`);
    if (def.indicator.kind !== 'probe') throw new SimulationError(`trigger SLO "${name}" is not measured by a probe: nothing to simulate`);
    return def;
  });
}

function random01(rng: ReturnType<typeof mersenne>): number {
  return (rng.next() + 0x8000_0000) / 0x1_0000_0000;
}

export async function simulate(input: SimulationInput): Promise<SimulationReport> {
  const { scenario, config } = input;
  if (!config.failover) throw new SimulationError('the configuration has no spec.failover to simulate');
  const policy: PolicyConfig = { regions: config.regions, failover: config.failover };
  const slos = triggerSlos(input, policy);
  const probes = [...new Set(slos.map((s) => (s.indicator.kind === 'probe' ? s.indicator.probe : '')))];
  const regions = Object.keys(config.regions);
  const vantages = vantagesOf(config);
  const { start, duration, probeInterval } = scenario.spec;

  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-simulate-'));
  const db = openDatabase(':memory:');
  try {
    const store = new BucketStore(db);
    const index = new ProbeSloIndex(slos);
    const engine = new SloEngine({ store, definitions: slos });
    const clock = new ManualClock(start);
    const provider = new FileProvider({ kind: 'file', path: 'weights.json' }, { regions: config.regions, root: dir, logger: silentLogger() });
    const orchestrator = new Orchestrator({
      config: policy,
      provider,
      store: new FailoverStore(db),
      clock,
      logger: silentLogger(),
      retry: { attempts: 1, minTimeoutMs: 1, callTimeoutMs: 10_000 },
    });

    seedHistory(store, index, slos, probes, regions, vantages, scenario);
    const rng = mersenne(scenario.spec.seed);
    const alerts = new AlertTracker(slos, policy.failover.triggers.severity);
    const events: SimulationEvent[] = [];
    const iso = (ms: number) => new Date(ms).toISOString();

    for (let offset = 0; offset < duration; offset += probeInterval) {
      const t = start + offset;
      const results: ProbeResult[] = [];
      for (const probe of probes) {
        for (const targetRegion of regions) {
          for (const vantage of vantages) {
            const active = activeEpisodes(scenario, offset, targetRegion, vantage);
            const errorRate = active.findLast((e) => e.errorRate !== undefined)?.errorRate ?? scenario.spec.baseline.errorRate;
            const latencyMs = active.findLast((e) => e.latencyMs !== undefined)?.latencyMs ?? scenario.spec.baseline.latencyMs;
            const ok = random01(rng) >= errorRate;
            results.push({ probe, target: targetRegion, targetRegion, vantage, ts: t, ok, latencyMs, failure: ok ? null : 'http_status', status: ok ? 200 : 503, phases: null });
          }
        }
      }
      store.add(index.counts(results));
      // Evaluate just after the results of this interval are in, as the live engine would.
      const at = t + 1;
      clock.set(at);
      engine.evaluate(at);
      events.push(...alerts.update(engine, iso(t)));
      const outcome = await orchestrator.tick(triggerFiring(engine, policy.failover, regions));
      for (const d of outcome.decisions) {
        events.push({ t: iso(t), type: 'decision', action: d.action, region: d.region, outcome: d.outcome, rule: d.rule, reason: d.reason });
      }
      if (outcome.applied) events.push({ t: iso(t), type: 'weights', weights: outcome.applied });
    }
    engine.close();
    return { events, summary: summarize(events, scenario, await provider.read()) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Before the scenario starts, history is assumed to be baseline traffic without errors, for as long as the
 * longest alert window: real deployments have history, and without it the first errors of a quiet start
 * would weigh as much as an outage.
 */
function seedHistory(
  store: BucketStore,
  index: ProbeSloIndex,
  slos: readonly SloDefinition[],
  probes: readonly string[],
  regions: readonly string[],
  vantages: readonly string[],
  scenario: Scenario,
): void {
  const lookback = Math.max(...slos.flatMap((s) => s.alertWindows.map((a) => a.longMinutes)));
  const perMinute = Math.max(1, Math.round(MINUTE_MS / scenario.spec.probeInterval));
  const { start, baseline } = scenario.spec;
  const records: CountRecord[] = [];
  for (let minute = 1; minute <= lookback; minute++) {
    const ts = start - minute * MINUTE_MS;
    for (const probe of probes) {
      for (const targetRegion of regions) {
        for (const vantage of vantages) {
          const result: ProbeResult = { probe, target: targetRegion, targetRegion, vantage, ts, ok: true, latencyMs: baseline.latencyMs, failure: null, status: 200, phases: null };
          for (const r of index.counts([result])) records.push({ ...r, good: r.good * perMinute, total: perMinute });
        }
      }
    }
  }
  store.add(records);
}

function summarize(events: readonly SimulationEvent[], scenario: Scenario, finalWeights: Weights): SimulationReport['summary'] {
  const decisions = events.filter((e): e is Extract<SimulationEvent, { type: 'decision' }> => e.type === 'decision');
  const previousDrain: Record<string, number> = {};
  const drains = decisions
    // A region that fails again while being restored goes straight back to drained: that is a drain too.
    .filter((d) => d.action === 'drain' && d.outcome === 'executed' && d.region !== null)
    .map((d) => {
      const region = d.region as string;
      const decidedAt = Date.parse(d.t);
      const onset = onsetOf(scenario, region, decidedAt, previousDrain[region] ?? Number.NEGATIVE_INFINITY);
      previousDrain[region] = decidedAt;
      return { region, decidedAt: d.t, detectionSeconds: onset === null ? null : (decidedAt - onset) / 1000 };
    });
  const blocked = decisions
    .filter((d) => d.outcome === 'blocked' && d.rule !== null)
    .map((d) => ({ t: d.t, region: d.region, rule: d.rule as string }));
  return { drains, blocked, finalWeights };
}

/**
 * When the trouble behind a drain of `region` at `decidedAt` began: the start of the run of overlapping or
 * back-to-back episodes that affect the region (its own, or every region's) and reach up to the decision,
 * counting only episodes that began after the region's previous drain. A vantage-only episode never makes
 * a region fail (that vantage is isolated), so it is not an onset.
 */
function onsetOf(scenario: Scenario, region: string, decidedAt: number, after: number): number | null {
  const { start, episodes } = scenario.spec;
  const spans = episodes
    .filter((e) => e.targetRegion === region || (e.targetRegion === undefined && e.vantage === undefined))
    .map((e) => ({ from: start + e.from, to: start + e.to }))
    .filter((span) => span.from <= decidedAt && span.from > after);
  if (spans.length === 0) return null;
  let onset = Math.max(...spans.map((span) => span.from));
  for (let extended = true; extended; ) {
    const earlier = spans.filter((span) => span.from < onset && span.to >= onset).map((span) => span.from);
    extended = earlier.length > 0;
    if (extended) onset = Math.min(...earlier);
  }
  return onset;
}
