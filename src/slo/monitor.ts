// Evaluates every SLO on a fixed interval and keeps the latest report for the API and the UI.
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SloEngine } from './engine/engine.js';
import { reportDocument, type SloReport } from './report-format.js';

export interface SloMonitorOptions {
  engine: SloEngine;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}

export class SloMonitor {
  private latestReport: SloReport | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: Array<(report: SloReport, ms: number) => void> = [];

  constructor(private readonly options: SloMonitorOptions) {}

  /** Called after every evaluation (the failover orchestrator decides on fresh alerts this way). */
  onEvaluated(listener: (report: SloReport, ms: number) => void): void {
    this.listeners.push(listener);
  }

  /** Evaluates now; the result becomes what `latest()` returns. */
  tick(): SloReport {
    const started = performance.now();
    const at = this.options.clock.now();
    this.latestReport = reportDocument(at, this.options.engine.evaluate(at));
    const ms = performance.now() - started;
    this.options.logger.debug({ slos: this.latestReport.slos.length, ms: Math.round(ms * 10) / 10 }, 'evaluated SLOs');
    for (const listener of this.listeners) {
      try {
        listener(this.latestReport, ms);
      } catch (error) {
        this.options.logger.error({ err: error }, 'a listener of SLO evaluations failed');
      }
    }
    return this.latestReport;
  }

  latest(): SloReport {
    return this.latestReport ?? this.tick();
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        this.options.logger.error({ err: error }, 'SLO evaluation failed');
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
