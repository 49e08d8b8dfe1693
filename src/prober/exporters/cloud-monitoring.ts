// Probe results exported to Cloud Monitoring as custom metrics, so a large fleet's SLOs can be evaluated
// from Cloud Monitoring (the `cloud-monitoring` SLI source) instead of the embedded store.
// Recording a result only updates a number in memory; a timer writes every series' latest value with
// CreateTimeSeries, within the API's limits: at most 200 series per call, one point per series per call,
// and at least 5 s between two points of a series. Probing never waits on the API.
import type { MetricServiceClient, protos } from '@google-cloud/monitoring';
import { Counter, Gauge, type Registry } from 'prom-client';
import { classifyMonitoringError, createMetricServiceClient, describeMonitoringError, type MonitoringEmulator } from '../../lib/cloud-monitoring-client.js';
import { type Logger, silentLogger } from '../../lib/logger.js';
import type { ProbeResult } from '../model.js';
import { realTimers, type TimerHandle, type Timers } from '../timers.js';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;

export const PROBE_METRIC_PREFIX = 'custom.googleapis.com/vigil/probe';
/** Cumulative attempts per probe, target region, vantage and failure ("none" for a success). */
export const PROBE_TOTAL_METRIC = `${PROBE_METRIC_PREFIX}/total`;
/** The latest attempt per probe, target region and vantage: 1 ok, 0 failed. */
export const PROBE_SUCCESS_METRIC = `${PROBE_METRIC_PREFIX}/success`;
/** The latest attempt's duration in seconds. */
export const PROBE_DURATION_METRIC = `${PROBE_METRIC_PREFIX}/duration_seconds`;

/** CreateTimeSeries accepts at most this many time series per request. */
export const MAX_SERIES_PER_CALL = 200;
/** Cloud Monitoring refuses a point written less than 5 s after the series' previous one. */
export const MIN_POINT_SPACING_MS = 5_000;
/** The failure label of a successful attempt: Cloud Monitoring treats an empty label value as absent. */
export const SUCCESS_FAILURE_LABEL = 'none';

export interface CloudMonitoringExporterOptions {
  project: string;
  /** Test/emulator setting: a plain-text local MetricService instead of monitoring.googleapis.com. */
  emulator?: MonitoringEmulator | undefined;
  /** Time between writes (default 60 s, at least 5 s). */
  flushIntervalMs?: number;
  /** Series kept in memory; a result that would add one more is dropped and counted (default 10,000). */
  maxSeries?: number;
  /** Deadline of one CreateTimeSeries call (default 10 s). */
  timeoutMs?: number;
  /** Where vigil_export_* metrics are registered (the agent's /metrics). */
  registry?: Registry;
  logger?: Logger;
  timers?: Timers;
  /** Injected for tests; built from project/emulator otherwise. */
  client?: MetricServiceClient;
}

interface AttemptTotal {
  labels: Record<'probe' | 'target_region' | 'vantage' | 'failure', string>;
  count: number;
}

interface LatestAttempt {
  labels: Record<'probe' | 'target_region' | 'vantage', string>;
  ok: boolean;
  seconds: number;
  /** Set by an attempt, cleared by the write that carries it: a gauge is only written when it has news. */
  fresh: boolean;
}

/** What a flush did, for tests and the shutdown log line. */
export interface FlushSummary {
  calls: number;
  series: number;
  failedCalls: number;
}

