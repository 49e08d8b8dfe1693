// The Prometheus SLI source: exact good/total counts per (target region, vantage, minute) from the raw
// samples of counter selectors, never from increase() or rate() (which extrapolate and average).
import { systemClock } from '../../../lib/clock.js';
import { MINUTE_MS } from '../../../lib/duration.js';
import { counterSelector, formatSelector, PromqlShapeError } from '../../../lib/promql-selector.js';
import { defineSource, type MetricSource, type MinuteCount, type RatioQuery, type ReadResult, type SourceContext, SourceError } from '../source.js';
import { type MinuteIncreases, minuteIncreases } from './counter-increases.js';
import { PrometheusApi } from './http-api.js';
import { type PrometheusConfig, prometheusSchema } from './schema.js';

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus';
  readonly maxChunkMinutes: number;
  private readonly api: PrometheusApi;
  /** SLOs already warned about good > total, so the log says it once, not every interval. */
  private readonly clampedSlos = new Set<string>();

  constructor(
    private readonly config: PrometheusConfig,
    private readonly context: SourceContext,
  ) {
    this.maxChunkMinutes = Math.max(1, Math.floor(config.maxChunk / MINUTE_MS));
    this.api = new PrometheusApi({ url: config.url, headers: config.headers, timeoutMs: config.timeout });
  }

  async read(query: RatioQuery, fromMinute: number, toMinute: number, signal: AbortSignal): Promise<ReadResult> {
    const fromMs = fromMinute * MINUTE_MS;
    const toMs = toMinute * MINUTE_MS;
    // Each series' last sample before the range is where its first increase inside the range starts.
    const [good, total] = await Promise.all([
      this.api.rawSamples(selectorOf(query.good), fromMs - this.config.lookback, toMs, signal),
      this.api.rawSamples(selectorOf(query.total), fromMs - this.config.lookback, toMs, signal),
    ]);
    const options = { fromMs, toMs, regionLabel: query.regionLabel, vantageLabel: query.vantageLabel };
    const counts = this.combine(query.slo, minuteIncreases(good, options), minuteIncreases(total, options));
    const now = (this.context.clock ?? systemClock).now();
    const completeBefore = Math.max(fromMinute, Math.min(toMinute, Math.floor((now - this.config.settle) / MINUTE_MS)));
    return { counts, completeBefore };
  }

  retentionMs(signal: AbortSignal): Promise<number | null> {
    return this.api.retentionMs(signal);
  }

  close(): Promise<void> {
    return this.api.close();
  }

  private combine(slo: string, good: MinuteIncreases, total: MinuteIncreases): MinuteCount[] {
    const counts: MinuteCount[] = [];
    for (const [key, { targetRegion, vantage, minutes }] of total) {
      const goodMinutes = good.get(key)?.minutes;
      for (const [minute, totalCount] of minutes) {
        const goodCount = goodMinutes?.get(minute) ?? 0;
        if (goodCount > totalCount) this.warnClamped(slo, { targetRegion, vantage, minute }, goodCount, totalCount);
        counts.push({ targetRegion, vantage, minute, good: Math.min(goodCount, totalCount), total: totalCount });
      }
    }
    // Good events in a minute without any total: the selectors disagree; they cannot count as traffic.
    for (const [key, { targetRegion, vantage, minutes }] of good) {
      for (const [minute, goodCount] of minutes) {
        if (!total.get(key)?.minutes.has(minute)) this.warnClamped(slo, { targetRegion, vantage, minute }, goodCount, 0);
      }
    }
    return counts;
  }

  private warnClamped(slo: string, where: { targetRegion: string; vantage: string; minute: number }, good: number, total: number): void {
    if (this.clampedSlos.has(slo)) return;
    this.clampedSlos.add(slo);
    const { targetRegion, vantage, minute } = where;
    this.context.logger.warn(
      { slo, targetRegion, vantage, at: new Date(minute * MINUTE_MS).toISOString(), good, total },
      'the good selector counted more than the total selector in a minute: good is capped at total (said once per SLO)',
    );
  }
}
/** The counter a query counts: itself when a selector, the one inside `sum(rate(…[w]))` / `increase` forms. */
function selectorOf(query: string): string {
  try {
    return formatSelector(counterSelector(query));
  } catch (error) {
    if (!(error instanceof PromqlShapeError)) throw error;
    throw new SourceError('prometheus', `${query}: ${error.message}`, 'query');
  }
}

export const prometheusSource = defineSource<PrometheusConfig>({
  kind: 'prometheus',
  schema: prometheusSchema,
  declaredRetentionMs: (config) => config.retention ?? null,
  create: (config, context) => new PrometheusSource(config, context),
});
