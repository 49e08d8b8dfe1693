// The definitions a running server works from (SLOs, probes), reloaded when their files change.
// A reload with errors keeps the previous definitions and logs the problems: a typo never stops probing.
import { DefinitionWatcher } from '../config/definition-watcher.js';
import { loadDefinitions } from '../config/load.js';
import { countErrors, formatProblem, type Problem } from '../config/problems.js';
import type { Logger } from '../lib/logger.js';
import type { ProbeDefinition } from '../prober/model.js';
import type { SloDefinition } from '../slo/model.js';
import { ProbeSloIndex } from '../slo/sources/probe-results.js';

export interface ProbeDocument {
  /** file:line:col of the document, for messages on the agent side. */
  source: string;
  definition: ProbeDefinition;
  /** The document as written, so agents can validate it with their own copy of the schemas. */
  document: unknown;
}

export interface CatalogSnapshot {
  slos: SloDefinition[];
  probes: ProbeDocument[];
  probeIndex: ProbeSloIndex;
}

export type CatalogListener = (snapshot: CatalogSnapshot) => void;

export class Catalog {
  private current: CatalogSnapshot;
  private readonly listeners = new Set<CatalogListener>();
  private watcher: DefinitionWatcher | null = null;

  private constructor(
    private readonly paths: string[],
    private readonly root: string,
    private readonly logger: Logger,
    snapshot: CatalogSnapshot,
  ) {
    this.current = snapshot;
  }

  /** Loads the definitions; throws on errors (a server must not start on invalid input). */
  static async load(paths: string[], root: string, logger: Logger): Promise<{ catalog: Catalog; problems: Problem[] }> {
    const { snapshot, problems } = await Catalog.read(paths, root);
    return { catalog: new Catalog(paths, root, logger, snapshot), problems };
  }

  private static async read(paths: string[], root: string): Promise<{ snapshot: CatalogSnapshot; problems: Problem[] }> {
    const loaded = await loadDefinitions(paths, { root, optional: true });
    const probes = loaded.items.flatMap((item) =>
      item.type === 'probe'
        ? [
            {
              source: `${item.definition.source.file}:${item.definition.source.line}:${item.definition.source.col}`,
              definition: item.definition,
              document: item.doc.value,
            },
          ]
        : [],
    );
    return {
      snapshot: { slos: loaded.slos, probes, probeIndex: new ProbeSloIndex(loaded.slos) },
      problems: loaded.problems,
    };
  }

  snapshot(): CatalogSnapshot {
    return this.current;
  }

  onChange(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the files; keeps the current definitions when the new ones have errors. */
  async reload(): Promise<Problem[]> {
    const { snapshot, problems } = await Catalog.read(this.paths, this.root);
    if (countErrors(problems) > 0) {
      this.logger.error({ problems: problems.map(formatProblem) }, 'definitions have errors: keeping the previous ones');
      return problems;
    }
    this.current = snapshot;
    this.logger.info({ slos: snapshot.slos.length, probes: snapshot.probes.length }, 'definitions reloaded');
    for (const listener of this.listeners) listener(snapshot);
    return problems;
  }

  /** Reloads shortly after any change under the definition folders; resolves once watching. */
  watch(): Promise<void> {
    this.watcher = new DefinitionWatcher({
      paths: this.paths,
      logger: this.logger,
      onChange: () => {
        this.reload().catch((error: unknown) => this.logger.error({ err: error }, 'reloading definitions failed'));
      },
    });
    return this.watcher.ready();
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
  }
}
