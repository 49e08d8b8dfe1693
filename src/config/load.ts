// Reads YAML definitions from files and folders, dispatches each document to its kind, and collects
// every problem (with file:line:col) instead of stopping at the first.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProbeDefinition } from '../prober/model.js';
import type { SloDefinition } from '../slo/model.js';
import { crossChecks } from './checks.js';
import { KINDS, type LoadedItem } from './kinds/index.js';
import { resolveOpenSloReferences } from './kinds/openslo-references.js';
import { defaultConfig, type VigilConfig } from './kinds/vigil-config.js';
import { ConfigError, countErrors, type Problem, sortProblems } from './problems.js';
import { didYouMean } from './schema-problems.js';
import { parseYamlFile, type YamlDocument } from './yaml-document.js';

export interface Definitions {
  slos: SloDefinition[];
  probes: ProbeDefinition[];
  config: VigilConfig;
  items: LoadedItem[];
  problems: Problem[];
  files: string[];
}

export interface LoadOptions {
  /** Directory that relative references (runbooks) are resolved against. */
  root?: string;
  /** Paths that may be absent without it being a problem (the default folders). */
  optional?: boolean;
}

const YAML_FILE = /\.ya?ml$/i;

async function collectFiles(target: string, optional: boolean, problems: Problem[]): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch {
    if (!optional) problems.push({ file: target, line: 1, col: 1, severity: 'error', message: 'no such file or directory' });
    return [];
  }
  if (info.isFile()) return [target];
  const entries = await readdir(target, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => {
        const child = path.join(target, e.name);
        if (e.isDirectory()) return collectFiles(child, true, problems);
        return Promise.resolve(YAML_FILE.test(e.name) ? [child] : []);
      }),
  );
  return nested.flat();
}

function dispatch(doc: YamlDocument): { item: LoadedItem | null; more?: LoadedItem[]; problems: Problem[] } {
  const value = doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { item: null, problems: [doc.problem([], 'expected a map with apiVersion, kind, metadata and spec')] };
  }
  const { apiVersion, kind } = value as Record<string, unknown>;
  if (typeof apiVersion !== 'string') return { item: null, problems: [doc.problem([], 'missing required field "apiVersion"')] };
  if (typeof kind !== 'string') return { item: null, problems: [doc.problem([], 'missing required field "kind"')] };
  const handler = KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
  if (handler) return handler.load(doc);
  const versions = [...new Set(KINDS.map((k) => k.apiVersion))];
  if (!versions.includes(apiVersion)) {
    return {
      item: null,
      problems: [doc.problem(['apiVersion'], `unknown apiVersion "${apiVersion}"${didYouMean(apiVersion, versions)}`)],
    };
  }
  const kinds = KINDS.filter((k) => k.apiVersion === apiVersion).map((k) => k.kind);
  return {
    item: null,
    problems: [
      doc.problem(['kind'], `unknown kind "${kind}" for ${apiVersion} (known: ${kinds.join(', ')})${didYouMean(kind, kinds)}`),
    ],
  };
}

/** Every YAML document of `files`, in order; a file that cannot be read or parsed adds its problems instead. */
export async function readYamlFiles(files: readonly string[], problems: Problem[]): Promise<YamlDocument[]> {
  const documents: YamlDocument[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push({ file, line: 1, col: 1, severity: 'error', message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const parsed = parseYamlFile(file, text);
    problems.push(...parsed.problems);
    documents.push(...parsed.documents);
  }
  return documents;
}

/** Loads every YAML document under `paths`. Never throws for bad input: problems are returned. */
export async function loadDefinitions(paths: readonly string[], options: LoadOptions = {}): Promise<Definitions> {
  const root = options.root ?? process.cwd();
  const problems: Problem[] = [];
  const files = [...new Set((await Promise.all(paths.map((p) => collectFiles(p, options.optional ?? false, problems)))).flat())];
  const items: LoadedItem[] = [];
  const documents = await readYamlFiles(files, problems);
  // OpenSLO splits an SLO over documents (SLI, DataSource, AlertPolicy…) that may live in other files.
  const openSlo = resolveOpenSloReferences(documents);
  problems.push(...openSlo.problems);
  for (const doc of openSlo.documents) {
    const loaded = dispatch(doc);
    problems.push(...loaded.problems);
    if (loaded.item) items.push(loaded.item);
    items.push(...(loaded.more ?? []));
  }
  problems.push(...(await crossChecks(items, root)));
  const configs = items.filter((i): i is Extract<LoadedItem, { type: 'config' }> => i.type === 'config');
  for (const extra of configs.slice(1)) {
    problems.push(extra.doc.problem(['kind'], 'a second Config document: keep one vigil.yaml'));
  }
  return {
    slos: items.flatMap((i) => (i.type === 'slo' ? [i.definition] : [])),
    probes: items.flatMap((i) => (i.type === 'probe' ? [i.definition] : [])),
    config: configs[0]?.config ?? defaultConfig(),
    items,
    problems: sortProblems(problems),
    files,
  };
}

/** Like loadDefinitions, for commands that cannot run on invalid input: throws ConfigError on errors. */
export async function requireDefinitions(paths: readonly string[], options: LoadOptions = {}): Promise<Definitions> {
  const definitions = await loadDefinitions(paths, options);
  if (countErrors(definitions.problems) > 0) {
    throw new ConfigError(definitions.problems.filter((p) => p.severity === 'error'));
  }
  return definitions;
}
