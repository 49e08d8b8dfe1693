// Prometheus metrics of probers: blackbox_exporter's gauge names (so existing dashboards work), labelled
// by probe, target, target_region and vantage, plus cumulative counters so a missed scrape loses nothing.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Outcome } from './outcome.js';
import type { SchedulerObserver, TargetLabels } from './scheduler.js';
import type { ShipperObserver } from './shipper.js';
import { TargetGauges } from './target-gauges.js';

type CounterLabelName = 'probe' | 'target_region' | 'vantage' | 'failure';

/** A cumulative count and how much of it prom-client has been given. */
interface Tally {
  labels: Record<CounterLabelName, string>;
  count: number;
  published: number;
}

interface CounterSeries {
  key: string;
  labels: { probe: string; target_region: string; vantage: string };
  /** One tally per failure label value used so far ("" for success); removal walks them. */
  totals: Map<string, Tally>;
  successes: Tally;
  /** Targets of this (probe, target region, vantage) that have reported and not been removed. */
  targets: number;
  /** Its last target went: labels objects that still lead here look again. */
  removed: boolean;
}

export class ProberMetrics implements SchedulerObserver {
  readonly registry: Registry;
  /** probe_success and the other per-target gauges: outside prom-client, written by `exposition`. */
  private readonly gauges = new TargetGauges();
  private readonly total: Counter<CounterLabelName>;
  private readonly successTotal: Counter<CounterLabelName>;
  private readonly skippedTotal: Counter<'probe' | 'target_region' | 'vantage'>;
  private readonly overrunTotal: Counter<'probe' | 'target_region' | 'vantage'>;
  private readonly jitter: Histogram<'vantage'>;
  private readonly targets: Gauge<'vantage'>;
  private readonly shipped: Counter<'vantage'>;
  private readonly resultsShipped: Counter<'vantage'>;
  private readonly failed: Counter<'vantage' | 'reason'>;
  private readonly rejected: Counter<'vantage'>;
  private readonly spoolBatches: Gauge<'vantage'>;
  private readonly spoolBytes: Gauge<'vantage'>;
  private readonly droppedBatches: Counter<'vantage'>;
  private readonly droppedResults: Counter<'vantage'>;
  private readonly counters = new Map<string, CounterSeries>();
  /** The scheduler passes the same labels object for every attempt of a target: found without a key. */
  private readonly counterByLabels = new WeakMap<TargetLabels, CounterSeries>();

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const counterLabels: CounterLabelName[] = ['probe', 'target_region', 'vantage', 'failure'];
    this.total = new Counter({
      name: 'vigil_probe_total',
      help: 'Probe attempts, by failure kind ("" for success)',
      labelNames: counterLabels,
      registers,
      collect: () => {
        for (const counter of this.counters.values()) for (const tally of counter.totals.values()) publish(this.total, tally);
      },
    });
    this.successTotal = new Counter({
      name: 'vigil_probe_success_total',
      help: 'Successful probe attempts (failure is always "")',
      labelNames: counterLabels,
      registers,
      collect: () => {
        for (const counter of this.counters.values()) publish(this.successTotal, counter.successes);
      },
    });
    const slotLabels: Array<'probe' | 'target_region' | 'vantage'> = ['probe', 'target_region', 'vantage'];
    this.skippedTotal = new Counter({
      name: 'vigil_probe_skipped_total',
      help: 'Slots without an attempt because the previous attempt of the same target was still running',
      labelNames: slotLabels,
      registers,
    });
    this.overrunTotal = new Counter({
      name: 'vigil_probe_overrun_total',
      help: 'Attempts whose runner did not finish within timeout + 100 ms (recorded as timeouts)',
      labelNames: slotLabels,
      registers,
    });
    this.jitter = new Histogram({
      name: 'vigil_probe_scheduling_jitter_seconds',
      help: 'Actual start minus planned start of probe attempts',
      labelNames: ['vantage'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.targets = new Gauge({ name: 'vigil_probe_targets', help: 'Scheduled (probe, target) pairs', labelNames: ['vantage'], registers });
    this.shipped = new Counter({ name: 'vigil_shipper_batches_shipped_total', help: 'Result batches committed by the sink', labelNames: ['vantage'], registers });
    this.resultsShipped = new Counter({
      name: 'vigil_shipper_results_shipped_total',
      help: 'Results in batches committed by the sink',
      labelNames: ['vantage'],
      registers,
    });
    this.failed = new Counter({
      name: 'vigil_shipper_batches_failed_total',
      help: 'Failed attempts to ship a batch that will be retried, by reason',
      labelNames: ['vantage', 'reason'],
      registers,
    });
    this.rejected = new Counter({
      name: 'vigil_shipper_batches_rejected_total',
      help: 'Batches the server refused as invalid (4xx): dropped, never retried',
      labelNames: ['vantage'],
      registers,
    });
    this.spoolBatches = new Gauge({ name: 'vigil_spool_batches', help: 'Batches waiting in the spool', labelNames: ['vantage'], registers });
    this.spoolBytes = new Gauge({ name: 'vigil_spool_bytes', help: 'Bytes of batches waiting in the spool', labelNames: ['vantage'], registers });
    this.droppedBatches = new Counter({
      name: 'vigil_spool_dropped_batches_total',
      help: 'Oldest batches dropped because the spool was full',
      labelNames: ['vantage'],
      registers,
    });
    this.droppedResults = new Counter({
      name: 'vigil_spool_dropped_results_total',
      help: 'Results in batches dropped because the spool was full',
      labelNames: ['vantage'],
      registers,
    });
  }

  attempted(labels: TargetLabels, outcome: Outcome): void {
    const added = this.gauges.set(labels, outcome);
    const counter = this.counterFor(labels);
    if (added) counter.targets++;
    const failure = outcome.failure ?? '';
    let total = counter.totals.get(failure);
    if (!total) {
      total = { labels: { ...counter.labels, failure }, count: 0, published: 0 };
      counter.totals.set(failure, total);
    }
    total.count++;
    if (outcome.ok) counter.successes.count++;
  }

  skipped(labels: TargetLabels, slots: number): void {
    this.skippedTotal.inc(slotLabelValues(labels), slots);
  }

  overran(labels: TargetLabels): void {
    this.overrunTotal.inc(slotLabelValues(labels));
  }

  started(vantage: string, lateMs: number): void {
    this.jitter.observe({ vantage }, Math.max(0, lateMs) / 1000);
  }

  scheduled(vantage: string, targets: number): void {
    this.targets.set({ vantage }, targets);
  }

  /** Drops a removed target's series; the probe's counters go when its last target in that region does. */
  removed(labels: TargetLabels): void {
    if (!this.gauges.remove(labels)) return;
    const key = counterKey(labels);
    const counter = this.counters.get(key);
    if (!counter || --counter.targets > 0) return;
    this.counters.delete(key);
    counter.removed = true;
    for (const failure of counter.totals.keys()) this.total.remove({ ...counter.labels, failure });
    this.successTotal.remove({ ...counter.labels, failure: '' });
    this.skippedTotal.remove(counter.labels);
    this.overrunTotal.remove(counter.labels);
  }

  /**
   * Writes the whole Prometheus text: the per-target gauges, then every metric of the registry. The gauges
   * come in chunks, so that a scrape of 10,000 targets never holds all of its text at once.
   */
  async *exposition(): AsyncGenerator<string> {
    yield* this.gauges.exposition();
    yield await this.registry.metrics();
  }

  /** The shipping side of one vantage's prober. */
  shipper(vantage: string): ShipperObserver {
    const labels = { vantage };
    return {
      shipped: (results) => {
        this.shipped.inc(labels);
        this.resultsShipped.inc(labels, results);
      },
      failed: (reason) => this.failed.inc({ vantage, reason }),
      rejected: () => this.rejected.inc(labels),
      spooled: (batches, bytes) => {
        this.spoolBatches.set(labels, batches);
        this.spoolBytes.set(labels, bytes);
      },
      dropped: (batches, results) => {
        this.droppedBatches.inc(labels, batches);
        this.droppedResults.inc(labels, results);
      },
    };
  }

  private counterFor(labels: TargetLabels): CounterSeries {
    const cached = this.counterByLabels.get(labels);
    if (cached && !cached.removed) return cached;
    const key = counterKey(labels);
    let counter = this.counters.get(key);
    if (!counter) {
      const slot = slotLabelValues(labels);
      counter = { key, labels: slot, totals: new Map(), successes: { labels: { ...slot, failure: '' }, count: 0, published: 0 }, targets: 0, removed: false };
      this.counters.set(key, counter);
    }
    this.counterByLabels.set(labels, counter);
    return counter;
  }
}

/** Hands prom-client what a tally counted since the last scrape (a series appears with its first count). */
function publish(counter: Counter<CounterLabelName>, tally: Tally): void {
  if (tally.count === tally.published) return;
  counter.inc(tally.labels, tally.count - tally.published);
  tally.published = tally.count;
}

function counterKey(labels: TargetLabels): string {
  return `${labels.probe}\u0000${labels.targetRegion}\u0000${labels.vantage}`;
}

function slotLabelValues(labels: TargetLabels): { probe: string; target_region: string; vantage: string } {
  return { probe: labels.probe, target_region: labels.targetRegion, vantage: labels.vantage };
}
