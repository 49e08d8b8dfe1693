// `vigil report`: every SLO at one instant, computed from an events file.
import { requireDefinitions } from '../config/load.js';
import { EventReport } from '../slo/event-report.js';
import { formatReport, type ReportFormat, reportDocument } from '../slo/report-format.js';
import { parseTimestamp, readEventsFile } from '../slo/sources/events-file.js';
import type { ExitCode, Io } from './io.js';

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
  const bad = await readEventsFile(options.events, new Set(slos.map((s) => s.name)), (event) => report.add(event));
  for (const line of bad) io.err(`${options.events}:${line.line}: ${line.message} (line skipped)\n`);
  io.out(formatReport(reportDocument(atMs, report.statuses()), options.format));
  return 0;
}
