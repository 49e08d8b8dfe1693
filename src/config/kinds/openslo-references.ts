// OpenSLO v1 documents split across files (SLO, SLI, DataSource, AlertPolicy, AlertCondition) resolved
// into self-contained SLO documents: indicatorRef, metricSourceRef, alertPolicyRef and conditionRef are
// inlined by name, so the openslo/v1 SLO mapping sees one document.
import type { Problem } from '../problems.js';
import type { Path, YamlDocument } from '../yaml-document.js';

type Plain = Record<string, unknown>;

const REFERENCED_KINDS = ['SLI', 'DataSource', 'AlertPolicy', 'AlertCondition'] as const;
/** Kinds that say nothing about what Vigil counts. */
const IGNORED_KINDS = new Set(['Service', 'AlertNotificationTarget']);

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(value: Plain): string | undefined {
  const metadata = value.metadata;
  return isPlain(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
}

type Index = Record<(typeof REFERENCED_KINDS)[number], Map<string, Plain>>;

class Resolver {
  constructor(
    private readonly index: Index,
    private readonly doc: YamlDocument,
    private readonly problems: Problem[],
  ) {}

  private lookup(kind: keyof Index, name: unknown, at: Path): Plain | null {
    const found = typeof name === 'string' ? this.index[kind].get(name) : undefined;
    if (!found) {
      const known = [...this.index[kind].keys()];
      this.problems.push(
        this.doc.problem(at, `no ${kind} named ${JSON.stringify(name)} in the files given${known.length ? ` (known: ${known.join(', ')})` : ''}`),
      );
      return null;
    }
    return structuredClone(found);
  }

  /** A metric whose metricSourceRef names a DataSource takes that source's type. */
  private metric(metric: unknown, at: Path): void {
    if (!isPlain(metric) || !isPlain(metric.metricSource)) return;
    const source = metric.metricSource;
    if (source.metricSourceRef === undefined) return;
    const dataSource = this.lookup('DataSource', source.metricSourceRef, [...at, 'metricSource', 'metricSourceRef']);
    if (!dataSource || !isPlain(dataSource.spec)) return;
    source.type ??= dataSource.spec.type;
    delete source.metricSourceRef;
  }

  indicator(spec: Plain): void {
    if (spec.indicatorRef !== undefined && spec.indicator === undefined) {
      const sli = this.lookup('SLI', spec.indicatorRef, ['spec', 'indicatorRef']);
      if (!sli) return;
      spec.indicator = { metadata: sli.metadata, spec: sli.spec };
      delete spec.indicatorRef;
    }
    const indicator = isPlain(spec.indicator) && isPlain(spec.indicator.spec) ? spec.indicator.spec : null;
    if (!indicator) return;
    const at: Path = ['spec', 'indicator', 'spec'];
    if (isPlain(indicator.ratioMetric)) {
      for (const key of ['good', 'bad', 'total']) this.metric(indicator.ratioMetric[key], [...at, 'ratioMetric', key]);
    }
    this.metric(indicator.thresholdMetric, [...at, 'thresholdMetric']);
  }

  alertPolicies(spec: Plain): void {
    if (!Array.isArray(spec.alertPolicies)) return;
    spec.alertPolicies = spec.alertPolicies.map((entry, i) => {
      const at: Path = ['spec', 'alertPolicies', i];
      const policy = isPlain(entry) && entry.alertPolicyRef !== undefined ? this.lookup('AlertPolicy', entry.alertPolicyRef, at) : entry;
      if (isPlain(policy) && isPlain(policy.spec) && Array.isArray(policy.spec.conditions)) {
        policy.spec.conditions = policy.spec.conditions.map((c: unknown) =>
          isPlain(c) && c.conditionRef !== undefined ? (this.lookup('AlertCondition', c.conditionRef, at) ?? c) : c,
        );
      }
      return policy ?? entry;
    });
  }
}


export const OPENSLO_COMPANION_KINDS = new Set<string>([...REFERENCED_KINDS, ...IGNORED_KINDS]);

export function isOpenSloCompanion(doc: YamlDocument): boolean {
  return isPlain(doc.value) && doc.value.apiVersion === 'openslo/v1' && OPENSLO_COMPANION_KINDS.has(String(doc.value.kind));
}

/**
 * Every openslo/v1 SLO among `documents` with its references inlined (same positions, new value), the
 * documents that are not OpenSLO companions unchanged, and the companions dropped. An SLO whose references
 * cannot all be resolved is dropped and the problems say which.
 */
export function resolveOpenSloReferences(documents: readonly YamlDocument[]): { documents: YamlDocument[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const index: Index = { SLI: new Map(), DataSource: new Map(), AlertPolicy: new Map(), AlertCondition: new Map() };
  for (const doc of documents) {
    const value = doc.value;
    if (!isOpenSloCompanion(doc) || !isPlain(value)) continue;
    const name = nameOf(value);
    const kind = String(value.kind);
    if (name && (REFERENCED_KINDS as readonly string[]).includes(kind)) index[kind as keyof Index].set(name, value);
  }
  const resolved: YamlDocument[] = [];
  for (const doc of documents) {
    if (isOpenSloCompanion(doc)) continue;
    const value = doc.value;
    if (!isPlain(value) || value.apiVersion !== 'openslo/v1' || value.kind !== 'SLO' || !isPlain(value.spec)) {
      resolved.push(doc);
      continue;
    }
    const copy = structuredClone(value) as Plain;
    const before = problems.length;
    const resolver = new Resolver(index, doc, problems);
    resolver.indicator(copy.spec as Plain);
    resolver.alertPolicies(copy.spec as Plain);
    if (problems.length === before) resolved.push(doc.withValue(copy));
  }
  return { documents: resolved, problems };
}
