// Ships results to a sink in batches (by size or age), each with a stable id so the server counts a
// retried batch once. When the sink fails, batches go to the spool and are retried with backoff, oldest
// first; batches the server refuses as invalid are dropped and counted. Results arrive as their JSON text
// and wait in one reused buffer until their batch is sealed: nothing per result outlives its attempt.
import { type Logger, silentLogger } from '../lib/logger.js';
import { batchBodyText, parseBatchBody } from './batch-body.js';
import type { ProbeResult } from './model.js';
import type { Spool, SpoolEntry } from './spool.js';
import { realTimers, type TimerHandle, type Timers } from './timers.js';

/** One batch on its way out: the wire body and the results, each produced when a sink asks for it. */
export interface OutgoingBatch {
  batchId: string;
  count: number;
  body(): string;
  results(): ProbeResult[];
}

export type RetryReason = 'unreachable' | 'server_error' | 'throttled' | 'unauthorized' | 'sink_error';

export type SendOutcome =
  | { kind: 'committed' }
  | { kind: 'retry'; reason: RetryReason; message: string }
  /** The batch itself is bad (a 4xx other than 408/429): retrying would never succeed. */
  | { kind: 'rejected'; message: string };

export interface ResultSink {
  /** Resolves once the batch is committed, or with why not. Should not reject (a rejection is retried). */
  send(batch: OutgoingBatch): Promise<SendOutcome>;
}

export interface ShipperObserver {
  shipped(results: number): void;
  failed(reason: RetryReason): void;
  rejected(): void;
  spooled(batches: number, bytes: number): void;
  dropped(batches: number, results: number): void;
}

export interface ShipperOptions {
  vantage: string;
  sink: ResultSink;
  /** Where batches wait while the sink fails; without one they wait in memory (bounded by maxMemoryBatches). */
  spool?: Spool | null;
  /** Results per batch (default 500). */
  batchSize?: number;
  /** A batch is sealed at most this long after its first result (default 2 s). */
  batchAgeMs?: number;
  /** Sealed batches kept in memory before they go to the spool, or (without a spool) the oldest are dropped. */
  maxMemoryBatches?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Start of this agent run, part of every batch id (default: now). */
  startedAt?: number;
  timers?: Timers;
  random?: () => number;
  logger?: Logger;
  observer?: ShipperObserver;
}

interface MemoryBatch extends OutgoingBatch {
  toSpool(): SpoolEntry;
}

export class Shipper {
  private readonly vantage: string;
  private readonly sink: ResultSink;
  private readonly spool: Spool | null;
  private readonly batchSize: number;
  private readonly batchAgeMs: number;
  private readonly maxMemoryBatches: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly idPrefix: string;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly observer: ShipperObserver | null;

  private readonly open = new OpenBatch();
  private ageTimer: TimerHandle | null = null;
  private sequence = 0;
  private memory: MemoryBatch[] = [];
  /** While set, new batches go behind the spooled ones, so shipping order stays oldest first. */
  private spoolMode: boolean;
  private pumping: Promise<void> | null = null;
  private failures = 0;
  private backoff: { handle: TimerHandle; wake: () => void } | null = null;
  private closing = false;
  private readonly waiters = new Set<() => void>();

  constructor(options: ShipperOptions) {
    this.vantage = options.vantage;
    this.sink = options.sink;
    this.spool = options.spool ?? null;
    this.batchSize = options.batchSize ?? 500;
    this.batchAgeMs = options.batchAgeMs ?? 2000;
    this.maxMemoryBatches = options.maxMemoryBatches ?? 64;
    this.initialBackoffMs = options.backoff?.initialMs ?? 500;
    this.maxBackoffMs = options.backoff?.maxMs ?? 30_000;
    this.timers = options.timers ?? realTimers;
    this.idPrefix = `${this.vantage}-${Math.floor(options.startedAt ?? this.timers.now())}`;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger();
    this.observer = options.observer ?? null;
    this.spoolMode = this.spool !== null && !this.spool.isEmpty();
    this.reportSpool();
    if (this.spoolMode) this.kick();
  }

