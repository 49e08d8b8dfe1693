// The `file` provider: weights in a JSON file, replaced atomically (write, fsync, rename). The embedded
// default, and what the demo and `vigil simulate` use.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
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

  async apply(weights: Weights): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    // The first change of a fresh setup (or a data dir given elsewhere) may find no folder yet.
    await mkdir(path.dirname(this.file), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify({ weights, updatedAt: new Date().toISOString() }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
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
