// A scenario file and what it runs against: its vigil.yaml (spec.config, relative to the scenario file;
// without it, ./vigil.yaml) and that configuration's SLO definitions.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireDefinitions } from '../../config/load.js';
import { SimulationError, type SimulationInput } from './simulator.js';

/** Throws ConfigError (file:line:col) for invalid files, SimulationError when the scenario cannot run. */
export async function loadSimulation(file: string): Promise<SimulationInput> {
  const { items } = await requireDefinitions([file]);
  const scenarios = items.flatMap((i) => (i.type === 'scenario' ? [i.scenario] : []));
  const scenario = scenarios[0];
  if (!scenario || scenarios.length > 1) throw new SimulationError('expected exactly one document of kind Scenario');
  const configFile = scenario.spec.config ? path.resolve(path.dirname(file), scenario.spec.config) : path.resolve('vigil.yaml');
  if (!existsSync(configFile)) throw new SimulationError(`config ${configFile} does not exist`);
  const root = path.dirname(configFile);
  const { config } = await requireDefinitions([configFile], { root });
  const { slos } = await requireDefinitions([path.resolve(root, config.definitions.slos)], { root, optional: true });
  return { scenario, config, slos };
}
