// The registry of metric SLI sources: `spec.sources.<kind>` and `indicator.ratio.source` → implementation.
// One line per source.
import { cloudMonitoringSourceKind } from './cloud-monitoring/index.js';
import { prometheusSource } from './prometheus/prometheus.js';
import type { AnySourceKind } from './source.js';

const SOURCES: AnySourceKind[] = [
  cloudMonitoringSourceKind,
  prometheusSource,
];

export const SOURCE_KINDS: ReadonlyMap<string, AnySourceKind> = new Map(SOURCES.map((s) => [s.kind, s]));
