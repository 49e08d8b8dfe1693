// The registry of YAML kinds Vigil understands: (apiVersion, kind) → schema and mapping.
import type { z } from 'zod';
import { type Scenario, scenarioSchema } from '../../failover/simulate/scenario.js';
import type { ProbeDefinition } from '../../prober/model.js';
import type { SloDefinition } from '../../slo/model.js';
import type { Problem } from '../problems.js';
import { schemaProblems } from '../schema-problems.js';
import type { Path, YamlDocument } from '../yaml-document.js';
import { fromOpenSlo, openSloSchema } from './openslo-slo.js';
import { type VigilConfig, vigilConfigSchema } from './vigil-config.js';
import { toProbeDefinition, vigilProbeSchema } from './vigil-probe.js';
import { toSloDefinition, vigilSloSchema } from './vigil-slo.js';

export type LoadedItem =
  | {
      type: 'slo';
      definition: SloDefinition;
      doc: YamlDocument;
      /** Where each alert window (or, for defaults, what decides its threshold) and the runbook were written. */
      alertPaths: Path[];
      runbookPath: Path;
    }
  | { type: 'probe'; definition: ProbeDefinition; doc: YamlDocument }
  | { type: 'config'; config: VigilConfig; doc: YamlDocument }
  | { type: 'scenario'; scenario: Scenario; doc: YamlDocument };

export interface KindHandler {
  apiVersion: string;
  kind: string;
  /** `more`: further items the same document declares (an OpenSLO SLO with several objectives). */
  load(doc: YamlDocument): { item: LoadedItem | null; more?: LoadedItem[]; problems: Problem[] };
}

function parseWith<S extends z.ZodType>(
  schema: S,
  doc: YamlDocument,
): { data: z.output<S>; problems: [] } | { data: null; problems: Problem[] } {
  const result = schema.safeParse(doc.value);
  if (result.success) return { data: result.data, problems: [] };
  return { data: null, problems: schemaProblems(doc, schema, result.error.issues) };
}

export const KINDS: readonly KindHandler[] = [
  {
    apiVersion: 'vigil/v1',
    kind: 'SLO',
    load(doc) {
      const { data, problems } = parseWith(vigilSloSchema, doc);
      if (!data) return { item: null, problems };
      const definition = toSloDefinition(data, doc);
      const custom = Array.isArray(data.spec.alerting?.windows);
      const alertPaths = definition.alertWindows.map((_, i) => (custom ? ['spec', 'alerting', 'windows', i] : ['spec', 'objective']));
      return {
        item: { type: 'slo', definition, doc, alertPaths, runbookPath: ['spec', 'alerting', 'runbook'] },
        problems,
      };
    },
  },
  {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    load(doc) {
      const parsed = parseWith(openSloSchema, doc);
      if (!parsed.data) return { item: null, problems: parsed.problems };
      const { definitions, problems } = fromOpenSlo(parsed.data, doc);
      const items = definitions.map(
        (definition, i): LoadedItem => ({
          type: 'slo',
          definition,
          doc,
          alertPaths: definition.alertWindows.map(() => ['spec', 'objectives', i]),
          runbookPath: ['metadata', 'annotations', 'vigil/runbook'],
        }),
      );
      return { item: items[0] ?? null, more: items.slice(1), problems };
    },
  },
  {
    apiVersion: 'vigil/v1',
    kind: 'Probe',
    load(doc) {
      const parsed = parseWith(vigilProbeSchema, doc);
      if (!parsed.data) return { item: null, problems: parsed.problems };
      const { definition, problems } = toProbeDefinition(parsed.data, doc);
      return { item: definition ? { type: 'probe', definition, doc } : null, problems };
    },
  },
  {
    apiVersion: 'vigil/v1',
    kind: 'Config',
    load(doc) {
      const { data, problems } = parseWith(vigilConfigSchema, doc);
      return { item: data ? { type: 'config', config: data.spec, doc } : null, problems };
    },
  },
  {
    apiVersion: 'vigil/v1',
    kind: 'Scenario',
    load(doc) {
      const { data, problems } = parseWith(scenarioSchema, doc);
      return { item: data ? { type: 'scenario', scenario: data, doc } : null, problems };
    },
  },
];
