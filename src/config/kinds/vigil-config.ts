// vigil.yaml (apiVersion vigil/v1, kind Config): where Vigil keeps its data and how the server listens.
import { z } from 'zod';
import { duration } from '../fields.js';

export const vigilConfigSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('Config'),
  metadata: z.strictObject({ name: z.string().optional() }).optional(),
  spec: z
    .strictObject({
      dataDir: z.string().min(1).default('data'),
      definitions: z
        .strictObject({
          slos: z.string().min(1).default('slo-definitions'),
          probes: z.string().min(1).default('probes'),
        })
        .prefault({}),
      server: z
        .strictObject({
          host: z.string().min(1).default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(8080),
        })
        .prefault({}),
      engine: z
        .strictObject({
          evaluationInterval: duration({ min: 1000 }).default(10_000),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type VigilConfig = z.output<typeof vigilConfigSchema>['spec'];

export function defaultConfig(): VigilConfig {
  return vigilConfigSchema.parse({ apiVersion: 'vigil/v1', kind: 'Config' }).spec;
}
