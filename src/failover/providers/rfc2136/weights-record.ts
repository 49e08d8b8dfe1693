// How weights live in plain DNS, which has none: resolvers spread clients about evenly over the addresses
// of an RRset, so a region's share of traffic follows how many of its addresses are published. A region
// at weight w of its full weight W publishes round(n × w / W) of its n addresses of each family (the
// first ones in configured order; at least one while w > 0, none at 0). The exact weights are kept in a
// TXT record ("eu-west1=100" "us-central1=50") to read back. With one address per family a region is
// either fully published or not: a step between 0 and 100 % then shifts no traffic.
import { isIPv6 } from 'node:net';
import { ProviderError, type RegionSpec, type Weights } from '../provider.js';

const KIND = 'rfc2136';
const ENTRY = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)=(\d+(\.\d+)?)$/;

/** One TXT string per region, in configured order. */
export function weightsText(weights: Weights, regions: Readonly<Record<string, RegionSpec>>): string[] {
  return Object.keys(regions).map((region) => `${region}=${weights[region] ?? 0}`);
}

/** How many of a family's `count` addresses a region publishes at `weight` of its full weight `full`. */
export function publishedCount(count: number, weight: number, full: number): number {
  if (weight <= 0 || count === 0) return 0;
  return Math.min(count, Math.max(1, Math.round((count * weight) / full)));
}

/** The addresses of one region to publish at `weight`. */
export function regionAddresses(spec: RegionSpec, weight: number): string[] {
  const families = [spec.targets.filter((t) => !isIPv6(t)), spec.targets.filter((t) => isIPv6(t))];
  return families.flatMap((family) => family.slice(0, publishedCount(family.length, weight, spec.weight)));
}

/** The addresses to publish for `weights`. */
export function publishedAddresses(weights: Weights, regions: Readonly<Record<string, RegionSpec>>): string[] {
  return Object.entries(regions).flatMap(([region, spec]) => regionAddresses(spec, weights[region] ?? 0));
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

/** The published addresses of each region. Throws for an address that belongs to no region. */
export function publishedByRegion(
  published: readonly string[],
  regions: Readonly<Record<string, RegionSpec>>,
  where: string,
): Map<string, Set<string>> {
  const present = new Set(published.map(normalize));
  const byRegion = new Map(Object.keys(regions).map((region) => [region, new Set<string>()]));
  const owner = new Map(Object.entries(regions).flatMap(([region, spec]) => spec.targets.map((t) => [normalize(t), region] as const)));
  for (const address of present) {
    const region = owner.get(address);
    if (region === undefined) throw new ProviderError(KIND, `${where} publishes ${address}, which is no configured region's target`);
    byRegion.get(region)?.add(address);
  }
  return byRegion;
}

/**
 * The weights in effect: the TXT's when the published addresses are exactly what those weights publish;
 * without a TXT, each region's full weight times the share of its addresses that are published.
 */
export function weightsInEffect(
  recorded: Weights | null,
  published: ReadonlyMap<string, ReadonlySet<string>>,
  regions: Readonly<Record<string, RegionSpec>>,
): Weights {
  const count = (region: string) => published.get(region)?.size ?? 0;
  if (recorded === null) {
    return Object.fromEntries(Object.entries(regions).map(([region, spec]) => [region, (spec.weight * count(region)) / spec.targets.length]));
  }
  const disagreeing = Object.entries(regions).filter(([region, spec]) => {
    const expected = regionAddresses(spec, recorded[region] ?? 0).map(normalize);
    const actual = published.get(region) ?? new Set<string>();
    return expected.length !== actual.size || expected.some((address) => !actual.has(address));
  });
  if (disagreeing.length > 0) {
    const detail = disagreeing
      .map(([region, spec]) => `${region}=${recorded[region] ?? 0} but ${count(region)} of its ${spec.targets.length} addresses published`)
      .join(', ');
    throw new ProviderError(KIND, `the weights TXT and the address records disagree (${detail}): the zone was edited outside Vigil`);
  }
  return recorded;
}
