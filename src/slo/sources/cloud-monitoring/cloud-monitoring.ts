// The `cloud-monitoring` SLI source: an SLO's good/total monitoring filters read through ListTimeSeries,
// aligned to one-minute deltas and summed per region/vantage by Cloud Monitoring itself, so each minute
// holds exactly the events Cloud Monitoring counted in it.
import type { MetricServiceClient, protos } from '@google-cloud/monitoring';
import { raceAbort } from '../../../lib/abort.js';
import { type Clock, systemClock } from '../../../lib/clock.js';
import { classifyMonitoringError, createMetricServiceClient, describeMonitoringError } from '../../../lib/cloud-monitoring-client.js';
import { DAY_MS, MINUTE_MS } from '../../../lib/duration.js';
import type { MetricSource, MinuteCount, RatioQuery, ReadResult } from '../source.js';
import { SourceError } from '../source.js';
import type { CloudMonitoringSourceConfig } from './schema.js';
import { type GroupField, groupField, pointCount, pointMinute } from './series.js';

type ListTimeSeriesRequest = protos.google.monitoring.v3.IListTimeSeriesRequest;
type TimeSeries = protos.google.monitoring.v3.ITimeSeries;

const KIND = 'cloud-monitoring';

/**
 * Points of user-defined metrics are kept at full resolution for six weeks; older data is not
 * guaranteed at one-minute alignment, so a longer SLO window cannot be backfilled exactly.
 */
export const CLOUD_MONITORING_RETENTION_MS = 42 * DAY_MS;

/** Bounds one read: a response that keeps handing out page tokens is cut off, not followed forever. */
const MAX_PAGES_PER_QUERY = 1_000;

export interface CloudMonitoringSourceOptions {
  /** Injected for tests; real time otherwise. */
  clock?: Clock;
  /** Injected for tests; built from the config otherwise. */
  client?: MetricServiceClient;
}

/** Counts of one filter per group key (`region\u0000vantage`) and minute. */
type GroupCounts = Map<string, Map<number, number>>;

export class CloudMonitoringSource implements MetricSource {
  readonly kind = KIND;
  /** One day of one-minute points per group keeps a page count small and a failed chunk cheap to redo. */
  readonly maxChunkMinutes = 1_440;
  private readonly client: MetricServiceClient;
  private readonly clock: Clock;

  constructor(
    private readonly config: CloudMonitoringSourceConfig,
    options: CloudMonitoringSourceOptions = {},
  ) {
    this.client = options.client ?? createMetricServiceClient(config.project, config.emulator);
    this.clock = options.clock ?? systemClock;
  }

  async read(query: RatioQuery, fromMinute: number, toMinute: number, signal: AbortSignal): Promise<ReadResult> {
    const fields = this.groupFields(query);
    // Within the range read: a backfill chunk says nothing about the minutes after it.
    const completeBefore = Math.min(toMinute, Math.floor((this.clock.now() - this.config.latency) / MINUTE_MS));
    if (toMinute <= fromMinute) return { counts: [], completeBefore };
    const good = await this.countFilter(query.good, fields, fromMinute, toMinute, signal);
    const total = await this.countFilter(query.total, fields, fromMinute, toMinute, signal);
    const counts: MinuteCount[] = [];
    for (const key of new Set([...total.keys(), ...good.keys()])) {
      const [targetRegion = '', vantage = ''] = key.split('\u0000');
      const goodByMinute = good.get(key);
      const totalByMinute = total.get(key);
      for (let minute = fromMinute; minute < toMinute; minute++) {
        counts.push({ targetRegion, vantage, minute, good: goodByMinute?.get(minute) ?? 0, total: totalByMinute?.get(minute) ?? 0 });
      }
    }
    return { counts, completeBefore };
  }

