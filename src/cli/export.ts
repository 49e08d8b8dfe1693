// `vigil export prometheus-rules | grafana-dashboard | openslo`: Vigil's definitions in the formats the
// monitoring stack reads, on stdout or into --out FILE.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { requireDefinitions } from '../config/load.js';
import { grafanaDashboard } from '../interchange/grafana-dashboard.js';
import { exportOpenSlo } from '../interchange/openslo-export.js';
import { formatRuleFile, prometheusRules } from '../interchange/prometheus-rules.js';
import type { SloDefinition } from '../slo/model.js';
import type { Cli, ExitCode, Io } from './io.js';

export interface ExportOptions {
  definitions?: string;
  config?: string;
  root?: string;
  out?: string;
}

/** The SLOs to export: --definitions DIR, else the SLO folder a --config vigil.yaml names, else slo-definitions/. */
async function exportedSlos(options: ExportOptions): Promise<SloDefinition[]> {
  if (options.definitions === undefined && options.config !== undefined) {
    const root = path.dirname(path.resolve(options.config));
    const { config } = await requireDefinitions([options.config], { root });
    return (await requireDefinitions([path.resolve(root, config.definitions.slos)], { root: options.root ?? root })).slos;
  }
  return (await requireDefinitions([options.definitions ?? 'slo-definitions'], { root: options.root ?? process.cwd() })).slos;
}

async function emit(text: string, out: string | undefined, io: Io): Promise<void> {
  if (out === undefined) io.out(text);
  else await writeFile(out, text);
}

export async function exportPrometheusRules(options: ExportOptions, io: Io): Promise<ExitCode> {
  const slos = await exportedSlos(options);
  const { groups, skipped } = prometheusRules(slos);
  for (const { slo, reason } of skipped) {
    if (slo.indicator.kind === 'ratio' && slo.indicator.source === 'prometheus') {
      io.err(`${slo.source.file}:${slo.source.line}:${slo.source.col}: warning: ${slo.name} left out: ${reason}\n`);
    }
  }
  await emit(formatRuleFile(groups), options.out, io);
  const exported = slos.length - skipped.length;
  io.err(`${exported} SLO${exported === 1 ? '' : 's'} exported as ${groups.length} rule groups; ${skipped.length} without a Prometheus ratio SLI left out\n`);
  return 0;
}

export async function exportGrafanaDashboard(options: { out?: string }, io: Io): Promise<ExitCode> {
  await emit(`${JSON.stringify(grafanaDashboard(), null, 2)}\n`, options.out, io);
  return 0;
}

export async function exportOpenSloCommand(options: ExportOptions, io: Io): Promise<ExitCode> {
  await emit(exportOpenSlo(await exportedSlos(options)), options.out, io);
  return 0;
}

export function registerExport(program: Command, { io, setExit }: Cli): void {
  const command = program.command('export').description('write SLOs and probe metrics in other tools\' formats');
  const definitions = (sub: Command) =>
    sub
      .option('--definitions <dir>', 'SLO definitions, a folder or file (default: slo-definitions, or the --config file\'s)')
      .option('--config <file>', 'vigil.yaml whose spec.definitions.slos folder to export')
      .option('--root <dir>', 'directory runbook paths are relative to (default: the current one, or the --config file\'s)')
      .option('--out <file>', 'write to FILE instead of stdout');
  definitions(
    command
      .command('prometheus-rules')
      .description('Prometheus recording and burn-rate alert rules (Sloth names) for every SLO with a Prometheus ratio SLI'),
  ).action(async (opts: ExportOptions) => setExit(await exportPrometheusRules(opts, io)));
  command
    .command('grafana-dashboard')
    .description('a Grafana 10+ dashboard for the probe metrics on /metrics')
    .option('--out <file>', 'write to FILE instead of stdout')
    .action(async (opts: { out?: string }) => setExit(await exportGrafanaDashboard(opts, io)));
  definitions(command.command('openslo').description('every SLO as an openslo/v1 SLO document')).action(
    async (opts: ExportOptions) => setExit(await exportOpenSloCommand(opts, io)),
  );
}
