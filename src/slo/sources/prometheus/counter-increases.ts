// Exact event counts from raw counter samples, the way Prometheus reads a counter but without its
// extrapolation: each series' increase between consecutive samples (a drop means the counter restarted
// from 0, so the increase is the new value), counted in the minute of the later sample.
import { MINUTE_MS } from '../../../lib/duration.js';

/** One series' raw samples in time order: [ms, value]. */
export interface CounterSeries {
  labels: Readonly<Record<string, string>>;
  samples: ReadonlyArray<readonly [number, number]>;
}

/** Increases per (target region, vantage), then per minute. */
export type MinuteIncreases = Map<string, { targetRegion: string; vantage: string; minutes: Map<number, number> }>;

export interface IncreaseOptions {
  /** Only increases whose later sample lies in [fromMs, toMs) count; earlier samples only give the start value. */
  fromMs: number;
  toMs: number;
  regionLabel: string | null;
  vantageLabel: string | null;
}

/**
 * Sums the increases of every series per (label values, minute). A series' first sample only sets where
 * it starts: what it counted before is unknown (Prometheus' increase() makes the same choice).
 */
export function minuteIncreases(series: readonly CounterSeries[], options: IncreaseOptions): MinuteIncreases {
  const increases: MinuteIncreases = new Map();
  for (const { labels, samples } of series) {
    const targetRegion = options.regionLabel === null ? '' : (labels[options.regionLabel] ?? '');
    const vantage = options.vantageLabel === null ? '' : (labels[options.vantageLabel] ?? '');
    const key = `${targetRegion}\u0000${vantage}`;
    let group = increases.get(key);
    if (!group) {
      group = { targetRegion, vantage, minutes: new Map() };
      increases.set(key, group);
    }
    const { minutes } = group;
    let previous: number | null = null;
    for (const [ms, value] of samples) {
      if (ms >= options.toMs) break;
      if (previous !== null && ms >= options.fromMs) {
        const increase = value >= previous ? value - previous : value;
        if (increase > 0) {
          const minute = Math.floor(ms / MINUTE_MS);
          minutes.set(minute, (minutes.get(minute) ?? 0) + increase);
        }
      }
      previous = value;
    }
  }
  return increases;
}
