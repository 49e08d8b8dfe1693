// Pulls every ratio SLO's counts from its metric source into the bucket store: each interval from the
// SLO's progress mark (re-reading a few recent minutes for late samples) up to now; at start-up and after
// an outage the whole gap, as far back as the SLO window and the source's retention allow, in chunks the
// source accepts. Minutes it could not read stay absent ("no data", never good). One failing source or
// SLO never holds up the others, nor the engine: reads run beside evaluation, bounded and with timeouts.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import { formatDuration, MINUTE_MS } from '../../lib/duration.js';
import type { Logger } from '../../lib/logger.js';
import type { BucketStore } from '../../store/bucket-store.js';
import type { SourceProgress, SourceProgressStore } from '../../store/source-progress-store.js';
import { longestPeriodMinutes } from '../math/windows.js';
import type { SloDefinition } from '../model.js';
import { type MetricSource, type RatioQuery, SourceError } from './source.js';

/** What the API and the SLO page say about one pulled SLO. */
export interface SloSourceStatus {
  slo: string;
  source: string;
  /** Minutes before this instant are read and final (ISO time), or null before the first read. */
  completeBefore: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** E.g. the source keeps less than the SLO window: its oldest minutes can never be read. */
  warnings: string[];
}

export interface PullerOptions {
  store: BucketStore;
  progress: SourceProgressStore;
  sources: ReadonlyMap<string, MetricSource>;
  definitions: readonly SloDefinition[];
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Where vigil_source_errors_total and vigil_source_lag_seconds go (the server's /metrics). */
  registry?: Registry;
  /** SLOs read at the same time (default 4). */
  concurrency?: number;
  /** Minutes before the progress mark read again each time, for samples that arrive late (default 5). */
  rereadMinutes?: number;
  /** How long a source's retention is trusted before asking again (default 1h). */
  retentionTtlMs?: number;
}

type PulledSlo = SloDefinition & { indicator: Extract<SloDefinition['indicator'], { kind: 'ratio' }> };

/** What an SLO reads, as kept beside its progress: an edited query is read again from the start of the window. */
function queryText(def: PulledSlo): string {
  const { good, total, regionLabel, vantageLabel } = def.indicator;
  return JSON.stringify({ good, total, regionLabel, vantageLabel });
}

function ours(progress: SourceProgress, def: PulledSlo): boolean {
  return progress.source === def.indicator.source && progress.query === queryText(def);
}

export class SourcePuller {
  private definitions: PulledSlo[] = [];
  private readonly retention = new Map<string, { ms: number | null; checkedAt: number }>();
  private readonly warned = new Set<string>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly errors: Counter<'source'> | null;
  private readonly lag: Gauge<'source'> | null;

  constructor(private readonly options: PullerOptions) {
    this.setDefinitions(options.definitions);
    const registers = options.registry ? [options.registry] : [];
    this.errors = options.registry
      ? new Counter({ name: 'vigil_source_errors_total', help: 'Failed reads from a metric SLI source (unreachable, HTTP error, bad query, timeout)', labelNames: ['source'], registers })
      : null;
    this.lag = options.registry
      ? new Gauge({ name: 'vigil_source_lag_seconds', help: 'How far behind now the least advanced SLO of a metric source has been read', labelNames: ['source'], registers })
      : null;
    for (const kind of options.sources.keys()) this.errors?.inc({ source: kind }, 0);
  }

  /** The ratio SLOs to pull; a reload keeps each SLO's progress (it is in the store). */
  setDefinitions(definitions: readonly SloDefinition[]): void {
    this.definitions = definitions.filter((def): def is PulledSlo => def.indicator.kind === 'ratio');
  }

