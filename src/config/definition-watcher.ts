// Folders of definitions (slo-definitions/, probes/) watched for edits, so `vigil serve`, `vigil up` and
// `vigil probe --probes` reload without a restart. chokidar follows files that editors and `sed -i` save
// by writing a new file and renaming it over the old one (Node's recursive fs.watch loses such a file:
// later edits to it went unnoticed), and folders created or removed while watching.
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from '../lib/logger.js';

export interface DefinitionWatcherOptions {
  paths: readonly string[];
  /** Called once a burst of changes is over (editors write a file in several steps). */
  onChange: () => void;
  logger: Logger;
  settleMs?: number;
}

export class DefinitionWatcher {
  private readonly watcher: FSWatcher;
  private readonly watching: Promise<void>;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DefinitionWatcherOptions) {
    this.watcher = watch([...options.paths], { ignoreInitial: true, atomic: true });
    this.watching = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    this.watcher.on('all', () => this.schedule());
    this.watcher.on('error', (error) => options.logger.warn({ paths: options.paths, err: error }, 'watching definitions failed; changes may need a restart'));
  }

  /** Resolves once the watcher is ready: changes from then on are seen. */
  ready(): Promise<void> {
    return this.watching;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.watcher.close();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.options.onChange();
    }, this.options.settleMs ?? 300);
    this.timer.unref();
  }
}
