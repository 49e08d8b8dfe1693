// How weights live in plain DNS: a region with weight > 0 has its addresses published, weight 0 has
// none, and the exact weights are kept in a TXT record ("eu-west1=100" "us-central1=50") to read back.
import { isIPv6 } from 'node:net';
import { ProviderError, type RegionSpec, type Weights } from '../provider.js';

const KIND = 'rfc2136';
const ENTRY = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)=(\d+(\.\d+)?)$/;

/** One TXT string per region, in configured order. */
export function weightsText(weights: Weights, regions: Readonly<Record<string, RegionSpec>>): string[] {
  return Object.keys(regions).map((region) => `${region}=${weights[region] ?? 0}`);
}

/** The addresses to publish for `weights`. */
export function publishedAddresses(weights: Weights, regions: Readonly<Record<string, RegionSpec>>): string[] {
  return Object.entries(regions).flatMap(([region, spec]) => ((weights[region] ?? 0) > 0 ? spec.targets : []));
}

export function parseWeightsText(strings: readonly string[], regions: Readonly<Record<string, RegionSpec>>, where: string): Weights {
  const weights: Weights = {};
  for (const text of strings) {
    const match = ENTRY.exec(text);
    if (!match?.[1] || match[3] === undefined) throw new ProviderError(KIND, `${where} holds "${text}", not region=weight`);
    const region = match[1];
    if (!Object.hasOwn(regions, region)) throw new ProviderError(KIND, `${where} names ${region}, which is not a configured region`);
    if (Object.hasOwn(weights, region)) throw new ProviderError(KIND, `${where} names ${region} twice`);
    weights[region] = Number(match[3]);
  }
  for (const region of Object.keys(regions)) {
    // A region added to the config after the last change has never been published.
    if (!Object.hasOwn(weights, region)) weights[region] = 0;
  }
  return weights;
}

/** One spelling per address, so "2001:DB8:0::1" in the config matches "2001:db8::1" from the server. */
export function normalize(address: string): string {
  return isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/**
 * Which regions the published addresses serve: all of a region's addresses published → serving, none
 * → drained. Throws for a region published in part, or an address that belongs to no region.
 */
export function servingRegions(published: readonly string[], regions: Readonly<Record<string, RegionSpec>>, where: string): Map<string, boolean> {
  const present = new Set(published.map(normalize));
  const known = new Set(Object.values(regions).flatMap((spec) => spec.targets.map(normalize)));
  for (const address of present) {
    if (!known.has(address)) throw new ProviderError(KIND, `${where} publishes ${address}, which is no configured region's target`);
  }
  const serving = new Map<string, boolean>();
  for (const [region, spec] of Object.entries(regions)) {
    const count = spec.targets.filter((target) => present.has(normalize(target))).length;
    if (count > 0 && count < spec.targets.length) throw new ProviderError(KIND, `${where} publishes only some of ${region}'s targets`);
    serving.set(region, count > 0);
  }
  return serving;
}

/** The weights in effect: the TXT's when it agrees with the published addresses, else derived from them. */
export function weightsInEffect(
  recorded: Weights | null,
  serving: ReadonlyMap<string, boolean>,
  regions: Readonly<Record<string, RegionSpec>>,
): Weights {
  if (recorded === null) {
    return Object.fromEntries(Object.entries(regions).map(([region, spec]) => [region, serving.get(region) ? spec.weight : 0]));
  }
  const disagreeing = Object.keys(regions).filter((region) => (recorded[region] ?? 0) > 0 !== (serving.get(region) ?? false));
  if (disagreeing.length > 0) {
    const detail = disagreeing.map((r) => `${r}=${recorded[r] ?? 0} but ${serving.get(r) ? 'published' : 'not published'}`).join(', ');
    throw new ProviderError(KIND, `the weights TXT and the address records disagree (${detail}): the zone was edited outside Vigil`);
  }
  return recorded;
}
