// The agent's on-disk spool: whole result batches as append-only JSON lines (fsync'd), shipped oldest
// first when the server is back. Bounded by bytes and batches: past the bound the oldest batches go.
// Acks and drops are appended as marker lines; the file is compacted when mostly dead, and re-read on start.
import { type FileHandle, mkdir, open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Logger, silentLogger } from '../lib/logger.js';

export interface SpoolEntry {
  batchId: string;
  /** The batch as sent on the wire: `{"batchId","vantage","results":[…]}`. */
  body: string;
  /** Results in the batch, for metrics. */
  results: number;
}

export interface SpoolOptions {
  path: string;
  /** Bound on the bytes of batches waiting (default 64 MiB). */
  maxBytes?: number;
  /** Bound on the number of batches waiting (default 10,000). */
  maxBatches?: number;
  logger?: Logger;
}

interface Stored {
  batchId: string;
  offset: number;
  /** Bytes of the line, newline included. */
  length: number;
  results: number;
}

const batchLine = z.object({ batchId: z.string().min(1), results: z.array(z.unknown()) });
const markerLine = z.union([z.strictObject({ ack: z.string() }), z.strictObject({ drop: z.string() })]);

/** Compact once dead lines (acked, dropped) pass this many bytes and outweigh the live ones. */
const COMPACT_AFTER_BYTES = 1 << 20;

export class Spool {
  private fileSize = 0;
  private liveBytes = 0;
  private appending = 0;
  /** Serialises file operations: appends, reads, marker writes and compaction never interleave. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private handle: FileHandle,
    private readonly file: string,
    private readonly entries: Stored[],
    private readonly maxBytes: number,
    private readonly maxBatches: number,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating) the spool file and re-reads what a previous run left unshipped. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const logger = options.logger ?? silentLogger();
    await mkdir(path.dirname(options.path), { recursive: true });
    const handle = await open(options.path, 'a+');
    const { entries, goodBytes, totalBytes } = await readSpool(handle, logger, options.path);
    if (goodBytes < totalBytes) {
      // A crash mid-append leaves a torn last line: cut it off so the next append starts on a clean line.
      logger.warn({ spool: options.path, bytes: totalBytes - goodBytes }, 'spool: dropping a torn last line');
      await handle.truncate(goodBytes);
      await handle.datasync();
    }
    const spool = new Spool(handle, options.path, entries, options.maxBytes ?? 64 * 1024 * 1024, options.maxBatches ?? 10_000, logger);
    spool.fileSize = goodBytes;
    spool.liveBytes = entries.reduce((sum, e) => sum + e.length, 0);
    return spool;
  }

  get batches(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  /** True when nothing is stored and no append is under way. */
  isEmpty(): boolean {
    return this.entries.length === 0 && this.appending === 0;
  }

  /**
   * Appends batches in order (one write, one fsync) and returns once they are on disk. Past the bound, the
   * oldest batches are dropped and returned.
   */
  append(batches: readonly SpoolEntry[]): Promise<SpoolEntry[]> {
    this.appending++;
    return this.serial(async () => {
      try {
        return await this.appendNow(batches);
      } finally {
        this.appending--;
      }
    });
  }

  /** The oldest batch waiting, or null. */
  head(): Promise<SpoolEntry | null> {
    return this.serial(async () => {
      const first = this.entries[0];
      if (!first) return null;
      const buffer = Buffer.alloc(first.length);
      await this.handle.read(buffer, 0, first.length, first.offset);
      return { batchId: first.batchId, body: buffer.toString('utf8', 0, first.length - 1), results: first.results };
    });
  }

  /**
   * Forgets the oldest batch once it is committed (ack) or refused (drop). The marker is not fsync'd: if it
   * is lost in a crash the batch is sent again, and the server recognises its id.
   */
  remove(batchId: string, why: 'ack' | 'drop'): Promise<void> {
    return this.serial(async () => {
      const index = this.entries.findIndex((e) => e.batchId === batchId);
      if (index < 0) return;
      const [gone] = this.entries.splice(index, 1);
      this.liveBytes -= gone?.length ?? 0;
      if (this.entries.length === 0) {
        await this.handle.truncate(0);
        this.fileSize = 0;
        return;
      }
      await this.write(`${JSON.stringify(why === 'ack' ? { ack: batchId } : { drop: batchId })}\n`);
      await this.compactIfMostlyDead();
    });
  }

