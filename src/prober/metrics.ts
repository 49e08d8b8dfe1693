// Prometheus metrics of probers: blackbox_exporter's gauge names (so existing dashboards work), labelled
// by probe, target, target_region and vantage, plus cumulative counters so a missed scrape loses nothing.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProbeResult } from './model.js';
import type { Outcome, Phases } from './outcome.js';
import type { SchedulerObserver, TargetLabels } from './scheduler.js';
import type { ShipperObserver } from './shipper.js';

type TargetLabelName = 'probe' | 'target' | 'target_region' | 'vantage';
type CounterLabelName = 'probe' | 'target_region' | 'vantage' | 'failure';

/** Vigil's phase names → blackbox_exporter's `phase` label values. */
const BLACKBOX_PHASES: ReadonlyArray<[keyof Phases, string]> = [
  ['dns', 'resolve'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['ttfb', 'processing'],
  ['transfer', 'transfer'],
];

// An attempt only updates plain numbers here; they are published into prom-client when it collects, at
// scrape time. Setting ten labelled series per attempt (each set hashing the labels, URL included, and
// allocating an entry that lives until the target's next attempt) cost an eighth of the prober's CPU and
// filled the old generation with garbage.
interface TargetSeries {
  key: string;
  labels: Record<TargetLabelName, string>;
  http: boolean;
  success: number;
  /** Seconds. */
  duration: number;
  status: number;
  /** Seconds per blackbox phase, in BLACKBOX_PHASES order, with their label sets; empty unless http. */
  phases: Array<{ labels: Record<TargetLabelName | 'phase', string>; seconds: number }>;
  /** Unix seconds; once seen, kept until an attempt sees another. */
  certExpiry: number | undefined;
  counter: CounterSeries;
  removed: boolean;
}

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
  targets: Set<string>;
}

export class ProberMetrics implements SchedulerObserver {
  readonly registry: Registry;
  private readonly success: Gauge<TargetLabelName>;
  private readonly duration: Gauge<TargetLabelName>;
  private readonly httpStatus: Gauge<TargetLabelName>;
  private readonly httpPhase: Gauge<TargetLabelName | 'phase'>;
  private readonly certExpiry: Gauge<TargetLabelName>;
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
  private readonly series = new Map<string, TargetSeries>();
  /** The scheduler passes the same labels object for every attempt of a target: found without a key. */
  private readonly seriesByLabels = new WeakMap<TargetLabels, TargetSeries>();
  private readonly counters = new Map<string, CounterSeries>();

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const targetLabels: TargetLabelName[] = ['probe', 'target', 'target_region', 'vantage'];
    const counterLabels: CounterLabelName[] = ['probe', 'target_region', 'vantage', 'failure'];
    this.success = new Gauge({
      name: 'probe_success',
      help: 'Whether the last probe was a success',
      labelNames: targetLabels,
      registers,
      collect: () => {
        for (const s of this.series.values()) this.success.set(s.labels, s.success);
      },
    });
    this.duration = new Gauge({
      name: 'probe_duration_seconds',
      help: 'How long the last probe took to complete in seconds',
      labelNames: targetLabels,
      registers,
      collect: () => {
        for (const s of this.series.values()) this.duration.set(s.labels, s.duration);
      },
    });
    this.httpStatus = new Gauge({
      name: 'probe_http_status_code',
      help: 'Response HTTP status code of the last probe (0 when no response arrived)',
      labelNames: targetLabels,
      registers,
      collect: () => {
        for (const s of this.series.values()) if (s.http) this.httpStatus.set(s.labels, s.status);
      },
    });
    this.httpPhase = new Gauge({
      name: 'probe_http_duration_seconds',
      help: 'Duration of the last HTTP probe by phase, summed over all redirects',
      labelNames: [...targetLabels, 'phase'],
      registers,
      collect: () => {
        for (const s of this.series.values()) for (const phase of s.phases) this.httpPhase.set(phase.labels, phase.seconds);
      },
    });
    this.certExpiry = new Gauge({
      name: 'probe_ssl_earliest_cert_expiry',
      help: 'Unix time of the earliest expiring certificate in the chain of the last probe',
      labelNames: targetLabels,
      registers,
      collect: () => {
        for (const s of this.series.values()) if (s.certExpiry !== undefined) this.certExpiry.set(s.labels, s.certExpiry);
      },
    });
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

