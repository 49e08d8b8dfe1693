// `vigil simulate SCENARIO.yaml`: what the failover policy would do in a synthetic incident.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireDefinitions } from '../config/load.js';
import { SimulationError, type SimulationReport, simulate } from '../failover/simulate/simulator.js';
import type { ExitCode, Io } from './io.js';

export interface SimulateOptions {
  format: 'json' | 'table';
}

export async function simulateCommand(file: string, options: SimulateOptions, io: Io): Promise<ExitCode> {
  const { items } = await requireDefinitions([file]);
  const scenarios = items.flatMap((i) => (i.type === 'scenario' ? [i.scenario] : []));
  const scenario = scenarios[0];
  if (!scenario || scenarios.length > 1) {
    io.err(`${file}: expected exactly one document of kind Scenario\n`);
    return 2;
  }
  // spec.config is relative to the scenario file; without it, ./vigil.yaml.
  const configFile = scenario.spec.config ? path.resolve(path.dirname(file), scenario.spec.config) : path.resolve('vigil.yaml');
  if (!existsSync(configFile)) {
    io.err(`${file}: config ${configFile} does not exist\n`);
    return 2;
  }
  const root = path.dirname(configFile);
  const { config } = await requireDefinitions([configFile], { root });
  const { slos } = await requireDefinitions([path.resolve(root, config.definitions.slos)], { root, optional: true });
  let report: SimulationReport;
  try {
    report = await simulate({ scenario, config, slos });
  } catch (error) {
    if (!(error instanceof SimulationError)) throw error;
    io.err(`${file}: ${error.message}\n`);
    return 2;
  }
  io.out(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatTimeline(report, scenario.metadata.name));
  return 0;
}

function formatTimeline(report: SimulationReport, name: string): string {
  const lines = [`Simulation ${name}`, ''];
  for (const e of report.events) {
    if (e.type === 'weights') lines.push(`${e.t}  weights   ${Object.entries(e.weights).map(([r, w]) => `${r}=${w}`).join(' ')}`);
    else if (e.type === 'decision') {
      lines.push(`${e.t}  ${e.action.padEnd(8)}  ${(e.region ?? '*').padEnd(12)} ${e.outcome}${e.rule ? ` (${e.rule})` : ''}: ${e.reason}`);
    } else {
      const verb = e.type === 'alert_firing' ? 'FIRING  ' : 'resolved';
      lines.push(`${e.t}  ${verb}  ${e.slo} ${e.severity} ${e.long}/${e.short} target ${e.targetRegion} from ${e.vantage}`);
    }
  }
  lines.push('', 'Drains:');
  for (const d of report.summary.drains) {
    lines.push(`  ${d.region} decided at ${d.decidedAt}${d.detectionSeconds === null ? '' : `, ${d.detectionSeconds} s after onset`}`);
  }
  if (report.summary.drains.length === 0) lines.push('  none');
  lines.push('Blocked:');
  for (const b of report.summary.blocked) lines.push(`  ${b.t} ${b.region ?? '*'}: ${b.rule}`);
  if (report.summary.blocked.length === 0) lines.push('  none');
  lines.push(`Final weights: ${Object.entries(report.summary.finalWeights).map(([r, w]) => `${r}=${w}`).join(' ')}`, '');
  return lines.join('\n');
}
