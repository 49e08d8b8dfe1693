// `spec.sources.cloud-monitoring`: which Google Cloud project's time series ratio SLOs read, and how.
import { z } from 'zod';
import { duration } from '../../../config/fields.js';
import { GCP_PROJECT_ID, monitoringEmulatorSchema } from '../../../lib/cloud-monitoring-client.js';
import { MINUTE_MS } from '../../../lib/duration.js';

export const cloudMonitoringSourceSchema = z.strictObject({
  /** The project whose time series the filters select (the API's `projects/<project>`). */
  project: z.string().regex(GCP_PROJECT_ID, { message: 'must be a Google Cloud project ID, e.g. my-project' }),
  /** Deadline of one ListTimeSeries call (one page). */
  timeout: duration({ min: 1_000 }).default(30_000),
  /**
   * How long after a minute its points are taken as final. Google's own metrics become visible up to
   * 4 minutes after sampling (3m for most); a minute read earlier is read again until then.
   */
  latency: duration({ min: 0 }).default(5 * MINUTE_MS),
  /** Points per ListTimeSeries page (the API caps it at 100,000). */
  pageSize: z.number().int().min(1).max(100_000).default(10_000),
  /** Test/emulator setting: a plain-text local MetricService instead of monitoring.googleapis.com. */
  emulator: monitoringEmulatorSchema.optional(),
});

export type CloudMonitoringSourceConfig = z.output<typeof cloudMonitoringSourceSchema>;
