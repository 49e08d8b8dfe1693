// The `haproxy` provider: region weights as the weights of the servers of one HAProxy backend, read and
// set through HAProxy's runtime API (the admin stats socket).
//
// Mapping: a region's Vigil weight IS the HAProxy weight of each of its servers (whole numbers 0–256),
// so spec.regions weight 100 and a 50 % step give every server of the region weight 50. A region at 0
// also has its servers in drain state; leaving 0 sets them ready again. HAProxy shares traffic by server,
// so a region's share is its weight × its serving servers over the backend's total.
// read() gives each region its servers' weight (0 for a server Vigil drained), ignoring servers someone
// put in maintenance; servers of one region that disagree (a change cut off halfway) read as their
// mean, which is neither the old nor the new weight, so the orchestrator applies again.
// apply() reads the servers' states, sends only the commands needed (raising regions first, then
// lowering ones, one command per connection), refuses any plan that would leave the backend without
// weight at any moment, then reads back and checks every server.
import path from 'node:path';
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
import { checkWeights } from '../weights.js';
import { afterCommands, commandLine, emptiesBackend, planApply } from './plan.js';
import { describeEndpoint, type RuntimeApiEndpoint, RuntimeApiError, runtimeCommand, runtimeSet } from './runtime-api.js';
import { type HaproxyProviderConfig, haproxyProviderSchema } from './schema.js';
import { effectiveWeight, parseServersState, type ServerState, ServersStateError } from './servers-state.js';

const KIND = 'haproxy';
/** HAProxy's range for `set weight`. */
const MAX_WEIGHT = 256;

export class HaproxyProvider implements WeightProvider {
  readonly kind = KIND;
  private readonly endpoint: RuntimeApiEndpoint;

  constructor(
    private readonly config: HaproxyProviderConfig,
    private readonly context: ProviderContext,
  ) {
    this.endpoint = config.socket !== undefined ? { path: path.resolve(context.root, config.socket) } : (config.address as RuntimeApiEndpoint);
    throwSetupErrors(KIND, checkHaproxy(config, { regions: context.regions, steps: [] }));
  }

  async read(signal: AbortSignal): Promise<Weights> {
    const servers = await this.serversState(signal);
    const weights: Weights = {};
    for (const [region, names] of Object.entries(this.config.servers)) {
      const states = names.map((name) => servers.get(name) as ServerState);
      const available = states.filter((server) => !server.maintenance);
      const counted = (available.length > 0 ? available : states).map(effectiveWeight);
      const weight = counted.reduce((sum, w) => sum + w, 0) / counted.length;
      if (counted.some((w) => w !== counted[0])) {
        this.context.logger.warn({ region, servers: names, weights: counted }, `haproxy: the servers of ${region} disagree; reading their mean weight ${weight}`);
      }
      weights[region] = weight;
    }
    return weights;
  }

  async apply(weights: Weights, signal: AbortSignal): Promise<void> {
    checkWeights(KIND, weights, this.context.regions);
    for (const [region, weight] of Object.entries(weights)) {
      if (!isHaproxyWeight(weight)) {
        throw new ProviderError(KIND, `weight of ${region} is ${weight}: HAProxy server weights are whole numbers from 0 to ${MAX_WEIGHT}; nothing was changed`);
      }
    }
    const before = await this.serversState(signal);
    const commands = planApply(before, this.config.servers, weights);
    if (emptiesBackend(before, commands)) {
      throw new ProviderError(KIND, `refusing: backend ${this.config.backend} would be left with no server taking traffic; nothing was changed`);
    }
    for (const [index, command] of commands.entries()) {
      const line = commandLine(this.config.backend, command);
      try {
        await runtimeSet(this.endpoint, line, { signal, timeoutMs: this.config.timeout });
      } catch (error) {
        throw this.asProviderError(error, ` (${index} of ${commands.length} commands were applied before)`);
      }
    }
    const expected = afterCommands(before, commands);
    const after = await this.serversState(signal);
    const mismatches = Object.values(this.config.servers)
      .flat()
      .flatMap((name) => {
        const want = expected.get(name) as ServerState;
        const got = after.get(name) as ServerState;
        return got.userWeight === want.userWeight && got.drained === want.drained ? [] : [`${name} ${describeServer(got)} (expected ${describeServer(want)})`];
      });
    if (mismatches.length > 0) {
      throw new ProviderError(KIND, `after applying, backend ${this.config.backend} does not hold the new weights: ${mismatches.join('; ')}`);
    }
    this.context.logger.info({ weights, commands: commands.length }, `haproxy: applied the weights to backend ${this.config.backend}`);
  }