  close(): Promise<void> {
    return this.serial(() => this.handle.close());
  }

  private async appendNow(batches: readonly SpoolEntry[]): Promise<SpoolEntry[]> {
    const incoming = batches.map((b) => ({ entry: b, length: Buffer.byteLength(b.body) + 1 }));
    let batchCount = this.entries.length + incoming.length;
    let bytes = this.liveBytes + incoming.reduce((sum, b) => sum + b.length, 0);
    const droppedStored: Stored[] = [];
    const dropped: SpoolEntry[] = [];
    while (batchCount > 0 && (batchCount > this.maxBatches || bytes > this.maxBytes)) {
      const oldest = this.entries.shift();
      if (oldest) {
        droppedStored.push(oldest);
        this.liveBytes -= oldest.length;
        bytes -= oldest.length;
      } else {
        const first = incoming.shift();
        if (!first) break;
        dropped.push(first.entry);
        bytes -= first.length;
      }
      batchCount--;
    }
    let text = '';
    let offset = this.fileSize;
    for (const { entry, length } of incoming) {
      this.entries.push({ batchId: entry.batchId, offset, length, results: entry.results });
      this.liveBytes += length;
      offset += length;
      text += `${entry.body}\n`;
    }
    for (const gone of droppedStored) text += `${JSON.stringify({ drop: gone.batchId })}\n`;
    if (text.length > 0) {
      await this.write(text);
      await this.handle.datasync();
    }
    if (droppedStored.length > 0) {
      this.logger.warn({ spool: this.file, batches: droppedStored.length }, 'spool full: dropped the oldest batches');
      await this.compactIfMostlyDead();
    }
    // The dropped batches' bodies are only needed for their counts.
    return [...droppedStored.map((s) => ({ batchId: s.batchId, body: '', results: s.results })), ...dropped];
  }

  private async write(text: string): Promise<void> {
    const buffer = Buffer.from(text);
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, written, buffer.length - written);
      written += bytesWritten;
    }
    this.fileSize += buffer.length;
  }

  /** Rewrites the file with only the live batches (via a temporary file and a rename). */
  private async compactIfMostlyDead(): Promise<void> {
    const dead = this.fileSize - this.liveBytes;
    if (dead < COMPACT_AFTER_BYTES || dead < this.liveBytes) return;
    const temporary = `${this.file}.compact`;
    const out = await open(temporary, 'w');
    let offset = 0;
    try {
      for (const entry of this.entries) {
        const buffer = Buffer.alloc(entry.length);
        await this.handle.read(buffer, 0, entry.length, entry.offset);
        await out.write(buffer, 0, entry.length, offset);
        entry.offset = offset;
        offset += entry.length;
      }
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(temporary, this.file);
    await syncDirectory(path.dirname(this.file));
    await this.handle.close();
    this.handle = await open(this.file, 'a+');
    this.fileSize = offset;
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.chain.then(operation, operation);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

async function readSpool(
  handle: FileHandle,
  logger: Logger,
  file: string,
): Promise<{ entries: Stored[]; goodBytes: number; totalBytes: number }> {
  const { size } = await stat(file);
  const buffer = Buffer.alloc(size);
  if (size > 0) await handle.read(buffer, 0, size, 0);
  const entries: Stored[] = [];
  const removed = new Set<string>();
  let offset = 0;
  let goodBytes = 0;
  while (offset < size) {
    const end = buffer.indexOf(10, offset);
    if (end < 0) break;
    const length = end + 1 - offset;
    const line = buffer.toString('utf8', offset, end);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const marker = markerLine.safeParse(value);
    const batch = marker.success ? null : batchLine.safeParse(value);
    if (marker.success) {
      removed.add('ack' in marker.data ? marker.data.ack : marker.data.drop);
    } else if (batch?.success) {
      entries.push({ batchId: batch.data.batchId, offset, length, results: batch.data.results.length });
    } else {
      logger.error({ spool: file, offset }, 'spool: skipping a line that is not a batch or a marker');
    }
    offset = end + 1;
    goodBytes = offset;
  }
  return { entries: entries.filter((e) => !removed.has(e.batchId)), goodBytes, totalBytes: size };
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
