// Fans notices out to the configured notifiers: each notifier's audience only, a failover situation
// that recurs (the same blocked drain, failure or proposal) once per de-duplication period, each notifier
// behind its own bounded delivery queue, outcomes counted in vigil_notifications_total.
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { type DeliveryOptions, type DeliveryOutcome, DeliveryQueue } from './delivery.js';
import { isFailoverNotice, type Notice, type NoticeSink, RECURRING_EVENTS } from './notice.js';
import { type Notifier, wants } from './notifier.js';

export const DEDUP_WINDOW_MS = 5 * 60_000;

export interface NotificationsOptions {
  /** The notifiers with their metric labels. */
  notifiers: ReadonlyArray<{ name: string; notifier: Notifier }>;
  clock: Clock;
  logger: Logger;
  /** Where vigil_notifications_total is registered (the server's /metrics registry). */
  registry?: Registry;
  /** The same recurring notice is sent once per this period. */
  dedupWindowMs?: number;
  delivery?: Omit<DeliveryOptions, 'onOutcome'>;
}

export class Notifications implements NoticeSink {
  private readonly targets: Array<{ name: string; notifier: Notifier; queue: DeliveryQueue }>;
  private readonly lastSent = new Map<string, number>();
  private readonly counter: Counter<'notifier' | 'outcome'>;
  private server: string | null = null;

  constructor(private readonly options: NotificationsOptions) {
    this.counter = new Counter({
      name: 'vigil_notifications_total',
      help: 'Notifications (failover, drill, SLO alert) by notifier and how they ended (sent, failed after retries, dropped from a full queue or at shutdown)',
      labelNames: ['notifier', 'outcome'],
      registers: options.registry ? [options.registry] : [],
    });
    this.targets = options.notifiers.map(({ name, notifier }) => ({
      name,
      notifier,
      queue: new DeliveryQueue({
        ...options.delivery,
        onOutcome: (outcome, post, failure) => this.count(name, outcome, post.url, failure),
      }),
    }));
    for (const { name } of this.targets) {
      for (const outcome of ['sent', 'failed', 'dropped'] as const) this.counter.inc({ notifier: name, outcome }, 0);
    }
  }

  get size(): number {
    return this.targets.length;
  }

  /** The server's URL, for links back (known once it listens). */
  setServer(url: string): void {
    this.server = url;
  }

  /** Queues the notices for every notifier that wants them; returns at once. */
  announce(notices: readonly Notice[]): void {
    const now = this.options.clock.now();
    for (const notice of notices) {
      if (isFailoverNotice(notice) && RECURRING_EVENTS.has(notice.event)) {
        const key = JSON.stringify([notice.event, notice.region, notice.rule]);
        const last = this.lastSent.get(key);
        if (last !== undefined && now - last < (this.options.dedupWindowMs ?? DEDUP_WINDOW_MS)) continue;
        this.lastSent.set(key, now);
      }
      for (const { notifier, queue } of this.targets) {
        if (wants(notifier.audience, notice)) queue.push(notifier.post(notice, { server: this.server, runbook: notifier.runbook }));
      }
    }
  }

  /** Resolves once everything announced so far has been delivered or given up on (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.queue.idle()));
  }

  /** Gives queued notices at most `graceMs` to go out, then drops (and counts) the rest. */
  async close(graceMs = 5000): Promise<void> {
    await Promise.all(this.targets.map((t) => t.queue.close(graceMs)));
  }

  private count(name: string, outcome: DeliveryOutcome, url: string, failure: unknown): void {
    this.counter.inc({ notifier: name, outcome });
    // The URL can hold a secret (Slack's does): log only where it points.
    const host = URL.canParse(url) ? new URL(url).host : 'unknown';
    if (outcome === 'failed') this.options.logger.error({ notifier: name, host, failure }, 'notification failed');
    else if (outcome === 'dropped') this.options.logger.warn({ notifier: name, host }, 'notification dropped');
  }
}