  async close(): Promise<void> {}

  /** Every server of the backend, after checking that each configured server is one of them. */
  private async serversState(signal: AbortSignal): Promise<Map<string, ServerState>> {
    const command = `show servers state ${this.config.backend}`;
    let servers: Map<string, ServerState>;
    try {
      servers = parseServersState(await runtimeCommand(this.endpoint, command, { signal, timeoutMs: this.config.timeout }), this.config.backend);
    } catch (error) {
      throw this.asProviderError(error, '');
    }
    const missing = Object.values(this.config.servers)
      .flat()
      .filter((name) => !servers.has(name));
    if (missing.length > 0) {
      const present = [...servers.keys()].join(', ') || 'none';
      throw new ProviderError(KIND, `backend ${this.config.backend} at ${describeEndpoint(this.endpoint)} has no server ${missing.join(', ')} (its servers: ${present})`);
    }
    return servers;
  }

  /** Errors from HAProxy become ProviderErrors; the signal's reason and programming errors pass through. */
  private asProviderError(error: unknown, suffix: string): unknown {
    if (error instanceof RuntimeApiError || error instanceof ServersStateError) {
      return new ProviderError(KIND, `${describeEndpoint(this.endpoint)}: ${error.message}${suffix}`, { cause: error });
    }
    return error;
  }
}

function isHaproxyWeight(weight: number): boolean {
  return Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT;
}

function describeServer(server: ServerState): string {
  return `weight ${server.userWeight}${server.drained ? ', drained' : ''}`;
}

/**
 * The servers of every region are listed, for configured regions only, and every weight the policy can
 * ask for (a region's weight, and that weight × each step's percent) is a weight HAProxy can set.
 */
function checkHaproxy(config: HaproxyProviderConfig, setup: ProviderSetup): SetupProblem[] {
  const regions = Object.keys(setup.regions);
  const problems: SetupProblem[] = [];
  const unmapped = regions.filter((region) => !Object.hasOwn(config.servers, region));
  if (unmapped.length > 0) {
    problems.push({
      path: ['failover', 'provider', 'servers'],
      message: `no servers for region(s) ${unmapped.join(', ')}: list the servers of every region`,
    });
  }
  for (const region of Object.keys(config.servers).filter((r) => !Object.hasOwn(setup.regions, r))) {
    problems.push({ path: ['failover', 'provider', 'servers', region], message: `is not a configured region (configured: ${regions.join(', ')})` });
  }
  for (const [region, spec] of Object.entries(setup.regions)) {
    if (!isHaproxyWeight(spec.weight)) {
      problems.push({ path: ['regions', region, 'weight'], message: `is ${spec.weight}: HAProxy server weights are whole numbers from 0 to ${MAX_WEIGHT}` });
      continue;
    }
    setup.steps.forEach((step, index) => {
      const weight = (spec.weight * step.weightPercent) / 100;
      if (!isHaproxyWeight(weight)) {
        problems.push({
          path: ['failover', 'steps', index, 'weightPercent'],
          message: `gives ${region} weight ${weight}: HAProxy server weights are whole numbers from 0 to ${MAX_WEIGHT}`,
        });
      }
    });
  }
  return problems;
}

export const haproxyProvider = defineProvider({
  kind: KIND,
  schema: haproxyProviderSchema,
  check: checkHaproxy,
  create: (config, context) => new HaproxyProvider(config, context),
});
