// Checks shared by the DNS and load-balancer providers: a weights map is only applied when it names
// exactly the configured regions, with finite non-negative weights that are not all zero.
import { ProviderError, type RegionSpec, type SetupProblem, type Weights } from './provider.js';

/**
 * Throws ProviderError unless `weights` has one finite weight >= 0 per configured region, no other
 * regions, and at least one weight > 0. All-zero is refused even though the orchestrator never asks
 * for it: Cloud DNS spreads traffic evenly over all-zero items and plain DNS would publish no address.
 */
export function checkWeights(provider: string, weights: Weights, regions: Readonly<Record<string, RegionSpec>>): void {
  const unknown = Object.keys(weights).filter((region) => !Object.hasOwn(regions, region));
  if (unknown.length > 0) {
    throw new ProviderError(provider, `unknown region(s) ${unknown.join(', ')} (configured: ${Object.keys(regions).join(', ')})`);
  }
  const missing = Object.keys(regions).filter((region) => !Object.hasOwn(weights, region));
  if (missing.length > 0) {
    throw new ProviderError(provider, `no weight for region(s) ${missing.join(', ')}: a change must set every region`);
  }
  for (const [region, weight] of Object.entries(weights)) {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new ProviderError(provider, `weight of ${region} must be a finite number >= 0, got ${weight}`);
    }
  }
  if (Object.values(weights).every((weight) => weight === 0)) {
    throw new ProviderError(provider, 'refusing to set every region to weight 0: that would drop all traffic');
  }
}

/** Every region at the weight it has when fully serving. */
export function fullWeights(regions: Readonly<Record<string, RegionSpec>>): Weights {
  return Object.fromEntries(Object.entries(regions).map(([region, spec]) => [region, spec.weight]));
}

/** Every region has targets, and no address is a target of two regions (weights are read back from addresses). */
export function addressProblems(regions: Readonly<Record<string, RegionSpec>>): SetupProblem[] {
  const problems: SetupProblem[] = [];
  const owner = new Map<string, string>();
  for (const [region, spec] of Object.entries(regions)) {
    if (spec.targets.length === 0) {
      problems.push({ path: ['regions', region], message: `has no targets: list the addresses that serve ${region}` });
    }
    spec.targets.forEach((target, index) => {
      const previous = owner.get(target);
      if (previous !== undefined && previous !== region) {
        problems.push({ path: ['regions', region, 'targets', index], message: `${target} is also a target of ${previous}: each address serves one region` });
      }
      owner.set(target, region);
    });
  }
  return problems;
}

/** The region each address belongs to, for regions that passed addressProblems. */
export function regionsByAddress(regions: Readonly<Record<string, RegionSpec>>): Map<string, string> {
  return new Map(Object.entries(regions).flatMap(([region, spec]) => spec.targets.map((target) => [target, region] as const)));
}
