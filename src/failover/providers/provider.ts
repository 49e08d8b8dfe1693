// Where failover decisions take effect: DNS or load-balancer weights per region, behind one interface.
// Adding a provider = a folder with schema + implementation + tests, and one line in ./index.ts.
import type { z } from 'zod';
import type { Logger } from '../../lib/logger.js';

/** Weight per region name. A weight of 0 means the region gets no traffic. */
export type Weights = Record<string, number>;

export interface RegionSpec {
  /** The region's weight when fully serving. */
  weight: number;
  /** Share of global peak traffic (percent) the region can serve. */
  capacity: number;
  /** Addresses (A/AAAA record data) that serve the region. */
  targets: string[];
}

export interface ProviderContext {
  regions: Readonly<Record<string, RegionSpec>>;
  /** Directory relative paths in the provider config are resolved against. */
  root: string;
  logger: Logger;
}

export interface WeightProvider {
  readonly kind: string;
  /** The weights in effect at the provider right now. */
  read(signal: AbortSignal): Promise<Weights>;
  /** Sets every region's weight in one change, as atomically as the provider allows. */
  apply(weights: Weights, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** What a provider's setup check sees of vigil.yaml besides its own config. */
export interface ProviderSetup {
  regions: Readonly<Record<string, RegionSpec>>;
  /** The drain steps: every weight the policy can ask for is a region's weight × one of these percents. */
  steps: ReadonlyArray<{ weightPercent: number }>;
}

/** A setup problem, located by its path from vigil.yaml's `spec` (e.g. ['regions', 'eu-west1', 'weight']). */
export interface SetupProblem {
  path: Array<string | number>;
  message: string;
  severity?: 'error' | 'warning';
}

export interface ProviderKind<Config> {
  kind: string;
  /** Schema of `failover.provider` (including `kind`), used by `vigil validate`. */
  schema: z.ZodType<Config>;
  /** What the schema alone cannot see: the provider against the regions and steps (`vigil validate`, start-up). */
  check?(config: Config, setup: ProviderSetup): SetupProblem[];
  create(config: Config, context: ProviderContext): WeightProvider;
}

/** A provider kind as the registry holds it: its config is only known to be schema-valid. */
export interface AnyProviderKind {
  kind: string;
  schema: z.ZodType;
  check(config: unknown, setup: ProviderSetup): SetupProblem[];
  create(config: unknown, context: ProviderContext): WeightProvider;
}

export function defineProvider<Config>(kind: ProviderKind<Config>): AnyProviderKind {
  return {
    kind: kind.kind,
    schema: kind.schema,
    check: (config, setup) => kind.check?.(config as Config, setup) ?? [],
    create: (config, context) => kind.create(config as Config, context),
  };
}

/** Where in vigil.yaml a setup problem is, and the problem: `spec.regions.eu-west1.weight: is 1000: …`. */
export function describeSetupProblem(problem: SetupProblem): string {
  return `${['spec', ...problem.path].join('.')}: ${problem.message}`;
}

/** Throws the first error of a setup check, for a provider built without `vigil validate` having run. */
export function throwSetupErrors(provider: string, problems: readonly SetupProblem[]): void {
  const error = problems.find((problem) => problem.severity !== 'warning');
  if (error) throw new ProviderError(provider, describeSetupProblem(error));
}

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'ProviderError';
  }
}
