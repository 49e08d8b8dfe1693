// Probe definitions read from local files (`vigil probe --probes DIR`) and re-read when they change.
// A change with errors keeps the previous definitions and logs the problems: a typo never stops probing.
import { DefinitionWatcher } from '../config/definition-watcher.js';
import { loadDefinitions } from '../config/load.js';
import { ConfigError, formatProblem } from '../config/problems.js';
import type { Logger } from '../lib/logger.js';
import type { ProbeDefinition } from './model.js';

export class ProbeFolder {
  private watcher: DefinitionWatcher | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private current: ProbeDefinition[],
  ) {}

  /** Reads the folder; throws ConfigError when its definitions have errors. */
  static async load(dir: string, logger: Logger): Promise<ProbeFolder> {
    return new ProbeFolder(dir, logger, await readProbes(dir));
  }

  definitions(): ProbeDefinition[] {
    return this.current;
  }

  /** Calls `onChange` with the new definitions shortly after files under the folder change. */
  watch(onChange: (definitions: ProbeDefinition[]) => void): Promise<void> {
    this.watcher = new DefinitionWatcher({ paths: [this.dir], logger: this.logger, onChange: () => this.reload(onChange) });
    return this.watcher.ready();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
    this.watcher = null;
  }

  private reload(onChange: (definitions: ProbeDefinition[]) => void): void {
    readProbes(this.dir).then(
      (definitions) => {
        if (this.closed) return;
        this.current = definitions;
        onChange(definitions);
      },
      (error: unknown) => {
        const problems = error instanceof ConfigError ? error.problems.map(formatProblem) : [String(error)];
        this.logger.error({ path: this.dir, problems }, 'probe definitions have errors: keeping the previous ones');
      },
    );
  }
}

/** The probe definitions under `paths`; throws ConfigError (file:line:col per problem) on errors. */
export async function readProbes(...paths: string[]): Promise<ProbeDefinition[]> {
  const loaded = await loadDefinitions(paths);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ConfigError(errors);
  return loaded.probes;
}
