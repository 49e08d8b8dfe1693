// `vigil report`: every SLO at one instant, computed from an events file.

import { type Command, Option } from 'commander';
import { requireDefinitions } from '../config/load.js';
import { parseTimestamp } from '../lib/timestamp.js';
import { EventReport } from '../slo/event-report.js';
import { formatReport, REPORT_FORMATS, type ReportFormat, reportDocument } from '../slo/report-format.js';
import { readEventsFile } from '../slo/sources/events-file.js';
import type { Cli, ExitCode, Io } from './io.js';

export interface ReportOptions {
  definitions: string;
  events: string;
  at?: string;
  format: ReportFormat;
  root?: string;
}

export async function reportCommand(options: ReportOptions, io: Io, now: () => number): Promise<ExitCode> {
  const atMs = options.at === undefined ? now() : parseTimestamp(options.at);
  if (atMs === null) {
    io.err(`--at: "${options.at}" is not an ISO 8601 time with an offset (e.g. 2026-11-01T00:00:00Z)\n`);
    return 2;
  }
  const { slos } = await requireDefinitions([options.definitions], { root: options.root });
  const report = new EventReport(slos, atMs);
  const declared = new Map(slos.map((s) => [s.name, s.regions]));
  const strayRegions = new Set<string>();
  const bad = await readEventsFile(options.events, new Set(declared.keys()), (event, line) => {
    report.add(event);
    // Counted either way (the SLO's totals hold every region); said once per SLO and region, as it is likely a typo.
    const regions = declared.get(event.slo) ?? [];
    const key = `${event.slo}\u0000${event.targetRegion}`;
    if (event.targetRegion !== '' && regions.length > 0 && !regions.includes(event.targetRegion) && !strayRegions.has(key)) {
      strayRegions.add(key);
      io.err(
        `${options.events}:${line}: warning: region "${event.targetRegion}" is not one of ${event.slo}'s regions (${regions.join(', ')}): counted in the SLO's totals only\n`,
      );
    }
  });
  for (const line of bad) io.err(`${options.events}:${line.line}: ${line.message} (line skipped)\n`);
  io.out(formatReport(reportDocument(atMs, report.statuses()), options.format));
  return 0;
}

export function registerReport(program: Command, { io, setExit }: Cli): void {
  program
    .command('report')
    .description('compute every SLO at one instant from an events file')
    .requiredOption('--events <file>', 'JSON Lines: {"slo","ts","good","total","region"?} per line')
    .option('--definitions <dir>', 'SLO definitions', 'slo-definitions')
    .option('--at <iso8601>', 'evaluation time (default: now)')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('--root <dir>', 'directory runbook paths are relative to', process.cwd())
    .action(async (opts: ReportOptions & { root: string }) => {
      setExit(await reportCommand(opts, io, Date.now));
    });
}
