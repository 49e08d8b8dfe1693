// The `cloud-dns` provider: region weights as one weighted-round-robin record set in a Cloud DNS zone.
//
// Every apply is ONE Change (deletion of the record set exactly as last seen + addition of the new one),
// which the API applies atomically and only if the deletion still matches: a record set modified by
// someone else since this provider last read it makes the Change fail (409/412) with nothing applied.
// "Last seen" is what read() returned or what the previous apply wrote, so the check spans the
// orchestrator's read → decide → apply; after a conflict the next apply starts from a fresh read.
import { isIPv4, isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DNS, Record as DnsRecord, Zone } from '@google-cloud/dns';
import { z } from 'zod';
import { raceAbort } from '../../../lib/abort.js';
import { isWithin } from '../dns-name.js';
import {
  defineProvider,
  type ProviderContext,
  ProviderError,
  type ProviderSetup,
  type SetupProblem,
  throwSetupErrors,
  type WeightProvider,
  type Weights,
} from '../provider.js';
import { addressProblems, checkWeights, regionsByAddress } from '../weights.js';
import { apiFailure, apiStatus, createCloudDnsClient } from './client.js';
import { type CloudDnsProviderConfig, cloudDnsProviderSchema } from './schema.js';
import { type ApiRecordSet, apiRecordSet, describeRecordSet, sameRecordSet, type WrrRecordSet, weightsOfRecordSet, wrrRecordSet } from './wrr.js';

const KIND = 'cloud-dns';

type Change = ReturnType<Zone['change']>;
/** Status polls after a Change is accepted, backing off from 100 ms to 2 s: about two minutes in all. */
const MAX_STATUS_POLLS = 70;

const changeStatus = z.looseObject({ id: z.string().optional(), status: z.string(), additions: z.array(z.unknown()).optional() });
const zoneMetadata = z.looseObject({ dnsName: z.string() });

export interface CloudDnsProviderOptions {
  /** A client to use instead of one built from the config. */
  client?: DNS;
}

export class CloudDnsProvider implements WeightProvider {
  readonly kind = KIND;
  private readonly zone: Zone;
  private readonly owner: Map<string, string>;
  private readonly what: string;
  private zoneChecked = false;
  /** The record set as last read or written (null: absent), which the next Change must delete; undefined: unknown. */
  private lastSeen: ApiRecordSet | null | undefined;

  constructor(
    private readonly config: CloudDnsProviderConfig,
    private readonly context: ProviderContext,
    options: CloudDnsProviderOptions = {},
  ) {
    throwSetupErrors(KIND, checkCloudDns(config, { regions: context.regions, steps: [] }));
    this.owner = regionsByAddress(context.regions);
    this.zone = (options.client ?? createCloudDnsClient(config)).zone(config.managedZone);
    this.what = `record set ${describeRecordSet(config)} in managed zone ${config.managedZone} of project ${config.project}`;
  }

  /**
   * Without the record set no region gets traffic through this name: every region reads as 0. The
   * orchestrator then sees neither side of a pending change in effect and re-applies the weights it
   * had before, which creates the record set (the first apply creates it too).
   */
  async read(signal: AbortSignal): Promise<Weights> {
    const current = await this.fetch(signal);
    this.lastSeen = current;
    if (current === null) return Object.fromEntries(Object.keys(this.context.regions).map((region) => [region, 0]));
    return weightsOfRecordSet(current, this.context.regions, this.owner);
  }

  async apply(weights: Weights, signal: AbortSignal): Promise<void> {
    checkWeights(KIND, weights, this.context.regions);
    const desired = wrrRecordSet(this.config, this.context.regions, weights);
    let base = this.lastSeen;
    if (base === undefined || (base !== null && sameRecordSet(base, desired))) {
      // Nothing known yet, or it looks like a no-op: only the API can say what is really there.
      const fresh = await this.fetch(signal);
      this.lastSeen = fresh;
      if (base !== undefined && !sameOrBothAbsent(base, fresh)) {
        throw new ProviderError(KIND, `${this.what} changed since it was read (someone else modified it); nothing was applied`);
      }
      base = fresh;
      if (base !== null && sameRecordSet(base, desired)) return;
    }
    const status = await this.change(base, desired, signal);
    await this.waitUntilDone(status.change, status.status, signal);
  }

  async close(): Promise<void> {}

