import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { defineSlo } from '../../test/helpers/definitions.js';
import type { Counts } from './math/budget.js';
import { periodBounds, periodCounts, periodReport, reportCsv, reportMarkdown } from './period-report.js';

const at = (iso: string) => Date.parse(iso);
const minute = (iso: string) => Math.floor(at(iso) / 60_000);

describe('report periods', () => {
  it.each([
    ['a week starts on Monday 00:00 UTC', 'week', '2026-11-26T15:00:00Z', 'UTC', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['a week in Stockholm starts on Monday 00:00 local time (23:00 UTC the day before)', 'week', '2026-11-26T15:00:00Z', 'Europe/Stockholm', '2026-11-22T23:00:00.000Z', '2026-11-29T23:00:00.000Z'],
    ['March in Stockholm is an hour short: summer time starts in it', 'month', '2026-03-15T12:00:00Z', 'Europe/Stockholm', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z'],
    ['an instant exactly on a boundary starts the new period', 'month', '2026-12-01T00:00:00Z', 'UTC', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ] as const)('%s', (_sentence, period, instant, zone, from, to) => {
    const bounds = periodBounds(period, at(instant), zone);
    expect([new Date(bounds.from).toISOString(), new Date(bounds.to).toISOString()]).toEqual([from, to]);
  });
});

describe('counts over a period', () => {
  const events = defineSlo({ name: 'api', window: '28d', objective: 99 });
  const slices = defineSlo({ name: 'slices', window: '28d', objective: 99, budgetingMethod: 'timeslices', timeslice: { window: '5m', target: 0.9 } });

  it('sums the events of every minute inside [from, to) and none outside', () => {
    const minutes = new Map<number, Counts>([
      [minute('2026-11-22T23:59:00Z'), { good: 1, total: 100 }],
      [minute('2026-11-23T00:00:00Z'), { good: 90, total: 100 }],
      [minute('2026-11-29T23:59:00Z'), { good: 7, total: 8 }],
      [minute('2026-11-30T00:00:00Z'), { good: 0, total: 50 }],
    ]);
    expect(periodCounts(events, minutes, at('2026-11-23T00:00:00Z'), at('2026-11-30T00:00:00Z'))).toEqual({ good: 97, total: 108 });
  });

  it('counts whole timeslices only: a slice that straddles the start is left out', () => {
    const minutes = new Map<number, Counts>([
      // 00:03–00:07 falls in slices 00:00 and 00:05; with the period starting 00:05, only the second counts.
      [minute('2026-11-23T00:03:00Z'), { good: 0, total: 10 }],
      [minute('2026-11-23T00:06:00Z'), { good: 10, total: 10 }],
      [minute('2026-11-23T00:12:00Z'), { good: 1, total: 10 }],
    ]);
    expect(periodCounts(slices, minutes, at('2026-11-23T00:05:00Z'), at('2026-11-23T01:00:00Z'))).toEqual({ good: 1, total: 2 });
  });
});

describe('the reliability report', () => {
  const from = at('2026-11-23T00:00:00Z');
  const to = at('2026-11-30T00:00:00Z');
  const defs = [defineSlo({ name: 'exactly-on-budget', objective: 99 }), defineSlo({ name: 'one-over', objective: 99 }), defineSlo({ name: 'quiet', objective: 99.9 })];
  const inputs = {
    period: 'week' as const,
    timeZone: 'UTC',
    from,
    to,
    squad: null,
    now: to + 86_400_000,
    definitions: defs,
    counts: new Map([
      ['exactly-on-budget', { good: 9900, total: 10_000 }],
      ['one-over', { good: 9899, total: 10_000 }],
    ]),
    alerts: [
      { slo: 'one-over', severity: 'page', startedAt: from - 3_600_000, endedAt: from + 30 * 60_000 },
      { slo: 'one-over', severity: 'ticket', startedAt: to - 10 * 60_000, endedAt: null },
    ],
    failovers: [{ ts: '2026-11-24T10:00:00.000Z', action: 'drain', region: 'eu-west1', outcome: 'executed', rule: null, actor: 'ida', reason: 'a "quoted", comma | pipe' }],
    drills: [],
  };
  const report = periodReport(inputs);

  it('meets an objective spent to the last unit of budget, and misses it one bad event later', () => {
    const [onBudget, over, quiet] = report.slos;
    expect(onBudget).toMatchObject({ attainment: 0.99, met: true, budgetSpentPercent: 100 });
    expect(over).toMatchObject({ attainment: 0.9899, met: false, budgetSpentPercent: 101 });
    expect(quiet).toMatchObject({ attainment: null, met: null, budgetSpentPercent: null });
    expect(report.overall).toEqual({ slos: 3, met: 1, missed: 1, noData: 1 });
  });

  it('counts the alerts of the period and only the minutes they fired inside it', () => {
    expect(report.slos[1]).toMatchObject({ alertsFired: 2, pagesFired: 1, minutesFiring: 30 + 10 });
  });

  it('counts an alert still firing in a running period only up to now', () => {
    const running = periodReport({ ...inputs, now: to - 4 * 60_000 });
    expect(running.slos[1]).toMatchObject({ alertsFired: 2, minutesFiring: 30 + 6 });
  });

  it('writes the same numbers as CSV, with quoting that survives commas and quotes', () => {
    const rows = parse(reportCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.slo, r.attainment_percent, r.met, r.good, r.total, r.budget_spent_percent])).toEqual([
      ['exactly-on-budget', '99.0000', 'true', '9900', '10000', '100'],
      ['one-over', '98.9900', 'false', '9899', '10000', '101'],
      ['quiet', '', '', '0', '0', ''],
    ]);
  });

  it('writes Markdown tables whose cells cannot break the table', () => {
    const markdown = reportMarkdown(report);
    expect(markdown).toContain('| one-over | test | 99.000% | 98.9900% | **no** | 101% | 2 (1) | 40 |');
    expect(markdown).toContain('a "quoted", comma \\| pipe');
    expect(markdown).toContain('1 of 3 SLOs met their objective, 1 missed it, 1 had no data.');
  });
});
