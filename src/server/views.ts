// What the pages and the JSON API behind them show, computed in one place so a page and its API answer the
// same numbers: the overview, an SLO's detail, probe summaries, the failover and drill views, and reports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditToJson, statusToJson } from '../failover/api-json.js';
import type { FailoverController } from '../failover/controller.js';
import { runToJson } from '../failover/drills/api-json.js';
import type { DrillRunner } from '../failover/drills/runner.js';
import type { Clock } from '../lib/clock.js';
import { MINUTE_MS } from '../lib/duration.js';
import { longestPeriodMinutes } from '../slo/math/windows.js';
import type { SloDefinition } from '../slo/model.js';
import type { SloMonitor } from '../slo/monitor.js';
import type { PeriodReport } from '../slo/period-report.js';
import type { SloReport } from '../slo/report-format.js';
import type { SloSourceStatus } from '../slo/sources/puller.js';
import type { BucketStore } from '../store/bucket-store.js';
import type { Catalog } from './catalog.js';
import { NotFoundError } from './errors.js';
import { type Overview, overviewOf } from './overview-model.js';
import type { DrillsView } from './pages/drills.js';
import type { FailoverView } from './pages/failover.js';
import type { SloDetail } from './pages/slo-detail.js';
import { type ReportQuery, readPeriodReport } from './period-reports.js';
import type { ProbeBoard, ProbeSummary } from './probe-board.js';
import type { Runbooks } from './runbooks.js';
import { dataHeld, type EventSources, sloEvents } from './slo-timeline.js';

export interface ViewSources extends EventSources {
  monitor: SloMonitor;
  store: BucketStore;
  catalog: Catalog;
  clock: Clock;
  board: ProbeBoard;
  runbooks: Runbooks;
  /** Where vigil.yaml is: files are shown relative to it. */
  root: string;
  failover: FailoverController | null;
  drills: DrillRunner | null;
  /** The configured regions and their full weights. */
  regions: Readonly<Record<string, { weight: number }>>;
  /** The latest report with the silences in effect marked on its alerts. */
  silenced: (report: SloReport) => SloReport;
  sourceStatus: (slo: string) => SloSourceStatus | null;
}

/** The YAML document (of a multi-document file) that starts at or before `line`, as written. */
function documentAt(text: string, line: number): string {
  const lines = text.split(/\r?\n/);
  let start = 0;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (!/^---(\s|$)/.test(lines[i] ?? '')) continue;
    if (i < line - 1) start = i + 1;
    else if (i >= line) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join('\n').trim();
}

export class Views {
  constructor(private readonly sources: ViewSources) {}

  definitions(): readonly SloDefinition[] {
    return this.sources.catalog.snapshot().slos;
  }

  definition(name: string): SloDefinition {
    const def = this.sources.catalog.snapshot().slos.find((s) => s.name === name);
    if (!def) throw new NotFoundError(`no SLO named "${name}"`);
    return def;
  }

  overview(): Overview {
    const { monitor, catalog, failover, regions, silenced } = this.sources;
    return overviewOf(silenced(monitor.latest()), catalog.snapshot().slos, failover?.status() ?? null, regions);
  }

  sloDetail(name: string): SloDetail {
    const { store, clock, runbooks, monitor, silenced } = this.sources;
    const def = this.definition(name);
    const now = clock.now();
    const report = monitor.latest();
    const status = report.slos.find((s) => s.name === name);
    const marked = status ? (silenced({ at: report.at, slos: [status] }).slos[0] ?? status) : null;
    const runbookName = def.runbook === null ? null : runbooks.nameOf(def.runbook);
    const runbook = runbookName === null ? null : runbooks.read(runbookName);
    let yaml: SloDetail['yaml'] = null;
    try {
      yaml = { file: path.relative(this.sources.root, def.source.file) || def.source.file, text: documentAt(readFileSync(def.source.file, 'utf8'), def.source.line) };
    } catch {
      yaml = null;
    }
    return {
      def,
      at: report.at,
      status: marked,
      events: sloEvents(this.sources, def, now - longestPeriodMinutes(def) * MINUTE_MS, now),
      ...dataHeld(store, def, now),
      vantages: [...new Set(store.allSeries().filter((s) => s.slo === name && s.vantage !== '').map((s) => s.vantage))].sort(),
      runbook: runbook && runbookName !== null ? { href: `/runbooks/${encodeURIComponent(runbookName)}`, html: runbooks.render(runbook.markdown) } : null,
      yaml,
      source: this.sources.sourceStatus(name),
    };
  }

  probeSummary(): ProbeSummary {
    return this.sources.board.summary(this.sources.clock.now());
  }

  async failoverView(): Promise<FailoverView | null> {
    const { failover } = this.sources;
    if (!failover) return null;
    return { status: statusToJson(failover.status()), provider: await failover.providerWeights(), audit: failover.audit(100).map(auditToJson) };
  }

  drillsView(): DrillsView | null {
    const { drills, failover } = this.sources;
    if (!drills) return null;
    const { drills: summaries, awaitingApproval, active } = drills.list();
    const recent = summaries
      .flatMap((d) => drills.runs(d.name, 10))
      .filter((r) => r.endedAt !== null)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, 25)
      .map(runToJson);
    return { drills: summaries, awaitingApproval: awaitingApproval.map(runToJson), active: active && runToJson(active), weights: failover?.status().weights ?? {}, recent, now: this.sources.clock.now() };
  }

  report(query: ReportQuery): PeriodReport {
    return readPeriodReport(this.sources.store, this.sources, this.sources.catalog.snapshot().slos, query);
  }
}
