// The `cloud-monitoring` source kind as the registry lists it.
import { defineSource } from '../source.js';
import { CLOUD_MONITORING_RETENTION_MS, CloudMonitoringSource } from './cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from './schema.js';

export const cloudMonitoringSourceKind = defineSource({
  kind: 'cloud-monitoring',
  schema: cloudMonitoringSourceSchema,
  // Points are kept 6 weeks (the documented limit for custom and most metrics).
  declaredRetentionMs: () => CLOUD_MONITORING_RETENTION_MS,
  create: (config, context) => new CloudMonitoringSource(config, context.clock ? { clock: context.clock } : {}),
});
