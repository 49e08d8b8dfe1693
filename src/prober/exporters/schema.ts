// The config of the Cloud Monitoring results exporter, for a vigil.yaml field (e.g.
// `spec.export.cloud-monitoring`) that `vigil up` / `vigil serve` hand to their in-process probers.

import type { Registry } from 'prom-client';
import { z } from 'zod';
import { duration } from '../../config/fields.js';
import { GCP_PROJECT_ID, monitoringEmulatorSchema } from '../../lib/cloud-monitoring-client.js';
import type { Logger } from '../../lib/logger.js';
import { CloudMonitoringExporter, MIN_POINT_SPACING_MS } from './cloud-monitoring.js';

export const cloudMonitoringExportSchema = z.strictObject({
  /** The project the custom metrics are written to (Application Default Credentials). */
  project: z.string().regex(GCP_PROJECT_ID, { message: 'must be a Google Cloud project ID, e.g. my-project' }),
  /** Time between writes; Cloud Monitoring takes one point per series per 5 s. */
  interval: duration({ min: MIN_POINT_SPACING_MS }).default(60_000),
  /** Series kept; results past it are dropped and counted in vigil_export_dropped_total. */
  maxSeries: z.number().int().min(3).max(1_000_000).default(10_000),
  /** Test/emulator setting: a plain-text local MetricService instead of monitoring.googleapis.com. */
  emulator: monitoringEmulatorSchema.optional(),
});

export type CloudMonitoringExportConfig = z.output<typeof cloudMonitoringExportSchema>;

export function exporterFromConfig(
  config: CloudMonitoringExportConfig,
  context: { registry?: Registry; logger: Logger },
): CloudMonitoringExporter {
  return new CloudMonitoringExporter({
    project: config.project,
    emulator: config.emulator,
    flushIntervalMs: config.interval,
    maxSeries: config.maxSeries,
    logger: context.logger,
    ...(context.registry ? { registry: context.registry } : {}),
  });
}
