// The `file` provider: weights in a JSON file, replaced atomically (write, fsync, rename). The embedded
// default, and what the demo and `vigil simulate` use.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineProvider, type ProviderContext, ProviderError, type WeightProvider, type Weights } from '../provider.js';

export const fileProviderSchema = z.strictObject({
  kind: z.literal('file'),
  path: z.string().min(1),
});

type FileProviderConfig = z.output<typeof fileProviderSchema>;

const weightsFile = z.strictObject({
  weights: z.record(z.string(), z.number().nonnegative()),
  updatedAt: z.string(),
});

export class FileProvider implements WeightProvider {
  readonly kind = 'file';
  private readonly file: string;
  private attempts = 0;

  constructor(
    config: FileProviderConfig,
    private readonly context: ProviderContext,
  ) {
    this.file = path.resolve(context.root, config.path);
  }

  /** The file's weights; before the first change, every region at its configured weight. */
  async read(): Promise<Weights> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return Object.fromEntries(Object.entries(this.context.regions).map(([region, spec]) => [region, spec.weight]));
      }
      throw new ProviderError(this.kind, `cannot read ${this.file}`, { cause: error });
    }
    let parsed: z.output<typeof weightsFile>;
    try {
      parsed = weightsFile.parse(JSON.parse(text));
    } catch (error) {
      throw new ProviderError(this.kind, `${this.file} is not a weights file`, { cause: error });
    }
    return parsed.weights;
  }

  async apply(weights: Weights, signal: AbortSignal): Promise<void> {
    // A name of its own per attempt: an attempt the orchestrator gave up on may still be writing.
    this.attempts++;
    const temp = `${this.file}.${process.pid}.${this.attempts}.tmp`;
    // The first change of a fresh setup (or a data dir given elsewhere) may find no folder yet.
    await mkdir(path.dirname(this.file), { recursive: true });
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify({ weights, updatedAt: new Date().toISOString() }, null, 2)}\n`, { signal });
        await handle.sync();
      } finally {
        await handle.close();
      }
      // An attempt that outlived its deadline must not land after a newer change: the rename is the commit.
      signal.throwIfAborted();
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename itself must reach the disk too, or a crash could bring the old file back.
    const dir = await open(path.dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async close(): Promise<void> {}
}

export const fileProvider = defineProvider({
  kind: 'file',
  schema: fileProviderSchema,
  create: (config, context) => new FileProvider(config, context),
});
