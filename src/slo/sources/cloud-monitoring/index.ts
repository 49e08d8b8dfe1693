// The `cloud-monitoring` source kind as the registry lists it.
import { defineSource } from '../source.js';
import { CloudMonitoringSource } from './cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from './schema.js';

export const cloudMonitoringSourceKind = defineSource({
  kind: 'cloud-monitoring',
  schema: cloudMonitoringSourceSchema,
  create: (config, context) => new CloudMonitoringSource(config, context.clock ? { clock: context.clock } : {}),
});