  /** Takes one result as its JSON text (result-json.ts's encodeResult); never blocks. */
  push(resultJson: string): void {
    if (this.closing) return;
    this.open.append(resultJson);
    if (this.open.count >= this.batchSize) this.seal();
    else if (!this.ageTimer) this.ageTimer = this.timers.setTimer(this.batchAgeMs, () => this.seal());
  }

  /** Seals the open batch now instead of waiting for its size or age. */
  flush(): void {
    this.seal();
  }

  /** Batches not yet committed: in memory and in the spool. */
  backlog(): { memory: number; spooled: number } {
    return { memory: this.memory.length, spooled: this.spool?.batches ?? 0 };
  }

  /** Resolves when every sealed batch is committed, refused or dropped. */
  drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /**
   * Seals the open batch and tries to ship what is waiting for up to `graceMs`; whatever is still unshipped
   * then goes to the spool (or, without one, is lost and logged). Closes the spool.
   */
  async close(graceMs = 5000): Promise<void> {
    this.seal();
    this.closing = true;
    // Retry at once instead of sleeping: a failure while closing ends the pump.
    this.backoff?.wake();
    const timeUp = { handle: null as TimerHandle | null };
    await Promise.race([
      this.drained(),
      new Promise<void>((resolve) => {
        timeUp.handle = this.timers.setTimer(graceMs, resolve);
      }),
    ]);
    timeUp.handle?.cancel();
    if (this.memory.length > 0) {
      if (this.spool) {
        // A batch in flight may also commit: the server recognises its id when the spool sends it again.
        const moving = this.memory;
        this.memory = [];
        await this.toSpool(moving);
      } else {
        this.logger.error({ vantage: this.vantage, batches: this.memory.length }, 'shutting down with unshipped batches: they are lost');
      }
    }
    await this.spool?.close();
  }

  private seal(): void {
    this.ageTimer?.cancel();
    this.ageTimer = null;
    if (this.open.count === 0) return;
    const batchId = `${this.idPrefix}-${++this.sequence}`;
    const batch = this.memoryBatch(batchId, this.open.count, batchBodyText(batchId, this.vantage, this.open.take()));
    if (this.spoolMode) void this.toSpool([batch]);
    else {
      this.memory.push(batch);
      if (!this.spool && this.memory.length > this.maxMemoryBatches) this.dropOldestInMemory();
    }
    this.kick();
  }

  private memoryBatch(batchId: string, count: number, body: string): MemoryBatch {
    return { batchId, count, body: () => body, results: () => parseBatchBody(body), toSpool: () => ({ batchId, body, results: count }) };
  }

  private dropOldestInMemory(): void {
    // The head may be in flight; drop the next oldest instead so the pump's bookkeeping holds.
    const index = this.pumping && this.memory.length > 1 ? 1 : 0;
    const [gone] = this.memory.splice(index, 1);
    if (!gone) return;
    this.observer?.dropped(1, gone.count);
    this.logger.warn({ vantage: this.vantage, batchId: gone.batchId }, 'result queue full: dropped the oldest batch');
  }

