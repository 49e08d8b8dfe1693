// Delivers one notifier's POSTs in order, off the decision path: a bounded queue that drops the oldest when
// full, a timeout per attempt, and retries with backoff on network errors, 429 and 5xx. Every POST ends as
// exactly one of sent, failed or dropped.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { OutgoingPost } from './notifier.js';

export type DeliveryOutcome = 'sent' | 'failed' | 'dropped';

/** Why one attempt did not deliver; `retry` says whether another attempt may succeed. */
export type AttemptFailure =
  | { kind: 'status'; status: number; retry: boolean }
  | { kind: 'timeout'; retry: true }
  | { kind: 'network'; code: string; retry: true };

export interface DeliveryOptions {
  /** Most POSTs waiting; beyond that the oldest is dropped. */
  capacity?: number;
  /** Attempts per POST, the first included. */
  attempts?: number;
  /** Backoff before the second attempt; doubles each time, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Limit on one attempt (connect, send, answer). */
  timeoutMs?: number;
  /** Told how each POST ended (for metrics and logs). */
  onOutcome?: (outcome: DeliveryOutcome, post: OutgoingPost, failure: AttemptFailure | null) => void;
}

const DEFAULTS = { capacity: 1000, attempts: 4, backoffMs: 500, maxBackoffMs: 8000, timeoutMs: 5000 };

function failureOf(error: unknown): AttemptFailure {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'timeout', retry: true };
  }
  return { kind: 'network', code: code ?? name ?? 'unknown', retry: true };
}

export class DeliveryQueue {
  private readonly waiting: OutgoingPost[] = [];
  private readonly options: Required<Omit<DeliveryOptions, 'onOutcome'>> & Pick<DeliveryOptions, 'onOutcome'>;
  private running: Promise<void> | null = null;
  private readonly stop = new AbortController();

  constructor(options: DeliveryOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** How many POSTs wait (not counting the one being delivered). */
  get size(): number {
    return this.waiting.length;
  }

  /** Queues a POST; returns at once. */
  push(post: OutgoingPost): void {
    if (this.stop.signal.aborted) {
      this.options.onOutcome?.('dropped', post, null);
      return;
    }
    this.waiting.push(post);
    if (this.waiting.length > this.options.capacity) {
      const oldest = this.waiting.shift();
      if (oldest) this.options.onOutcome?.('dropped', oldest, null);
    }
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once everything queued so far has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Delivers what is queued for at most `graceMs`, then gives up: the attempt in flight is aborted and
   * whatever still waits is counted as dropped.
   */
  async close(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.idle(), gaveUp]);
    clearTimeout(timer);
    this.stop.abort();
    await this.running;
    for (const post of this.waiting.splice(0)) this.options.onOutcome?.('dropped', post, null);
  }

  private async drain(): Promise<void> {
    for (let post = this.waiting.shift(); post; post = this.waiting.shift()) {
      if (this.stop.signal.aborted) {
        this.options.onOutcome?.('dropped', post, null);
        continue;
      }
      const failure = await this.deliver(post);
      this.options.onOutcome?.(failure === null ? 'sent' : 'failed', post, failure);
    }
  }

  /** null when delivered, else why the last attempt failed. */
  private async deliver(post: OutgoingPost): Promise<AttemptFailure | null> {
    const { attempts, backoffMs, maxBackoffMs } = this.options;
    let failure: AttemptFailure | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      failure = await this.attempt(post);
      if (failure === null || !failure.retry || attempt === attempts || this.stop.signal.aborted) return failure;
      const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
      try {
        await sleep(delay * (0.5 + Math.random() / 2), undefined, { signal: this.stop.signal });
      } catch {
        return failure;
      }
    }
    return failure;
  }

  private async attempt(post: OutgoingPost): Promise<AttemptFailure | null> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.stop.signal]);
    try {
      const response = await request(post.url, { method: 'POST', headers: post.headers, body: JSON.stringify(post.body), signal });
      // Read the answer to the end so the connection can be reused; its content does not matter.
      await response.body.dump({ limit: 64 * 1024, signal });
      const status = response.statusCode;
      if (status >= 200 && status < 300) return null;
      return { kind: 'status', status, retry: status === 429 || status >= 500 };
    } catch (error) {
      return failureOf(error);
    }
  }
}
