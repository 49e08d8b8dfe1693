// `vigil import openslo`: OpenSLO v1 documents from any number of files, references resolved, mapped by
// the same code the openslo/v1 loader uses, and written as vigil/v1.
import { resolveOpenSloReferences } from '../config/kinds/openslo-references.js';
import { fromOpenSlo, openSloSchema } from '../config/kinds/openslo-slo.js';
import type { Problem } from '../config/problems.js';
import { schemaProblems } from '../config/schema-problems.js';
import type { YamlDocument } from '../config/yaml-document.js';
import type { SourcePosition } from '../slo/model.js';
import { periodMinutesOf } from './prometheus-rules.js';
import { vigilSloDocument } from './vigil-yaml.js';

export interface ImportedOpenSlo {
  name: string;
  doc: Record<string, unknown>;
  at: SourcePosition;
  origin: string;
}

function kindOf(doc: YamlDocument): { apiVersion: unknown; kind: unknown; name: unknown } {
  const value = typeof doc.value === 'object' && doc.value !== null ? (doc.value as Record<string, unknown>) : {};
  const metadata = typeof value.metadata === 'object' && value.metadata !== null ? (value.metadata as Record<string, unknown>) : {};
  return { apiVersion: value.apiVersion, kind: value.kind, name: metadata.name };
}

/** Maps every OpenSLO SLO among `documents`; an SLO that cannot be mapped is left out and problems say why. */
export function importOpenSloDocuments(documents: readonly YamlDocument[]): { slos: ImportedOpenSlo[]; problems: Problem[] } {
  const { documents: resolved, problems } = resolveOpenSloReferences(documents);
  const imported: ImportedOpenSlo[] = [];
  for (const doc of resolved) {
    const { apiVersion, kind, name } = kindOf(doc);
    if (apiVersion !== 'openslo/v1') {
      problems.push(doc.problem(typeof doc.value === 'object' && doc.value !== null ? ['apiVersion'] : [], 'not an OpenSLO v1 document (apiVersion: openslo/v1)'));
      continue;
    }
    if (kind !== 'SLO') {
      problems.push(doc.problem(['kind'], `kind ${String(kind)} is not imported (SLO, SLI, DataSource, AlertPolicy, AlertCondition are)`, { severity: 'warning' }));
      continue;
    }
    const parsed = openSloSchema.safeParse(doc.value);
    if (!parsed.success) {
      problems.push(...schemaProblems(doc, openSloSchema, parsed.error.issues));
      continue;
    }
    const mapped = fromOpenSlo(parsed.data, doc);
    problems.push(...mapped.problems);
    const at = doc.position(['metadata', 'name']);
    for (const def of mapped.definitions) {
      imported.push({
        name: def.name,
        doc: vigilSloDocument(def, periodMinutesOf(def)),
        at: { file: doc.file, ...at },
        origin: `${doc.file}:${at.line}:${at.col} (OpenSLO SLO ${String(name)})`,
      });
    }
  }
  return { slos: imported, problems };
}