  private async toSpool(batches: MemoryBatch[]): Promise<void> {
    if (!this.spool || batches.length === 0) return;
    this.spoolMode = true;
    try {
      const dropped = await this.spool.append(batches.map((b) => b.toSpool()));
      if (dropped.length > 0) this.observer?.dropped(dropped.length, dropped.reduce((sum, d) => sum + d.results, 0));
    } catch (error) {
      this.logger.error({ vantage: this.vantage, err: error, batches: batches.length }, 'cannot write to the spool: batches lost');
      this.observer?.dropped(batches.length, batches.reduce((sum, b) => sum + b.count, 0));
    }
    this.reportSpool();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.isDrained()) {
        const waiting = [...this.waiters];
        this.waiters.clear();
        for (const wake of waiting) wake();
      }
      else if (!this.closing && this.hasWork()) this.kick();
    });
  }

  private hasWork(): boolean {
    return this.memory.length > 0 || (this.spool !== null && !this.spool.isEmpty());
  }

  private isDrained(): boolean {
    return this.open.count === 0 && !this.hasWork();
  }

  /** Ships batches one at a time, oldest first, until none is left or (while closing) the sink fails. */
  private async pump(): Promise<void> {
    for (;;) {
      if (this.spool && !this.spoolMode && this.memory.length > this.maxMemoryBatches) {
        const moving = this.memory;
        this.memory = [];
        await this.toSpool(moving);
      }
      if (this.spoolMode && this.spool?.isEmpty()) this.spoolMode = false;
      const next = this.spoolMode ? await this.spoolHead() : this.memory[0];
      if (!next) return;
      const outcome = await this.send(next);
      if (outcome.kind === 'retry') {
        this.failures++;
        this.observer?.failed(outcome.reason);
        this.logger.warn({ vantage: this.vantage, batchId: next.batchId, reason: outcome.reason, message: outcome.message }, 'shipping failed: will retry');
        if (!this.spoolMode && this.spool) {
          const moving = this.memory;
          this.memory = [];
          await this.toSpool(moving);
        }
        if (this.closing) return;
        await this.waitBackoff();
        continue;
      }
      this.failures = 0;
      if (outcome.kind === 'committed') this.observer?.shipped(next.count);
      else {
        this.observer?.rejected();
        this.logger.error({ vantage: this.vantage, batchId: next.batchId, message: outcome.message }, 'server refused the batch: dropped');
      }
      if (this.spoolMode) {
        await this.spool?.remove(next.batchId, outcome.kind === 'committed' ? 'ack' : 'drop');
        this.reportSpool();
      } else if (this.memory[0] === next) this.memory.shift();
    }
  }

  private async spoolHead(): Promise<OutgoingBatch | null> {
    const entry = await this.spool?.head();
    if (!entry) return null;
    return { batchId: entry.batchId, count: entry.results, body: () => entry.body, results: () => parseBatchBody(entry.body) };
  }

  private async send(batch: OutgoingBatch): Promise<SendOutcome> {
    try {
      return await this.sink.send(batch);
    } catch (error) {
      return { kind: 'retry', reason: 'sink_error', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Exponential backoff with jitter: between half and all of min(max, initial × 2^(failures − 1)), so agents
   * that lost the server together do not come back in lockstep.
   */
  private waitBackoff(): Promise<void> {
    const ceiling = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(this.failures - 1, 30));
    const delay = ceiling * (0.5 + this.random() / 2);
    return new Promise((resolve) => {
      const wake = () => {
        handle.cancel();
        this.backoff = null;
        resolve();
      };
      const handle = this.timers.setTimer(delay, wake);
      this.backoff = { handle, wake };
    });
  }

  private reportSpool(): void {
    if (this.spool) this.observer?.spooled(this.spool.batches, this.spool.bytes);
  }
}

/** Results' JSON texts, comma-separated in one buffer that is kept and reused from batch to batch. */
class OpenBatch {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  count = 0;

  append(json: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8, so this much room is always enough.
    const room = this.length + 1 + 3 * json.length;
    if (room > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(room, 2 * this.buffer.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    if (this.count > 0) this.buffer[this.length++] = 0x2c;
    this.length += this.buffer.write(json, this.length, 'utf8');
    this.count++;
  }

  /** The texts so far, comma-separated; the batch is empty afterwards. */
  take(): string {
    const text = this.buffer.toString('utf8', 0, this.length);
    this.length = 0;
    this.count = 0;
    return text;
  }
}
