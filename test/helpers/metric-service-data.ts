// Answers ListTimeSeries the way Cloud Monitoring does for one-minute ALIGN_DELTA + REDUCE_SUM requests,
// from known per-minute deltas: points end on minute boundaries within (startTime, endTime], series are
// summed per group-by field values, points come newest first, and pages hold at most `pageSize` points
// (a series may continue on the next page). Anything else is refused as INVALID_ARGUMENT.
import { status } from '@grpc/grpc-js';
import type { FakeFailure, ListTimeSeriesRequest, ListTimeSeriesResponse } from './fake-metric-service.js';

export interface KnownSeries {
  metricLabels: Record<string, string>;
  resourceLabels?: Record<string, string>;
  /** Minute number → events counted in that minute. */
  deltas: ReadonlyMap<number, number>;
}

const invalid = (details: string): FakeFailure => ({ code: status.INVALID_ARGUMENT, details });

function fieldValue(series: KnownSeries, field: string): string | null {
  const match = /^(metric|resource)\.labels?\.(\w+)$/.exec(field);
  if (!match) return null;
  const labels = match[1] === 'metric' ? series.metricLabels : (series.resourceLabels ?? {});
  return labels[match[2] as string] ?? '';
}

export function alignedDeltaAnswer(byFilter: ReadonlyMap<string, readonly KnownSeries[]>) {
  return (request: ListTimeSeriesRequest): ListTimeSeriesResponse | FakeFailure => {
    const aggregation = request.aggregation;
    if (Number(aggregation?.alignmentPeriod?.seconds) !== 60 || aggregation?.perSeriesAligner !== 'ALIGN_DELTA' || aggregation.crossSeriesReducer !== 'REDUCE_SUM') {
      return invalid('expected a 60s ALIGN_DELTA / REDUCE_SUM aggregation');
    }
    const start = Number(request.interval?.startTime?.seconds);
    const end = Number(request.interval?.endTime?.seconds);
    if (!(start % 60 === 0 && end % 60 === 0 && start < end)) return invalid('expected an interval on minute boundaries');
    const fields = aggregation.groupByFields ?? [];
    const groups = new Map<string, { metric: Record<string, string>; resource: Record<string, string>; sums: Map<number, number> }>();
    for (const series of byFilter.get(request.filter ?? '') ?? []) {
      const values = fields.map((field) => fieldValue(series, field));
      if (values.includes(null)) return invalid(`cannot group by ${fields.join(', ')}`);
      const key = values.join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = { metric: {}, resource: {}, sums: new Map() };
        fields.forEach((field, i) => {
          const [owner, , label] = field.split('.') as [string, string, string];
          (owner === 'metric' ? (group as { metric: Record<string, string> }).metric : (group as { resource: Record<string, string> }).resource)[label] = values[i] as string;
        });
        groups.set(key, group);
      }
      for (const [minute, delta] of series.deltas) {
        const pointEnd = (minute + 1) * 60;
        if (pointEnd > start && pointEnd <= end) group.sums.set(minute, (group.sums.get(minute) ?? 0) + delta);
      }
    }
    // Every point of every group, in the order the pages hand them out.
    const points = [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([key, group]) => [...group.sums.entries()].sort(([a], [b]) => b - a).map(([minute, sum]) => ({ key, group, minute, sum })));
    const offset = request.pageToken ? Number(request.pageToken) : 0;
    const pageSize = request.pageSize || 100_000;
    const page = points.slice(offset, offset + pageSize);
    const timeSeries: NonNullable<ListTimeSeriesResponse['timeSeries']> = [];
    let lastKey: string | null = null;
    for (const point of page) {
      if (point.key !== lastKey) {
        timeSeries.push({ metric: { labels: point.group.metric }, resource: { type: 'global', labels: point.group.resource }, metricKind: 'DELTA', valueType: 'INT64', points: [] });
        lastKey = point.key;
      }
      const end = (point.minute + 1) * 60;
      timeSeries.at(-1)?.points?.push({ interval: { startTime: { seconds: end - 60 }, endTime: { seconds: end } }, value: { int64Value: String(point.sum) } });
    }
    return { timeSeries, nextPageToken: offset + pageSize < points.length ? String(offset + pageSize) : '' };
  };
}
