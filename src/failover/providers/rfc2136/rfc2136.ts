// The `rfc2136` provider: region weights on any standard DNS server through Dynamic DNS UPDATE
// (RFC 2136) signed with TSIG (RFC 8945, HMAC-SHA256), over TCP.
//
// Plain DNS has no weights, so a region's weight decides how many of its targets are in the name's
// A/AAAA RRsets (see weights-record.ts), and the exact weights are kept beside them in a TXT RRset
// (`_vigil-weights.<name>`, one "region=weight" string per region).
// Every apply is ONE UPDATE message that deletes and re-adds the address RRsets and the TXT: the server
// applies an UPDATE's update section all or nothing, so the zone never shows half a change.
// read() queries the TXT and the addresses (TSIG-signed, answers verified) and refuses a TXT that
// disagrees with the published addresses; without a TXT, weights are derived from the addresses.
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
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
import { type Rfc2136ProviderConfig, rfc2136ProviderSchema, tsigSecret } from './schema.js';
import { exchange, TransportError } from './transport.js';
import { findTsig, signMessage, TSIG_ERRORS, type TsigKey, tsigKey, verifyMessage } from './tsig.js';
import { type AddressType, addressType, queryMessage, updateMessage } from './update-message.js';
import { normalize, parseWeightsText, publishedAddresses, publishedByRegion, regionAddresses, weightsInEffect, weightsText } from './weights-record.js';
import { readHeader, WireError } from './wire.js';

const KIND = 'rfc2136';

const RCODES: Readonly<Record<number, string>> = {
  1: 'FORMERR (the server could not parse the message)',
  2: 'SERVFAIL (the server failed to process it)',
  3: 'NXDOMAIN',
  4: 'NOTIMP (the server does not support this operation)',
  5: 'REFUSED (the key may not update this zone: check allow-update / update-policy)',
  6: 'YXDOMAIN (a prerequisite failed)',
  7: 'YXRRSET (a prerequisite failed)',
  8: 'NXRRSET (a prerequisite failed)',
  9: 'NOTAUTH (the server is not authoritative for the zone, or rejected the key)',
  10: 'NOTZONE (a name is outside the zone)',
};

export interface Rfc2136ProviderOptions {
  /** Seconds since the epoch, for signing and checking TSIG times. */
  now?: () => number;
}

export class Rfc2136Provider implements WeightProvider {
  readonly kind = KIND;
  private readonly managedTypes: AddressType[];
  private readonly weightsName: string;
  private readonly now: () => number;

  constructor(
    private readonly config: Rfc2136ProviderConfig,
    private readonly context: ProviderContext,
    options: Rfc2136ProviderOptions = {},
  ) {
    throwSetupErrors(KIND, checkRfc2136(config, { regions: context.regions, steps: [] }));
    const owner = regionsByAddress(context.regions);
    this.managedTypes = (['A', 'AAAA'] as const).filter((type) => [...owner.keys()].some((address) => addressType(address) === type));
    this.weightsName = config.weightsName ?? `_vigil-weights.${config.name}`;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async read(signal: AbortSignal): Promise<Weights> {
    const [txt, ...addressSets] = await Promise.all([
      this.query(this.weightsName, 'TXT', signal),
      ...this.managedTypes.map((type) => this.query(this.config.name, type, signal)),
    ]);
    const where = `${this.config.name} at ${this.server()}`;
    const published = publishedByRegion(addressSets.flat().map(normalize), this.context.regions, where);
    const recorded = txt.length === 0 ? null : parseWeightsText(txt, this.context.regions, `${this.weightsName} TXT`);
    return weightsInEffect(recorded, published, this.context.regions);
  }

  async apply(weights: Weights, signal: AbortSignal): Promise<void> {
    checkWeights(KIND, weights, this.context.regions);
    const message = updateMessage(randomInt(0, 65_536), {
      zone: this.config.zone,
      name: this.config.name,
      ttl: this.config.ttl,
      managedTypes: this.managedTypes,
      addresses: publishedAddresses(weights, this.context.regions),
      weightsName: this.weightsName,
      weightsText: weightsText(weights, this.context.regions),
    });
    const response = await this.ask(message, signal, `update of ${this.config.zone}`);
    const { rcode } = readHeader(response);
    if (rcode !== 0) {
      throw new ProviderError(KIND, `${this.server()} refused the update of ${this.config.name}: ${RCODES[rcode] ?? `rcode ${rcode}`}; nothing was changed`);
    }
  }

  async close(): Promise<void> {}

  /** The data of one RRset (addresses or TXT strings); empty when the name or the RRset does not exist. */
  private async query(name: string, type: AddressType | 'TXT', signal: AbortSignal): Promise<string[]> {
    const response = await this.ask(queryMessage(randomInt(0, 65_536), name, type), signal, `query for ${name} ${type}`);
    const { rcode } = readHeader(response);
    if (rcode === 3) return [];
    if (rcode !== 0) throw new ProviderError(KIND, `${this.server()} answered the query for ${name} ${type} with ${RCODES[rcode] ?? `rcode ${rcode}`}`);
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(response);
    } catch (error) {
      throw new ProviderError(KIND, `malformed answer from ${this.server()} for ${name} ${type}`, { cause: error });
    }
    const wanted = name.replace(/\.$/, '').toLowerCase();
    const data: string[] = [];
    for (const answer of packet.answers ?? []) {
      if (answer.name.toLowerCase() !== wanted || answer.type !== type) continue;
      if (answer.type === 'TXT') {
        const strings = Array.isArray(answer.data) ? answer.data : [answer.data];
        data.push(...strings.map((s) => (typeof s === 'string' ? s : s.toString('utf8'))));
      } else if (answer.type === 'A' || answer.type === 'AAAA') {
        data.push(answer.data);
      }
    }
    return data;
  }