  /** Sends the one Change; afterwards `lastSeen` is what it wrote, or unknown if the outcome is. */
  private async change(base: ApiRecordSet | null, desired: WrrRecordSet, signal: AbortSignal): Promise<{ change: Change; status: string }> {
    signal.throwIfAborted();
    this.lastSeen = undefined;
    let response: [Change, unknown];
    try {
      response = await raceAbort(
        this.zone.createChange({
          add: this.zone.record(desired.type, desired),
          ...(base === null ? {} : { delete: this.zone.record(base.type, { ...base, ttl: base.ttl ?? 0 }) }),
        }),
        signal,
      );
    } catch (error) {
      if (error === signal.reason) throw error;
      const status = apiStatus(error);
      const conflict = status === 409 || status === 412 || (status === 404 && base !== null);
      throw apiFailure(conflict ? 'change rejected' : 'cannot create the change', error, this.what, { conflict });
    }
    const [change, metadata] = response;
    const parsed = changeStatus.safeParse(metadata);
    if (!parsed.success) throw new ProviderError(KIND, `unexpected answer to the change: ${parsed.error.message}`);
    const written = apiRecordSet.safeParse(parsed.data.additions?.[0]);
    this.lastSeen = written.success ? written.data : apiRecordSet.parse(desired);
    return { change, status: parsed.data.status };
  }

  /** Waits until the accepted Change is served everywhere, so the orchestrator's bake time starts then. */
  private async waitUntilDone(change: Change, initialStatus: string, signal: AbortSignal): Promise<void> {
    let status = initialStatus;
    let delay = 100;
    for (let poll = 0; status !== 'done'; poll++) {
      if (poll >= MAX_STATUS_POLLS) {
        throw new ProviderError(KIND, `change ${change.id ?? '?'} was accepted but is still ${status}; it will complete on its own`);
      }
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, 2000);
      let metadata: unknown;
      try {
        [metadata] = await raceAbort(change.getMetadata(), signal);
      } catch (error) {
        if (error === signal.reason) throw error;
        throw apiFailure(`cannot get the status of change ${change.id ?? '?'}`, error, 'the change');
      }
      const parsed = changeStatus.safeParse(metadata);
      if (!parsed.success) throw new ProviderError(KIND, `unexpected change status: ${parsed.error.message}`);
      status = parsed.data.status;
    }
  }

  /** The record set as the API has it now, or null when there is none. */
  private async fetch(signal: AbortSignal): Promise<ApiRecordSet | null> {
    await this.checkZone(signal);
    let records: DnsRecord[];
    try {
      [records] = await raceAbort(this.zone.getRecords({ name: this.config.name, type: this.config.type }), signal);
    } catch (error) {
      if (error === signal.reason) throw error;
      throw apiFailure(`cannot list record sets of ${this.config.managedZone}`, error, `managed zone ${this.config.managedZone}`);
    }
    const matching: ApiRecordSet[] = [];
    for (const record of records) {
      const metadata: unknown = record.metadata;
      const parsed = apiRecordSet.safeParse(metadata);
      if (!parsed.success) throw new ProviderError(KIND, `unexpected record set from the API: ${parsed.error.message}`);
      if (parsed.data.name.toLowerCase() === this.config.name && parsed.data.type === this.config.type) matching.push(parsed.data);
    }
    if (matching.length > 1) throw new ProviderError(KIND, `the API returned ${matching.length} record sets for ${describeRecordSet(this.config)}`);
    return matching[0] ?? null;
  }

  /** Once: the managed zone exists and holds the configured name, so later errors mean something else. */
  private async checkZone(signal: AbortSignal): Promise<void> {
    if (this.zoneChecked) return;
    let metadata: unknown;
    try {
      [metadata] = await raceAbort(this.zone.getMetadata(), signal);
    } catch (error) {
      if (error === signal.reason) throw error;
      throw apiFailure('cannot get the managed zone', error, `managed zone ${this.config.managedZone} in project ${this.config.project}`);
    }
    const parsed = zoneMetadata.safeParse(metadata);
    if (!parsed.success) throw new ProviderError(KIND, `unexpected managed zone from the API: ${parsed.error.message}`);
    const dnsName = parsed.data.dnsName.toLowerCase();
    if (!isWithin(this.config.name, dnsName)) {
      throw new ProviderError(KIND, `${this.config.name} is not inside managed zone ${this.config.managedZone} (${dnsName})`);
    }
    this.zoneChecked = true;
  }
}

function sameOrBothAbsent(a: ApiRecordSet | null, b: ApiRecordSet | null): boolean {
  return a === null || b === null ? a === b : sameRecordSet(a, b);
}

/** Every region has addresses of the record set's type, each in one region only. */
function checkCloudDns(config: CloudDnsProviderConfig, setup: ProviderSetup): SetupProblem[] {
  const family = config.type === 'A' ? isIPv4 : isIPv6;
  const wrongFamily = Object.entries(setup.regions).flatMap(([region, spec]) =>
    spec.targets.flatMap((target, index): SetupProblem[] =>
      family(target)
        ? []
        : [{ path: ['regions', region, 'targets', index], message: `${target} is not an address for the cloud-dns ${config.type} record set` }],
    ),
  );
  return [...addressProblems(setup.regions), ...wrongFamily];
}

export const cloudDnsProvider = defineProvider({
  kind: KIND,
  schema: cloudDnsProviderSchema,
  check: checkCloudDns,
  create: (config, context) => new CloudDnsProvider(config, context),
});
