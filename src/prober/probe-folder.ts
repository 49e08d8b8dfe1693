// Probe definitions read from local files (`vigil probe --probes DIR`) and re-read when they change.
// A change with errors keeps the previous definitions and logs the problems: a typo never stops probing.
import { type FSWatcher, watch } from 'node:fs';
import { loadDefinitions } from '../config/load.js';
import { ConfigError, formatProblem } from '../config/problems.js';
import type { Logger } from '../lib/logger.js';
import type { ProbeDefinition } from './model.js';

export class ProbeFolder {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
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
  watch(onChange: (definitions: ProbeDefinition[]) => void): void {
    try {
      this.watcher = watch(this.dir, { recursive: true }, () => this.scheduleReload(onChange));
    } catch (error) {
      this.logger.warn({ path: this.dir, err: error }, 'cannot watch the probe definitions; changes need a restart');
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  private scheduleReload(onChange: (definitions: ProbeDefinition[]) => void): void {
    if (this.timer) clearTimeout(this.timer);
    // Editors write a file in several steps; read once the burst is over.
    this.timer = setTimeout(() => {
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
    }, 300);
    this.timer.unref();
  }
}

/** The probe definitions under `paths`; throws ConfigError (file:line:col per problem) on errors. */
export async function readProbes(...paths: string[]): Promise<ProbeDefinition[]> {
  const loaded = await loadDefinitions(paths);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ConfigError(errors);
  return loaded.probes;
}
