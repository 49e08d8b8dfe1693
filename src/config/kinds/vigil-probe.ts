// The probe document (apiVersion vigil/v1, kind Probe): common fields here, the `<type>:` section and
// the target fields from the probe type's own schema (src/prober/kinds/<type>/schema.ts).
import { z } from 'zod';
import { PROBE_KINDS } from '../../prober/kinds/index.js';
import { PROBE_TYPES } from '../../prober/kinds/kind.js';
import type { ProbeDefinition, ProbeTarget } from '../../prober/model.js';
import { duration, rfc1123Label } from '../fields.js';
import type { Problem } from '../problems.js';
import { schemaProblems } from '../schema-problems.js';
import type { YamlDocument } from '../yaml-document.js';

export const vigilProbeSchema = z.strictObject({
  apiVersion: z.literal('vigil/v1'),
  kind: z.literal('Probe'),
  metadata: z.strictObject({ name: rfc1123Label, labels: z.record(z.string(), z.string()).optional() }),
  spec: z
    .strictObject({
      type: z.enum(PROBE_TYPES),
      interval: duration({ min: 100 }),
      timeout: duration({ min: 1 }),
      vantages: z.union([z.literal('all'), z.array(rfc1123Label).min(1)]).default('all'),
      targets: z.array(z.looseObject({ region: rfc1123Label })).min(1, 'must list at least one target'),
      http: z.unknown().optional(),
      tcp: z.unknown().optional(),
      dns: z.unknown().optional(),
      tls: z.unknown().optional(),
      grpc: z.unknown().optional(),
    })
    .superRefine((spec, ctx) => {
      if (spec.timeout > spec.interval) {
        ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must not be longer than the interval' });
      }
      for (const other of PROBE_TYPES) {
        if (other !== spec.type && spec[other] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [other], message: `does not apply to a ${spec.type} probe` });
        }
      }
    }),
});

type ProbeDocument = z.output<typeof vigilProbeSchema>;

/** Parses the type-specific parts; returns the definition, or null with the problems found. */
export function toProbeDefinition(probe: ProbeDocument, doc: YamlDocument): { definition: ProbeDefinition | null; problems: Problem[] } {
  const { spec } = probe;
  const kind = PROBE_KINDS.get(spec.type);
  if (!kind) {
    return { definition: null, problems: [doc.problem(['spec', 'type'], `probe type ${spec.type} is not available in this build`)] };
  }
  const problems: Problem[] = [];
  const settings = kind.settingsSchema.safeParse(spec[spec.type] ?? {});
  if (!settings.success) problems.push(...schemaProblems(doc, kind.settingsSchema, settings.error.issues, ['spec', spec.type]));
  const targets: ProbeTarget[] = [];
  spec.targets.forEach((raw, index) => {
    const { region, ...fields } = raw;
    const parsed = kind.targetSchema.safeParse(fields);
    if (!parsed.success) {
      problems.push(...schemaProblems(doc, kind.targetSchema, parsed.error.issues, ['spec', 'targets', index]));
      return;
    }
    targets.push({ region, label: kind.targetLabel(parsed.data), fields: parsed.data });
  });
  const labels = new Set<string>();
  targets.forEach((t, index) => {
    const key = `${t.region} ${t.label}`;
    if (labels.has(key)) problems.push(doc.problem(['spec', 'targets', index], `target ${t.label} in ${t.region} is listed twice`));
    labels.add(key);
  });
  if (!settings.success || problems.length > 0) return { definition: null, problems };
  const at = doc.position(['metadata', 'name']);
  return {
    definition: {
      name: probe.metadata.name,
      type: spec.type,
      intervalMs: spec.interval,
      timeoutMs: spec.timeout,
      vantages: spec.vantages,
      targets,
      settings: settings.data,
      source: { file: doc.file, line: at.line, col: at.col },
    },
    problems,
  };
}
