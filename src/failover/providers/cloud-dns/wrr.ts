// Weighted round robin record sets as the Cloud DNS API returns them, and how they map to region weights:
// one WRR item per region, whose rrdatas are exactly that region's targets and whose weight is its weight.
import { z } from 'zod';
import { ProviderError, type RegionSpec, type Weights } from '../provider.js';

const KIND = 'cloud-dns';

const wrrItem = z.looseObject({ weight: z.number().nonnegative(), rrdatas: z.array(z.string()).optional() });

/** A ResourceRecordSet of the v1 API, parsed as far as this provider relies on it. */
export const apiRecordSet = z.looseObject({
  name: z.string(),
  type: z.string(),
  ttl: z.number().optional(),
  rrdatas: z.array(z.string()).optional(),
  routingPolicy: z.looseObject({ wrr: z.looseObject({ items: z.array(wrrItem) }).optional() }).optional(),
});

export type ApiRecordSet = z.output<typeof apiRecordSet>;

export interface WrrRecordSet {
  name: string;
  type: string;
  ttl: number;
  routingPolicy: { wrr: { items: Array<{ weight: number; rrdatas: string[] }> } };
}

/** Addresses as Cloud DNS writes them back (IPv6 lowercased), in a stable order, as one lookup key. */
function addressKey(addresses: readonly string[]): string {
  return [...addresses]
    .map((a) => a.toLowerCase())
    .sort()
    .join(' ');
}

export function describeRecordSet(rrset: { name: string; type: string }): string {
  return `${rrset.name} ${rrset.type}`;
}

/** The record set that puts `weights` into effect; items follow the configured region order. */
export function wrrRecordSet(
  rrset: { name: string; type: string; ttl: number },
  regions: Readonly<Record<string, RegionSpec>>,
  weights: Weights,
): WrrRecordSet {
  const items = Object.entries(regions).map(([region, spec]) => ({ weight: weights[region] ?? 0, rrdatas: [...spec.targets] }));
  return { name: rrset.name, type: rrset.type, ttl: rrset.ttl, routingPolicy: { wrr: { items } } };
}

/** The weights a record set puts into effect. Throws ProviderError for anything Vigil did not write. */
export function weightsOfRecordSet(
  rrset: ApiRecordSet,
  regions: Readonly<Record<string, RegionSpec>>,
  owner: ReadonlyMap<string, string>,
): Weights {
  const weights: Weights = Object.fromEntries(Object.keys(regions).map((region) => [region, 0]));
  const wrr = rrset.routingPolicy?.wrr;
  if (wrr) {
    const regionByKey = new Map(Object.entries(regions).map(([region, spec]) => [addressKey(spec.targets), region]));
    const seen = new Set<string>();
    for (const [index, item] of wrr.items.entries()) {
      const region = regionByKey.get(addressKey(item.rrdatas ?? []));
      if (region === undefined) {
        throw new ProviderError(
          KIND,
          `${describeRecordSet(rrset)}: WRR item ${index} (${(item.rrdatas ?? []).join(', ') || 'no rrdatas'}) matches no configured region's targets`,
        );
      }
      if (seen.has(region)) throw new ProviderError(KIND, `${describeRecordSet(rrset)}: two WRR items hold the targets of ${region}`);
      seen.add(region);
      weights[region] = item.weight;
    }
    return weights;
  }
  if (rrset.routingPolicy) {
    throw new ProviderError(KIND, `${describeRecordSet(rrset)} has a routing policy other than weighted round robin`);
  }
  // A plain record set (say, before the first failover): a region serves fully when all its addresses
  // are published, not at all when none are.
  const published = new Set((rrset.rrdatas ?? []).map((a) => a.toLowerCase()));
  for (const address of published) {
    if (![...owner.keys()].some((target) => target.toLowerCase() === address)) {
      throw new ProviderError(KIND, `${describeRecordSet(rrset)} publishes ${address}, which is no configured region's target`);
    }
  }
  for (const [region, spec] of Object.entries(regions)) {
    const present = spec.targets.filter((t) => published.has(t.toLowerCase())).length;
    if (present > 0 && present < spec.targets.length) {
      throw new ProviderError(KIND, `${describeRecordSet(rrset)} publishes only some of ${region}'s targets`);
    }
    weights[region] = present > 0 ? spec.weight : 0;
  }
  return weights;
}

/** The fields that decide what a record set serves. */
interface RecordSetContent {
  name: string;
  type: string;
  ttl?: number;
  rrdatas?: string[];
  routingPolicy?: unknown;
}

/** Sorted-key JSON of a record set's content, ignoring the API's `kind` tags. */
function canonical(rrset: RecordSetContent): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'kind')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  };
  return JSON.stringify(sortKeys({ name: rrset.name, type: rrset.type, ttl: rrset.ttl, rrdatas: rrset.rrdatas, routingPolicy: rrset.routingPolicy }));
}

/** Whether two record sets serve the same thing (applying one over the other would change nothing). */
export function sameRecordSet(a: RecordSetContent, b: RecordSetContent): boolean {
  return canonical(a) === canonical(b);
}
