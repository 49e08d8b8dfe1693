import { describe, expect, it } from 'vitest';
import { type CounterSeries, minuteIncreases } from './counter-increases.js';
import { parseRetention } from './http-api.js';

const M = 60_000;

function increases(series: CounterSeries[], fromMs = 0, toMs = 10 * M) {
  const out: Record<string, number> = {};
  for (const { targetRegion, minutes } of minuteIncreases(series, { fromMs, toMs, regionLabel: 'region', vantageLabel: null }).values()) {
    for (const [minute, n] of minutes) out[`${targetRegion}@${minute}`] = n;
  }
  return out;
}

describe('exact increases from raw counter samples', () => {
  it.each([
    ['a counter that went from 1,000 to 1,060 within a minute counts 60', [[10_000, 1000], [50_000, 1060]], { 'eu@0': 60 }],
    ['a drop means the counter restarted from 0: the new value is the increase', [[10_000, 500], [70_000, 520], [130_000, 7]], { 'eu@1': 20, 'eu@2': 7 }],
    ['the increase belongs to the minute of the later sample', [[59_000, 10], [61_000, 15]], { 'eu@1': 5 }],
    ["a series' first sample only says where it starts", [[10_000, 9000]], {}],
    ['no increase, no entry', [[10_000, 5], [70_000, 5]], {}],
  ] as Array<[string, Array<[number, number]>, Record<string, number>]>)('%s', (_name, samples, expected) => {
    expect(increases([{ labels: { region: 'eu' }, samples }])).toEqual(expected);
  });

  it('uses samples before the range only as the starting value, and stops at the range end', () => {
    const samples: Array<[number, number]> = [[30_000, 100], [90_000, 110], [150_000, 130], [210_000, 160]];
    expect(increases([{ labels: { region: 'eu' }, samples }], 2 * M, 3 * M)).toEqual({ 'eu@2': 20 });
  });

  it('sums series of one region and keeps regions apart; a missing label is the empty region', () => {
    const series: CounterSeries[] = [
      { labels: { region: 'eu', instance: 'a' }, samples: [[0, 0], [30_000, 4]] },
      { labels: { region: 'eu', instance: 'b' }, samples: [[0, 10], [40_000, 13]] },
      { labels: { region: 'us' }, samples: [[0, 0], [20_000, 2]] },
      { labels: {}, samples: [[0, 0], [20_000, 1]] },
    ];
    expect(increases(series)).toEqual({ 'eu@0': 7, 'us@0': 2, '@0': 1 });
  });
});

describe("Prometheus' retention", () => {
  it.each([
    ['15d', 15 * 86_400_000],
    ['1y2w', 365 * 86_400_000 + 14 * 86_400_000],
    ['30d or 512MiB', 30 * 86_400_000],
    ['512MiB', null],
    ['0s', null],
    ['', null],
  ])('"%s" is %s ms', (text, ms) => {
    expect(parseRetention(text)).toBe(ms);
  });
});