  /** Sends a signed message and returns the answer once its TSIG checks out. */
  private async ask(message: Buffer, signal: AbortSignal, what: string): Promise<Buffer> {
    const key = this.key();
    const { signed, mac } = signMessage(message, key, { timeSigned: this.now() });
    let response: Buffer;
    try {
      response = await exchange(this.config.server, signed, signal);
    } catch (error) {
      if (error === signal.reason || !(error instanceof TransportError)) throw error;
      throw new ProviderError(KIND, `${what}: ${error.message}`, { cause: error });
    }
    try {
      const header = readHeader(response);
      if (!header.isResponse || header.id !== message.readUInt16BE(0)) {
        throw new ProviderError(KIND, `${what}: ${this.server()} answered with a message that does not match the request`);
      }
      const tsig = findTsig(response);
      if (tsig && tsig.error !== 0) {
        const reason = TSIG_ERRORS[tsig.error] ?? `TSIG error ${tsig.error}`;
        throw new ProviderError(KIND, `${what}: ${this.server()} rejected key ${key.name}: ${reason} (${RCODES[header.rcode] ?? `rcode ${header.rcode}`}); nothing was changed`);
      }
      const verdict = verifyMessage(response, key, { now: this.now(), requestMac: mac });
      if (!verdict.ok) {
        const unsigned = header.rcode !== 0 ? ` (rcode ${RCODES[header.rcode] ?? header.rcode})` : '';
        throw new ProviderError(KIND, `${what}: the answer from ${this.server()} failed TSIG verification: ${verdict.reason}${unsigned}`);
      }
    } catch (error) {
      if (error instanceof WireError) throw new ProviderError(KIND, `${what}: malformed answer from ${this.server()}: ${error.message}`, { cause: error });
      throw error;
    }
    return response;
  }

  private key(): TsigKey {
    const { key } = this.config;
    const secret = key.secret ?? (key.secretEnv === undefined ? undefined : process.env[key.secretEnv]);
    if (secret === undefined || secret === '') {
      throw new ProviderError(KIND, `environment variable ${key.secretEnv} (the TSIG secret of ${key.name}) is not set`);
    }
    if (!tsigSecret.safeParse(secret).success) {
      throw new ProviderError(KIND, `environment variable ${key.secretEnv} does not hold a base64 TSIG secret`);
    }
    return tsigKey(key.name, secret);
  }

  private server(): string {
    const { host, port } = this.config.server;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
}

/**
 * Every region has addresses, each in one region only; a warning for each partial step that still
 * publishes every address of some region (too few addresses per family to express it): for that region
 * the step moves no traffic, only its bake delays the drain.
 */
function checkRfc2136(_config: Rfc2136ProviderConfig, setup: ProviderSetup): SetupProblem[] {
  const stepWarnings = setup.steps.flatMap((step, index): SetupProblem[] => {
    if (step.weightPercent <= 0 || step.weightPercent >= 100) return [];
    const unmoved = Object.entries(setup.regions)
      .filter(([, spec]) => spec.targets.length > 0 && regionAddresses(spec, (spec.weight * step.weightPercent) / 100).length === spec.targets.length)
      .map(([region]) => region);
    if (unmoved.length === 0) return [];
    return [
      {
        path: ['failover', 'steps', index, 'weightPercent'],
        severity: 'warning',
        message: `the ${step.weightPercent} % step moves no traffic through rfc2136 for ${unmoved.join(', ')}: plain DNS shares traffic by address, and too few addresses per family are configured to publish part of them`,
      },
    ];
  });
  return [...addressProblems(setup.regions), ...stepWarnings];
}

export const rfc2136Provider = defineProvider({
  kind: KIND,
  schema: rfc2136ProviderSchema,
  check: checkRfc2136,
  create: (config, context) => new Rfc2136Provider(config, context),
});