  /** Pulls now, then every interval; a round still running when the next is due makes that one wait. */
  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => {
        void this.pull().finally(() => {
          if (!this.abort.signal.aborted) loop();
        });
      }, this.options.intervalMs);
      this.timer.unref?.();
    };
    void this.pull().finally(() => {
      if (!this.abort.signal.aborted) loop();
    });
  }

  /** One round over every SLO; resolves when all reads have ended, whatever their outcome. */
  pull(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  status(slo: string): SloSourceStatus | null {
    const def = this.definitions.find((d) => d.name === slo);
    if (!def) return null;
    const progress = this.options.progress.get(slo);
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    const source = def.indicator.source;
    const configured = this.options.sources.has(source);
    return {
      slo,
      source,
      completeBefore: progress && ours(progress, def) ? iso(progress.completeBefore * MINUTE_MS) : null,
      lastSuccessAt: iso(progress?.lastSuccessAt),
      lastError: configured ? (progress?.lastError ?? null) : `source "${source}" is not configured in spec.sources`,
      lastErrorAt: iso(progress?.lastErrorAt),
      warnings: this.retentionWarning(def) === null ? [] : [this.retentionWarning(def) as string],
    };
  }

  async close(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.options.sources.values()].map((s) => s.close()));
  }

  private async round(): Promise<void> {
    const queue = [...this.definitions];
    const worker = async () => {
      for (let def = queue.shift(); def !== undefined && !this.abort.signal.aborted; def = queue.shift()) {
        try {
          await this.pullSlo(def);
        } catch (error) {
          // The store itself failed (disk full, say): say so and go on with the next SLO; never crash the server.
          this.options.logger.error({ err: error, slo: def.name }, 'storing what a metric source read failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 4) }, worker));
    this.updateLag();
  }

  private async pullSlo(def: PulledSlo): Promise<void> {
    const kind = def.indicator.source;
    const source = this.options.sources.get(kind);
    if (!source) return;
    const now = this.options.clock.now();
    const nowMinute = Math.floor(now / MINUTE_MS);
    // The current minute is read too (it is replaced again next time): alerts see traffic as it comes.
    const toMinute = nowMinute + 1;
    const retentionMs = await this.retentionOf(kind, source);
    const oldest = Math.max(nowMinute - longestPeriodMinutes(def), retentionMs === null ? -Infinity : Math.ceil((now - retentionMs) / MINUTE_MS));
    this.warnShortRetention(def);
    const progress = this.options.progress.get(def.name);
    const mine = progress && ours(progress, def) ? progress : null;
    const mark = mine ? mine.completeBefore - (this.options.rereadMinutes ?? 5) : oldest;
    const query: RatioQuery = { slo: def.name, good: def.indicator.good, total: def.indicator.total, regionLabel: def.indicator.regionLabel, vantageLabel: def.indicator.vantageLabel };
    const first = Math.min(Math.max(mark, oldest), nowMinute);
    // Minutes once final stay final: re-reading them for late samples never moves the mark back.
    let done = mine ? mine.completeBefore : first;
    let chunks = 0;
    for (let from = first; from < toMinute && !this.abort.signal.aborted; ) {
      const to = Math.min(toMinute, from + source.maxChunkMinutes);
      try {
        const result = await source.read(query, from, to, this.abort.signal);
        this.options.store.replaceRange(def.name, from, to, result.counts);
        if (result.completeBefore > from) done = Math.max(done, result.completeBefore);
        // A backfill notes its progress every few chunks: a crash in between only means those are read again.
        if (to === toMinute || ++chunks % 8 === 0) this.options.progress.recordSuccess(def.name, kind, queryText(def), done, this.options.clock.now());
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.recordFailure(def, kind, oldest, error);
        return;
      }
      from = to;
    }
  }

  private recordFailure(def: PulledSlo, kind: string, oldest: number, error: unknown): void {
    const message = error instanceof SourceError ? `${error.reason}: ${error.message}` : `response: ${error instanceof Error ? error.message : String(error)}`;
    this.errors?.inc({ source: kind });
    const previous = this.options.progress.get(def.name);
    this.options.progress.recordError(def.name, kind, queryText(def), oldest, message, this.options.clock.now());
    // Said once when it starts failing (or fails differently), not every interval while it stays down.
    if (previous?.lastError !== message) this.options.logger.warn({ slo: def.name, source: kind, err: message }, 'reading a metric source failed: its minutes show no data until it answers');
  }

  private async retentionOf(kind: string, source: MetricSource): Promise<number | null> {
    const now = this.options.clock.now();
    const known = this.retention.get(kind);
    if (known && now - known.checkedAt < (this.options.retentionTtlMs ?? 3_600_000)) return known.ms;
    if (!source.retentionMs) return null;
    try {
      const ms = await source.retentionMs(AbortSignal.any([this.abort.signal, AbortSignal.timeout(30_000)]));
      this.retention.set(kind, { ms, checkedAt: now });
      return ms;
    } catch {
      // Unknown retention only means no warning; the read that follows reports the failure.
      return known?.ms ?? null;
    }
  }

  private retentionWarning(def: PulledSlo): string | null {
    const ms = this.retention.get(def.indicator.source)?.ms ?? null;
    const windowMs = longestPeriodMinutes(def) * MINUTE_MS;
    if (ms === null || ms >= windowMs) return null;
    return `${def.indicator.source} keeps ${formatDuration(ms)} of data but the SLO window is ${def.window.text}: older minutes can never be read and count as no data`;
  }

  private warnShortRetention(def: PulledSlo): void {
    const warning = this.retentionWarning(def);
    if (warning === null || this.warned.has(def.name)) return;
    this.warned.add(def.name);
    this.options.logger.warn({ slo: def.name, source: def.indicator.source }, warning);
  }

  private updateLag(): void {
    if (!this.lag) return;
    const now = this.options.clock.now();
    for (const kind of this.options.sources.keys()) {
      const marks = this.definitions
        .filter((d) => d.indicator.source === kind)
        .map((d) => {
          const p = this.options.progress.get(d.name);
          return p && ours(p, d) ? p.completeBefore * MINUTE_MS : null;
        });
      if (marks.length === 0) continue;
      const least = marks.some((m) => m === null) ? null : Math.min(...(marks as number[]));
      if (least !== null) this.lag.set({ source: kind }, Math.max(0, (now - least) / 1000));
    }
  }
}
