// `vigil simulate`: replays synthetic probe results in virtual time through the real SLO engine, the
// real policy and orchestrator (file provider in a temp dir) and the drill runner, and reports the timeline.
import { mersenne } from 'pure-rand/generator/mersenne';
import { type VigilConfig, vantagesOf } from '../../config/kinds/vigil-config.js';
import { MINUTE_MS } from '../../lib/duration.js';
import type { ProbeResult } from '../../prober/model.js';
import type { SloDefinition } from '../../slo/model.js';
import { ProbeSloIndex } from '../../slo/sources/probe-results.js';
import type { BucketStore, CountRecord } from '../../store/bucket-store.js';
import { drainSeconds, restoreSeconds } from '../drills/report.js';
import { type DrillOutcome, type DrillRun, isOutcome } from '../drills/run.js';
import type { TickOutcome } from '../orchestrator.js';
import type { PolicyConfig } from '../policy/types.js';
import type { Weights } from '../providers/provider.js';
import { activeEpisodes, type Scenario } from './scenario.js';
import { AlertTracker, type SimulationEvent } from './timeline.js';
import { VirtualRig } from './virtual-rig.js';

export interface SimulationReport {
  events: SimulationEvent[];
  summary: {
    drains: Array<{ region: string; decidedAt: string; detectionSeconds: number | null }>;
    blocked: Array<{ t: string; region: string | null; rule: string }>;
    finalWeights: Weights;
    drills: Array<{ drill: string; run: string; region: string; outcome: DrillOutcome | null; reason: string | null; drainSeconds: number | null; restoreSeconds: number | null }>;
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
  for (const action of scenario.spec.actions) {
    if (!config.drills.some((d) => d.name === action.drill)) throw new SimulationError(`action at ${action.at} ms: no drill named "${action.drill}" in the configuration`);
  }
  // Without spec.drills: true, drills run only when an action starts them (their schedules stay off).
  const drills = scenario.spec.drills ? config.drills : config.drills.map((d) => ({ ...d, schedule: undefined }));
  const events: SimulationEvent[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  let now = start;
  let runs = 0;
  const rig = new VirtualRig({
    config: { ...config, drills },
    slos,
    start,
    approvals: scenario.spec.approvals === 'none' ? 'required' : 'given',
    newId: () => `r-${++runs}`,
    onDrillChange: (run) => events.push({ t: iso(now), type: 'drill', drill: run.drill, run: run.id, state: run.state, reason: run.reason }),
  });
  try {
    const index = new ProbeSloIndex(slos);
    seedHistory(rig.store, index, slos, probes, regions, vantages, scenario);
    const rng = mersenne(scenario.spec.seed);
    const alerts = new AlertTracker(slos, policy.failover.triggers.severity);
    const actions = [...scenario.spec.actions].sort((a, b) => a.at - b.at);
    const record = (outcomes: readonly TickOutcome[]) => {
      for (const outcome of outcomes) {
        for (const d of outcome.decisions) {
          events.push({ t: iso(now), type: 'decision', action: d.action, region: d.region, outcome: d.outcome, rule: d.rule, reason: d.reason });
        }
        if (outcome.applied) events.push({ t: iso(now), type: 'weights', weights: outcome.applied });
      }
    };

    for (let offset = 0; offset < duration; offset += probeInterval) {
      now = start + offset;
      const results: ProbeResult[] = [];
      for (const probe of probes) {
        for (const targetRegion of regions) {
          for (const vantage of vantages) {
            const active = activeEpisodes(scenario, offset, targetRegion, vantage);
            const errorRate = active.findLast((e) => e.errorRate !== undefined)?.errorRate ?? scenario.spec.baseline.errorRate;
            const latencyMs = active.findLast((e) => e.latencyMs !== undefined)?.latencyMs ?? scenario.spec.baseline.latencyMs;
            const ok = random01(rng) >= errorRate;
            results.push({ probe, target: targetRegion, targetRegion, vantage, ts: now, ok, latencyMs, failure: ok ? null : 'http_status', status: ok ? 200 : 503, phases: null });
          }
        }
      }
      rig.store.add(index.counts(results));
      // Evaluate just after the results of this interval are in, as the live engine would.
      const { outcomes } = await rig.evaluate(now + 1);
      events.push(...alerts.update(rig.engine, iso(now)));
      record(outcomes);
      while (actions[0] && actions[0].at <= offset) {
        const action = actions.shift();
        if (action) await rig.drills?.start(action.drill, { actor: 'vigil' }, `scenario action at ${Math.round(action.at / 1000)} s`);
        record(rig.takeOutcomes());
      }
    }
    const drillRuns = config.drills.flatMap((d) => rig.drills?.runs(d.name, 1000) ?? []).sort((a, b) => a.createdAt - b.createdAt);
    return { events, summary: { ...summarize(events, scenario, rig.controller.status().weights, drillRuns), drills: drillRuns.map(drillSummary) } };
  } finally {
    await rig.close();
  }
}

function drillSummary(run: DrillRun): SimulationReport['summary']['drills'][number] {
  return { drill: run.drill, run: run.id, region: run.region, outcome: isOutcome(run.state) ? run.state : null, reason: run.reason, drainSeconds: drainSeconds(run), restoreSeconds: restoreSeconds(run) };
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

function summarize(events: readonly SimulationEvent[], scenario: Scenario, finalWeights: Weights, drills: readonly DrillRun[]): Omit<SimulationReport['summary'], 'drills'> {
  const decisions = events.filter((e): e is Extract<SimulationEvent, { type: 'decision' }> => e.type === 'decision');
  // A drill's own drain is in the drill summary, not among the failovers.
  const drillCommands = drills.map((run) => `drill ${run.drill} ${run.id}`);
  const previousDrain: Record<string, number> = {};
  const drains = decisions
    // A region that fails again while being restored goes straight back to drained: that is a drain too.
    .filter((d) => d.action === 'drain' && d.outcome === 'executed' && d.region !== null && !drillCommands.some((prefix) => d.reason.startsWith(prefix)))
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
