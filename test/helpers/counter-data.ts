// Counter samples with known event counts, as OpenMetrics text for promtool: every scrape adds a known
// number of events; a series may restart (its counter drops to 0 and counts on) or miss scrapes (a gap).
// The expected counts are kept from the events themselves, not from the samples: events between two
// samples belong to the minute of the later one, which is the rule Vigil must follow.

export interface CounterSeriesSpec {
  labels: Readonly<Record<string, string>>;
  /** Counter value at the first sample (what came before is not counted). */
  startValue: number;
  /** Events between scrape slot − 1 and slot. */
  eventsAt: (slot: number) => number;
  /** The process restarts just before this slot: the counter there counts only that slot's events. */
  resetAtSlot?: number;
  /** Scrape slots [from, to) that were missed. */
  gap?: readonly [number, number];
}

export interface CounterData {
  openMetrics: string;
  /** Per series (same order as the specs): minute → events counted in it. */
  expected: Array<Map<number, number>>;
}

/** A small deterministic pseudo-random source (no Math.random: the data must be the same every run). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export function counterData(metric: string, specs: readonly CounterSeriesSpec[], options: { startMs: number; slots: number; stepMs: number }): CounterData {
  const lines = [`# TYPE ${metric} counter`];
  const expected = specs.map((spec) => {
    const counts = new Map<number, number>();
    const labels = Object.entries(spec.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    let value = spec.startValue;
    let pending = 0;
    for (let slot = 0; slot < options.slots; slot++) {
      const ms = options.startMs + slot * options.stepMs;
      if (slot > 0) {
        const events = spec.eventsAt(slot);
        value = slot === spec.resetAtSlot ? events : value + events;
        pending += events;
      }
      if (spec.gap && slot >= spec.gap[0] && slot < spec.gap[1]) continue;
      if (slot > 0 && pending > 0) {
        const minute = Math.floor(ms / 60_000);
        counts.set(minute, (counts.get(minute) ?? 0) + pending);
      }
      pending = 0;
      lines.push(`${metric}_total{${labels}} ${value} ${(ms / 1000).toFixed(3)}`);
    }
    return counts;
  });
  lines.push('# EOF', '');
  return { openMetrics: lines.join('\n'), expected };
}