  async retentionMs(): Promise<number | null> {
    return CLOUD_MONITORING_RETENTION_MS;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private groupFields(query: RatioQuery): { region: GroupField | null; vantage: GroupField | null } {
    const parse = (written: string | null, what: string): GroupField | null => {
      if (written === null) return null;
      const field = groupField(written);
      if (!field) {
        throw new SourceError(
          KIND,
          `SLO ${query.slo}: ${what} "${written}" is not a label field path (use e.g. metric.label.region, resource.label.zone or metadata.user_labels.region)`,
          'query',
        );
      }
      return field;
    };
    return { region: parse(query.regionLabel, 'regionLabel'), vantage: parse(query.vantageLabel, 'vantageLabel') };
  }

  /** Every page of one filter's aligned, reduced series, summed per group and minute in [from, to). */
  private async countFilter(
    filter: string,
    fields: { region: GroupField | null; vantage: GroupField | null },
    fromMinute: number,
    toMinute: number,
    signal: AbortSignal,
  ): Promise<GroupCounts> {
    const groupByFields = [fields.region, fields.vantage].flatMap((field) => (field ? [field.path] : []));
    const request: ListTimeSeriesRequest = {
      name: `projects/${this.config.project}`,
      filter,
      interval: { startTime: timestamp(fromMinute * MINUTE_MS), endTime: timestamp(toMinute * MINUTE_MS) },
      aggregation: {
        alignmentPeriod: { seconds: 60 },
        perSeriesAligner: 'ALIGN_DELTA',
        crossSeriesReducer: 'REDUCE_SUM',
        groupByFields,
      },
      view: 'FULL',
      pageSize: this.config.pageSize,
    };
    const counts: GroupCounts = new Map();
    const seenTokens = new Set<string>();
    let pageToken = '';
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES_PER_QUERY) {
        throw new SourceError(KIND, `filter ${filter}: more than ${MAX_PAGES_PER_QUERY} pages; read a shorter span`, 'response');
      }
      const response = await this.listPage({ ...request, pageToken }, filter, signal);
      for (const series of response.timeSeries ?? []) addSeries(counts, series, fields, fromMinute, toMinute);
      const next = response.nextPageToken ?? '';
      if (next === '') return counts;
      if (seenTokens.has(next)) throw new SourceError(KIND, `filter ${filter}: the API repeated page token "${next}"`, 'response');
      seenTokens.add(next);
      pageToken = next;
    }
  }

  private async listPage(
    request: ListTimeSeriesRequest,
    filter: string,
    signal: AbortSignal,
  ): Promise<protos.google.monitoring.v3.IListTimeSeriesResponse> {
    let response: protos.google.monitoring.v3.IListTimeSeriesResponse;
    try {
      // The puller retries on its next evaluation; the library's own retries would only hide an outage
      // for up to its 90 s default deadline.
      const call = this.client.listTimeSeries(request, { autoPaginate: false, timeout: this.config.timeout, retry: { retryCodes: [] } });
      [, , response] = await raceAbort(call, signal);
    } catch (error) {
      if (signal.aborted) throw new SourceError(KIND, `filter ${filter}: aborted`, 'timeout');
      const reason = classifyMonitoringError(error);
      throw new SourceError(
        KIND,
        `filter ${filter}: ${describeMonitoringError(error)}`,
        reason === 'unreachable' || reason === 'query' || reason === 'timeout' ? reason : reason === 'denied' || reason === 'quota' ? 'http' : 'response',
      );
    }
    const failures = response?.executionErrors ?? [];
    if (failures.length > 0) {
      // Incomplete data counted as complete would undercount bad minutes; the whole read is refused.
      const detail = failures.map((failure) => failure.message ?? `code ${failure.code}`).join('; ');
      throw new SourceError(KIND, `filter ${filter}: the API reported execution errors: ${detail}`, 'response');
    }
    if (!response) throw new SourceError(KIND, `filter ${filter}: empty response`, 'response');
    return response;
  }
}

function timestamp(ms: number): protos.google.protobuf.ITimestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function addSeries(
  counts: GroupCounts,
  series: TimeSeries,
  fields: { region: GroupField | null; vantage: GroupField | null },
  fromMinute: number,
  toMinute: number,
): void {
  const key = `${fields.region?.read(series) ?? ''}\u0000${fields.vantage?.read(series) ?? ''}`;
  let byMinute = counts.get(key);
  if (!byMinute) {
    byMinute = new Map();
    counts.set(key, byMinute);
  }
  for (const point of series.points ?? []) {
    const minute = pointMinute(point);
    const count = pointCount(point);
    // A point ending exactly at the interval's start (the API's interval is closed) belongs to the
    // minute before the range; it is read with that minute's own range.
    if (minute === null || count === null || minute < fromMinute || minute >= toMinute) continue;
    byMinute.set(minute, (byMinute.get(minute) ?? 0) + count);
  }
}
