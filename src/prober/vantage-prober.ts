// One vantage region's prober: the scheduler runs its probes, the shipper carries the results away
// (batched, spooled, retried) and the metrics hear both. Agents and `vigil up` build theirs from this.
import { type Logger, silentLogger } from '../lib/logger.js';
import type { ProbeKind, ProbeType } from './kinds/kind.js';
import type { ProberMetrics } from './metrics.js';
import type { ProbeDefinition, ProbeResult } from './model.js';
import { encodeResult, toResult } from './result-json.js';
import { type ReloadSummary, Scheduler, type TargetLabels } from './scheduler.js';
import { type ResultSink, Shipper, type ShipperObserver } from './shipper.js';
import type { Spool } from './spool.js';
import type { Timers } from './timers.js';

export interface VantageProberOptions {
  vantage: string;
  /** Where results go; without one they only show in the metrics. */
  sink: ResultSink | null;
  spool?: Spool | null;
  metrics: ProberMetrics;
  logger?: Logger;
  kinds?: ReadonlyMap<ProbeType, ProbeKind>;
  timers?: Timers;
  /** A batch is sealed at most this long after its first result (default 2 s). */
  batchAgeMs?: number;
  /** Hears every result as it is produced (e.g. the Cloud Monitoring exporter); must not block. */
  exporter?: ResultExporter | null;
}

/** Something that exports results elsewhere; its owner (agent, server) closes it after the prober. */
export interface ResultExporter {
  record(result: ProbeResult): void;
}

/** What a prober did since it started, for its shutdown log line. */
export interface ProberTally {
  /** Results produced (each one counted in vigil_probe_total). */
  results: number;
  /** Results in batches the sink committed. */
  shipped: number;
  /** Batches refused by the server as invalid. */
  rejected: number;
  /** Results in batches dropped because the spool or the memory queue was full. */
  dropped: number;
  /** Batches still waiting in the spool (after close: what the next run ships first). */
  spooledBatches: number;
}

export class VantageProber {
  readonly vantage: string;
  private readonly scheduler: Scheduler;
  private readonly shipper: Shipper | null;
  private readonly logger: Logger;
  private readonly tally: ProberTally = { results: 0, shipped: 0, rejected: 0, dropped: 0, spooledBatches: 0 };
  /** The last send failed: on close, one quick retry is all that is worth waiting for. */
  private sinkFailing = false;

  constructor(options: VantageProberOptions) {
    this.vantage = options.vantage;
    this.logger = options.logger ?? silentLogger();
    this.shipper = options.sink
      ? new Shipper({
          vantage: options.vantage,
          sink: options.sink,
          spool: options.spool ?? null,
          batchAgeMs: options.batchAgeMs,
          logger: this.logger,
          timers: options.timers,
          observer: this.counting(options.metrics.shipper(options.vantage)),
        })
      : null;
    this.scheduler = new Scheduler({
      vantage: options.vantage,
      kinds: options.kinds,
      timers: options.timers,
      logger: this.logger,
      observer: options.metrics,
      onResult: (labels, startedAt, outcome) => {
        this.tally.results++;
        this.shipper?.push(encodeResult(labels, startedAt, outcome));
        options.exporter?.record(toResult(labels, startedAt, outcome));
      },
    });
  }

  /** Applies a new set of definitions (those that do not run from this vantage are ignored). */
  setProbes(definitions: readonly ProbeDefinition[]): ReloadSummary {
    const summary = this.scheduler.setProbes(definitions);
    if (summary.added + summary.removed + summary.restarted > 0) {
      this.logger.info({ vantage: this.vantage, ...summary }, 'probe targets reloaded');
    }
    return summary;
  }

  targets(): TargetLabels[] {
    return this.scheduler.targets();
  }

  /** Attempts a second that the scheduled targets make at their intervals. */
  probesPerSecond(): number {
    return this.scheduler.probesPerSecond();
  }

  summary(): ProberTally {
    return { ...this.tally, spooledBatches: this.shipper?.backlog().spooled ?? 0 };
  }

  /**
   * Stops scheduling (attempts in flight are dropped, uncounted), then ships what is waiting for up to
   * `graceMs` (at most 1 s while the sink is failing); the rest stays in the spool for the next run.
   */
  async close(graceMs = 5000): Promise<ProberTally> {
    await this.scheduler.close();
    await this.shipper?.close(this.sinkFailing ? Math.min(graceMs, 1000) : graceMs);
    return this.summary();
  }

  private counting(metrics: ShipperObserver): ShipperObserver {
    return {
      shipped: (results) => {
        this.tally.shipped += results;
        this.sinkFailing = false;
        metrics.shipped(results);
      },
      failed: (reason) => {
        this.sinkFailing = true;
        metrics.failed(reason);
      },
      rejected: () => {
        this.sinkFailing = false;
        this.tally.rejected++;
        metrics.rejected();
      },
      spooled: (batches, bytes) => metrics.spooled(batches, bytes),
      dropped: (batches, results) => {
        this.tally.dropped += results;
        metrics.dropped(batches, results);
      },
    };
  }
}
