// Reading Cloud Monitoring's aligned time series: which label a `regionLabel`/`vantageLabel` field path
// names, and which minute an ALIGN_DELTA point belongs to.
import type { protos } from '@google-cloud/monitoring';
import { MINUTE_MS } from '../../../lib/duration.js';

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type Point = protos.google.monitoring.v3.IPoint;

/** Where a grouping field's value sits in a returned time series. */
export interface GroupField {
  /** As sent in `aggregation.groupByFields`, e.g. `metric.label.region`. */
  path: string;
  read(series: TimeSeries): string;
}

// The key may be quoted, as dashboards write it: metric.label."response_code".
const LABEL_PATH = /^(metric|resource)\.labels?\.("?)([A-Za-z_][A-Za-z0-9_]*)\2$/;
const METADATA_PATH = /^metadata\.(system_labels|user_labels)\.("?)([A-Za-z_][A-Za-z0-9_]*)\2$/;
const BARE_LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `regionLabel` / `vantageLabel` take the API's own field path (`metric.label.region`,
 * `resource.label.zone`, `metadata.user_labels.region`); a bare name means a metric label, as in a
 * Prometheus selector. Returns null for anything else.
 */
export function groupField(written: string): GroupField | null {
  if (BARE_LABEL.test(written)) return groupField(`metric.label.${written}`);
  const label = LABEL_PATH.exec(written);
  if (label) {
    const owner = label[1] === 'resource' ? 'resource' : 'metric';
    const key = label[3] ?? '';
    return { path: `${owner}.label.${key}`, read: (series) => series[owner]?.labels?.[key] ?? '' };
  }
  const metadata = METADATA_PATH.exec(written);
  if (metadata) {
    const user = metadata[1] === 'user_labels';
    const key = metadata[3] ?? '';
    return {
      path: `metadata.${metadata[1]}.${key}`,
      read(series) {
        if (user) return series.metadata?.userLabels?.[key] ?? '';
        const value = series.metadata?.systemLabels?.fields?.[key]?.stringValue;
        return typeof value === 'string' ? value : '';
      },
    };
  }
  return null;
}

/** Seconds + nanos of a protobuf Timestamp as ms since the epoch; null when absent or malformed. */
export function timestampMs(timestamp: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null | undefined): number | null {
  if (!timestamp || timestamp.seconds === null || timestamp.seconds === undefined) return null;
  const seconds = Number(timestamp.seconds.toString());
  if (!Number.isFinite(seconds)) return null;
  return seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6);
}

/**
 * An ALIGN_DELTA point ending at E covers (E − 60 s, E]: it belongs to the minute that ends at E, the one
 * holding the instant just before E. Requests end on a minute boundary, so E is one and the point is
 * exactly that minute's count.
 */
export function pointMinute(point: Point): number | null {
  const end = timestampMs(point.interval?.endTime);
  return end === null ? null : Math.ceil(end / MINUTE_MS) - 1;
}

/** The point's count: an int64 or double delta, or a distribution's count; null for anything else. */
export function pointCount(point: Point): number | null {
  const value = point.value;
  if (!value) return null;
  // The client decodes with `oneofs: true`, so `value` names the field that is set (the others read as defaults).
  const which = 'value' in value && typeof value.value === 'string' ? value.value : null;
  const raw =
    which === 'int64Value'
      ? value.int64Value
      : which === 'doubleValue'
        ? value.doubleValue
        : which === 'distributionValue'
          ? value.distributionValue?.count
          : null;
  if (raw === null || raw === undefined) return null;
  const count = Number(raw.toString());
  return Number.isFinite(count) && count >= 0 ? count : null;
}
