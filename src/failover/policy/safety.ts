// The safety rules every drain must pass (unless the IMOC forces it), and the weights a set of region
// phases means. Rules are checked on the state the drain would lead to, in a fixed order, and the first
// rule broken is the one reported.
import type { PolicyConfig, PolicyState, RegionPhase, SafetyRule, Weights } from './types.js';

/** The weight percentages a drain walks through; a restore walks them back up to 100. */
export function drainPercents(config: PolicyConfig): number[] {
  return config.failover.steps.map((s) => s.weightPercent);
}

export function restorePercents(config: PolicyConfig): number[] {
  return [...drainPercents(config).slice(0, -1).reverse(), 100];
}

function percentOf(phase: RegionPhase, config: PolicyConfig): number {
  switch (phase.phase) {
    case 'serving':
      return 100;
    case 'drained':
      return 0;
    case 'draining':
      return drainPercents(config)[phase.step] ?? 0;
    case 'restoring':
      return restorePercents(config)[phase.step] ?? 100;
  }
}

export function weightsOf(regions: Record<string, RegionPhase>, config: PolicyConfig): Weights {
  const weights: Weights = {};
  for (const [region, phase] of Object.entries(regions)) {
    const spec = config.regions[region];
    if (spec) weights[region] = (spec.weight * percentOf(phase, config)) / 100;
  }
  return weights;
}

export function totalWeight(weights: Weights): number {
  return Object.values(weights).reduce((sum, w) => sum + w, 0);
}

/** Regions that will be serving once every transition in progress completes. */
function servingAfter(regions: Record<string, RegionPhase>): string[] {
  return Object.entries(regions)
    .filter(([, p]) => p.phase === 'serving' || p.phase === 'restoring')
    .map(([r]) => r);
}

export function transitionInProgress(state: PolicyState): string | null {
  const entry = Object.entries(state.regions).find(([, p]) => p.phase === 'draining' || p.phase === 'restoring');
  return entry ? entry[0] : null;
}

export interface Verdict {
  rule: SafetyRule | null;
  reason: string;
}

/** May `region` start draining now? */
export function checkDrain(state: PolicyState, region: string, now: number, config: PolicyConfig): Verdict {
  const { safety } = config.failover;
  const busy = transitionInProgress(state);
  if (busy !== null) return { rule: 'in_progress', reason: `${busy} is still ${state.regions[busy]?.phase}` };
  if (state.lastActionAt !== null && now - state.lastActionAt < safety.cooldown) {
    const left = Math.ceil((safety.cooldown - (now - state.lastActionAt)) / 1000);
    return { rule: 'cooldown', reason: `last action ${Math.floor((now - state.lastActionAt) / 1000)} s ago; ${left} s of cooldown left` };
  }
  const after: Record<string, RegionPhase> = { ...state.regions, [region]: { phase: 'drained', since: now, origin: 'auto' } };
  const drained = Object.values(after).filter((p) => p.phase === 'drained' || p.phase === 'draining').length;
  if (drained > safety.maxDrainedRegions) {
    return { rule: 'max_drained_regions', reason: `${drained} regions would be drained, at most ${safety.maxDrainedRegions} may be` };
  }
  const serving = servingAfter(after);
  if (serving.length < safety.minServingRegions) {
    return { rule: 'min_serving_regions', reason: `${serving.length} regions would serve, at least ${safety.minServingRegions} must` };
  }
  const capacity = serving.reduce((sum, r) => sum + (config.regions[r]?.capacity ?? 0), 0);
  if (capacity < 100) {
    return { rule: 'capacity', reason: `${serving.join(', ')} can serve ${capacity}% of peak traffic between them, not 100%` };
  }
  return { rule: null, reason: 'all safety rules pass' };
}

/**
 * A drain that could leave no weight anywhere is refused even when forced: once every drain in progress
 * completes and every restore in progress falls back (a region being restored returns to drained if it
 * fails again), some fully serving region must be left.
 */
export function leavesWeight(state: PolicyState, region: string, config: PolicyConfig): boolean {
  const after: Record<string, RegionPhase> = {};
  for (const [name, phase] of Object.entries(state.regions)) {
    after[name] = name === region || phase.phase !== 'serving' ? { phase: 'drained', since: 0, origin: 'manual' } : phase;
  }
  return totalWeight(weightsOf(after, config)) > 0;
}
