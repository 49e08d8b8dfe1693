// Builds SLO definitions the way users write them: YAML text through the real loader.
import { stringify } from 'yaml';
import { KINDS } from '../../src/config/kinds/index.js';
import { formatProblem } from '../../src/config/problems.js';
import { parseYamlFile } from '../../src/config/yaml-document.js';
import type { SloDefinition } from '../../src/slo/model.js';

export interface SloSpecInput {
  name?: string;
  objective?: number;
  window?: string | { calendar: string; timeZone?: string };
  regions?: string[];
  budgetingMethod?: 'occurrences' | 'timeslices';
  timeslice?: { window: string; target: number };
  alerting?: unknown;
}

export function sloYaml(input: SloSpecInput = {}): string {
  const { name = 'test-slo', objective = 99.9, window = '28d', ...rest } = input;
  return stringify({
    apiVersion: 'vigil/v1',
    kind: 'SLO',
    metadata: { name, squad: 'test' },
    spec: { service: 'test-service', objective, window, indicator: { events: {} }, ...rest },
  });
}

export function defineSlo(input: SloSpecInput = {}): SloDefinition {
  return loadSlo(sloYaml(input));
}

export function loadSlo(yamlText: string, file = 'inline.yaml'): SloDefinition {
  const parsed = parseYamlFile(file, yamlText);
  const doc = parsed.documents[0];
  if (!doc) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const value = doc.value as { apiVersion: string; kind: string };
  const handler = KINDS.find((k) => k.apiVersion === value.apiVersion && k.kind === value.kind);
  const loaded = handler?.load(doc);
  if (loaded?.item?.type !== 'slo') {
    throw new Error(loaded?.problems.map(formatProblem).join('\n') ?? 'unknown kind');
  }
  return loaded.item.definition;
}

export interface PlaybackSloInput {
  window: string;
  regions: string[];
  ratio: Record<string, unknown>;
}

/** The media squad's playback SLO at 99 %, its ratio read from a metric source, as the source tests use it. */
export function playbackSlo({ window, regions, ratio }: PlaybackSloInput): SloDefinition {
  return loadSlo(
    stringify({
      apiVersion: 'vigil/v1',
      kind: 'SLO',
      metadata: { name: 'playback', squad: 'media' },
      spec: { service: 'playback-api', objective: 99, window, regions, indicator: { ratio } },
    }),
  );
}