export class CloudMonitoringExporter {
  private readonly client: MetricServiceClient;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly maxSeries: number;
  private readonly timeoutMs: number;
  private readonly startedAt: number;
  private readonly totals = new Map<string, AttemptTotal>();
  private readonly latest = new Map<string, LatestAttempt>();
  private readonly dropped: Counter<'exporter'>;
  private readonly written: Counter<'exporter'>;
  private readonly errors: Counter<'exporter' | 'reason'>;
  private readonly seriesGauge: Gauge<'exporter'>;
  private timer: TimerHandle | null = null;
  private inFlight: Promise<FlushSummary> | null = null;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: CloudMonitoringExporterOptions) {
    this.client = options.client ?? createMetricServiceClient(options.project, options.emulator);
    this.timers = options.timers ?? realTimers;
    this.logger = options.logger ?? silentLogger();
    this.flushIntervalMs = Math.max(MIN_POINT_SPACING_MS, options.flushIntervalMs ?? 60_000);
    this.maxSeries = options.maxSeries ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.startedAt = this.timers.now();
    const registers = options.registry ? [options.registry] : [];
    this.dropped = new Counter({
      name: 'vigil_export_dropped_total',
      help: 'Probe results not exported because the exporter already holds its maximum number of series',
      labelNames: ['exporter'],
      registers,
    });
    this.written = new Counter({ name: 'vigil_export_points_total', help: 'Points the export API accepted', labelNames: ['exporter'], registers });
    this.errors = new Counter({ name: 'vigil_export_errors_total', help: 'Failed export calls, by reason', labelNames: ['exporter', 'reason'], registers });
    this.seriesGauge = new Gauge({ name: 'vigil_export_series', help: 'Series the exporter holds', labelNames: ['exporter'], registers });
    this.dropped.inc({ exporter: 'cloud-monitoring' }, 0);
    this.schedule();
  }

  /** Folds one result into the series; O(1), no I/O. */
  record(result: ProbeResult): void {
    if (this.closed) return;
    const failure = result.ok ? SUCCESS_FAILURE_LABEL : (result.failure ?? 'unknown');
    const targetKey = `${result.probe}\u0000${result.targetRegion}\u0000${result.vantage}`;
    const totalKey = `${targetKey}\u0000${failure}`;
    let total = this.totals.get(totalKey);
    let latest = this.latest.get(targetKey);
    // A new target adds two series (success and duration), a new failure kind one.
    const added = (total ? 0 : 1) + (latest ? 0 : 2);
    if (added > 0 && this.seriesCount() + added > this.maxSeries) {
      this.dropped.inc({ exporter: 'cloud-monitoring' });
      return;
    }
    const labels = { probe: result.probe, target_region: result.targetRegion, vantage: result.vantage };
    if (!total) {
      total = { labels: { ...labels, failure }, count: 0 };
      this.totals.set(totalKey, total);
    }
    if (!latest) {
      latest = { labels, ok: result.ok, seconds: 0, fresh: false };
      this.latest.set(targetKey, latest);
    }
    total.count++;
    latest.ok = result.ok;
    latest.seconds = result.latencyMs / 1000;
    latest.fresh = true;
    if (added > 0) this.seriesGauge.set({ exporter: 'cloud-monitoring' }, this.seriesCount());
  }

  /**
   * Writes every series' current value now, unless a write is running (that one is returned) or the
   * last one was less than 5 s ago (nothing is sent: the API would refuse the points).
   */
  flush(): Promise<FlushSummary> {
    if (this.inFlight) return this.inFlight;
    const now = this.timers.now();
    if (now - this.lastWriteAt < MIN_POINT_SPACING_MS) return Promise.resolve({ calls: 0, series: 0, failedCalls: 0 });
    this.lastWriteAt = now;
    const flight = this.write(now).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = flight;
    return flight;
  }

  /**
   * Stops the timer, writes what was counted since the last write, closes the client. A write less than
   * 5 s ago is waited out first (at most 5 s), so a clean shutdown loses no attempt.
   */
  async close(): Promise<FlushSummary> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    await this.inFlight;
    const wait = this.lastWriteAt + MIN_POINT_SPACING_MS - this.timers.now();
    if (wait > 0 && this.hasUnwritten()) await new Promise<void>((resolve) => this.timers.setTimer(wait, resolve));
    const summary = await this.flush();
    await this.client.close();
    return summary;
  }

  /** An attempt recorded since the last write (its gauge is still fresh). */
  private hasUnwritten(): boolean {
    for (const attempt of this.latest.values()) if (attempt.fresh) return true;
    return false;
  }

  private seriesCount(): number {
    return this.totals.size + this.latest.size * 2;
  }

  private schedule(): void {
    this.timer = this.timers.setTimer(this.flushIntervalMs, () => {
      if (this.closed) return;
      void this.flush().finally(() => {
        if (!this.closed) this.schedule();
      });
    });
  }

  private async write(now: number): Promise<FlushSummary> {
    const series = this.snapshot(now);
    const summary: FlushSummary = { calls: 0, series: 0, failedCalls: 0 };
    for (let start = 0; start < series.length; start += MAX_SERIES_PER_CALL) {
      const chunk = series.slice(start, start + MAX_SERIES_PER_CALL);
      summary.calls++;
      try {
        await this.client.createTimeSeries(
          { name: `projects/${this.options.project}`, timeSeries: chunk },
          // A write is not idempotent at the API (a repeated point is refused), and the next flush carries
          // the counters' totals anyway: no retries.
          { timeout: this.timeoutMs, retry: { retryCodes: [] } },
        );
        summary.series += chunk.length;
        this.written.inc({ exporter: 'cloud-monitoring' }, chunk.length);
      } catch (error) {
        summary.failedCalls++;
        const reason = classifyMonitoringError(error);
        this.errors.inc({ exporter: 'cloud-monitoring', reason });
        this.logger.warn({ exporter: 'cloud-monitoring', reason, series: chunk.length, error: describeMonitoringError(error) }, 'CreateTimeSeries failed');
      }
    }
    return summary;
  }

  /** One point per series, all stamped `now`; gauges only for targets probed since their last write. */
  private snapshot(now: number): TimeSeries[] {
    const resource = { type: 'global', labels: { project_id: this.options.project } };
    const end = timestamp(now);
    const series: TimeSeries[] = [];
    for (const total of this.totals.values()) {
      series.push({
        metric: { type: PROBE_TOTAL_METRIC, labels: total.labels },
        resource,
        metricKind: 'CUMULATIVE',
        valueType: 'INT64',
        points: [{ interval: { startTime: timestamp(Math.min(this.startedAt, now - 1)), endTime: end }, value: { int64Value: total.count } }],
      });
    }
    for (const latest of this.latest.values()) {
      if (!latest.fresh) continue;
      latest.fresh = false;
      const gauge = (type: string, value: protos.google.monitoring.v3.ITypedValue, valueType: 'INT64' | 'DOUBLE'): TimeSeries => ({
        metric: { type, labels: latest.labels },
        resource,
        metricKind: 'GAUGE',
        valueType,
        points: [{ interval: { endTime: end }, value }],
      });
      series.push(gauge(PROBE_SUCCESS_METRIC, { int64Value: latest.ok ? 1 : 0 }, 'INT64'));
      series.push(gauge(PROBE_DURATION_METRIC, { doubleValue: latest.seconds }, 'DOUBLE'));
    }
    return series;
  }
}

function timestamp(ms: number): protos.google.protobuf.ITimestamp {
  return { seconds: Math.floor(ms / 1000), nanos: Math.floor(ms % 1000) * 1e6 };
}
