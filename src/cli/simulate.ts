// `vigil simulate SCENARIO.yaml`: what the failover policy would do in a synthetic incident.

import { type Command, Option } from 'commander';
import { loadSimulation } from '../failover/simulate/load.js';
import { SimulationError, type SimulationReport, simulate } from '../failover/simulate/simulator.js';
import type { Cli, ExitCode, Io } from './io.js';

export interface SimulateOptions {
  format: 'json' | 'table';
}

export async function simulateCommand(file: string, options: SimulateOptions, io: Io): Promise<ExitCode> {
  let report: SimulationReport;
  let name: string;
  try {
    const input = await loadSimulation(file);
    name = input.scenario.metadata.name;
    report = await simulate(input);
  } catch (error) {
    if (!(error instanceof SimulationError)) throw error;
    io.err(`${file}: ${error.message}\n`);
    return 2;
  }
  io.out(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatTimeline(report, name));
  return 0;
}

function formatTimeline(report: SimulationReport, name: string): string {
  const lines = [`Simulation ${name}`, ''];
  for (const e of report.events) {
    if (e.type === 'weights') lines.push(`${e.t}  weights   ${Object.entries(e.weights).map(([r, w]) => `${r}=${w}`).join(' ')}`);
    else if (e.type === 'decision') {
      lines.push(`${e.t}  ${e.action.padEnd(8)}  ${(e.region ?? '*').padEnd(12)} ${e.outcome}${e.rule ? ` (${e.rule})` : ''}: ${e.reason}`);
    } else if (e.type === 'drill') {
      lines.push(`${e.t}  drill     ${e.drill} ${e.run} ${e.state}${e.reason ? `: ${e.reason}` : ''}`);
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
  if (report.summary.drills.length > 0) lines.push('Drills:');
  for (const d of report.summary.drills) {
    const times = d.drainSeconds === null ? '' : `, drained in ${d.drainSeconds} s${d.restoreSeconds === null ? '' : `, restored in ${d.restoreSeconds} s`}`;
    lines.push(`  ${d.drill} ${d.run} (${d.region}): ${d.outcome ?? 'in progress'}${d.reason ? ` (${d.reason})` : ''}${times}`);
  }
  lines.push(`Final weights: ${Object.entries(report.summary.finalWeights).map(([r, w]) => `${r}=${w}`).join(' ')}`, '');
  return lines.join('\n');
}

export function registerSimulate(program: Command, { io, setExit }: Cli): void {
  program
    .command('simulate')
    .description('replay a synthetic incident in virtual time through the engine and the failover policy')
    .argument('<scenario>', 'a kind: Scenario YAML file')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table'] as const).default('table'))
    .action(async (scenario: string, opts: SimulateOptions) => {
      setExit(await simulateCommand(scenario, opts, io));
    });
}