  attempted(labels: TargetLabels, result: ProbeResult, outcome: Outcome): void {
    const series = this.seriesFor(labels);
    series.success = result.ok ? 1 : 0;
    series.duration = result.latencyMs / 1000;
    series.status = result.status ?? 0;
    const phases = outcome.phases;
    for (let i = 0; i < series.phases.length; i++) {
      const phase = series.phases[i];
      const name = BLACKBOX_PHASES[i]?.[0];
      if (phase && name) phase.seconds = (phases?.[name] ?? 0) / 1000;
    }
    if (outcome.certExpiresAt !== undefined) series.certExpiry = outcome.certExpiresAt / 1000;
    const { counter } = series;
    const failure = result.failure ?? '';
    let total = counter.totals.get(failure);
    if (!total) {
      total = { labels: { ...counter.labels, failure }, count: 0, published: 0 };
      counter.totals.set(failure, total);
    }
    total.count++;
    if (result.ok) counter.successes.count++;
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
    const key = targetKey(labels);
    const series = this.series.get(key);
    this.series.delete(key);
    if (series) series.removed = true;
    const target = targetLabelValues(labels);
    for (const gauge of [this.success, this.duration, this.httpStatus, this.certExpiry]) gauge.remove(target);
    for (const [, phase] of BLACKBOX_PHASES) this.httpPhase.remove(phaseLabelValues(target, phase));
    if (!series) return;
    const { counter } = series;
    counter.targets.delete(key);
    if (counter.targets.size > 0) return;
    this.counters.delete(counter.key);
    for (const failure of counter.totals.keys()) this.total.remove({ ...counter.labels, failure });
    this.successTotal.remove({ ...counter.labels, failure: '' });
    this.skippedTotal.remove(counter.labels);
    this.overrunTotal.remove(counter.labels);
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

  private seriesFor(labels: TargetLabels): TargetSeries {
    const cached = this.seriesByLabels.get(labels);
    if (cached && !cached.removed) return cached;
    const key = targetKey(labels);
    const known = this.series.get(key);
    if (known) {
      this.seriesByLabels.set(labels, known);
      return known;
    }
    const target = targetLabelValues(labels);
    const slot = slotLabelValues(labels);
    const counterKey = `${slot.probe}\u0000${slot.target_region}\u0000${slot.vantage}`;
    const counter = this.counters.get(counterKey) ?? {
      key: counterKey,
      labels: slot,
      totals: new Map(),
      successes: { labels: { ...slot, failure: '' }, count: 0, published: 0 },
      targets: new Set<string>(),
    };
    counter.targets.add(key);
    this.counters.set(counterKey, counter);
    const http = labels.type === 'http';
    const series: TargetSeries = {
      key,
      labels: target,
      http,
      success: 0,
      duration: 0,
      status: 0,
      phases: http ? BLACKBOX_PHASES.map(([, theirs]) => ({ labels: phaseLabelValues(target, theirs), seconds: 0 })) : [],
      certExpiry: undefined,
      counter,
      removed: false,
    };
    this.series.set(key, series);
    this.seriesByLabels.set(labels, series);
    return series;
  }
}

/** Hands prom-client what a tally counted since the last scrape (a series appears with its first count). */
function publish(counter: Counter<CounterLabelName>, tally: Tally): void {
  if (tally.count === tally.published) return;
  counter.inc(tally.labels, tally.count - tally.published);
  tally.published = tally.count;
}

function targetKey(labels: TargetLabels): string {
  return `${labels.probe}\u0000${labels.targetRegion}\u0000${labels.target}\u0000${labels.vantage}`;
}

function targetLabelValues(labels: TargetLabels): Record<TargetLabelName, string> {
  return { probe: labels.probe, target: labels.target, target_region: labels.targetRegion, vantage: labels.vantage };
}

/**
 * Spelled out: `{ ...target, phase }` gave each of these objects a hidden class of its own, 50,000 of them
 * (12 MiB) at 10,000 http targets.
 */
function phaseLabelValues(target: Record<TargetLabelName, string>, phase: string): Record<TargetLabelName | 'phase', string> {
  return { probe: target.probe, target: target.target, target_region: target.target_region, vantage: target.vantage, phase };
}

function slotLabelValues(labels: TargetLabels): { probe: string; target_region: string; vantage: string } {
  return { probe: labels.probe, target_region: labels.targetRegion, vantage: labels.vantage };
}
