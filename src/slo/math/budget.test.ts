import { describe, expect, it } from 'vitest';
import { alertCanFire, alertThreshold, burnRate, burnsAtLeast, errorBudget, sli } from './budget.js';
import { DEFAULT_ALERT_WINDOWS } from './default-windows.js';
import { fromDecimal, rational, toNumber } from './rational.js';

const DAY = 1440;
const budget999 = rational(1n, 1000n);

describe('default alert thresholds derived from budget share × period / long window', () => {
  it.each([
    ['a 30-day window pages at 14.4, 6 and tickets at 3, 1', 30 * DAY, [14.4, 6, 3, 1]],
    ['a 28-day window pages at 13.44, 5.6 and tickets at 2.8, 0.9333…', 28 * DAY, [13.44, 5.6, 2.8, 0.9333333333333333]],
    ['a 7-day window pages at 3.36, 1.4 and tickets at 0.7, 0.2333…', 7 * DAY, [3.36, 1.4, 0.7, 0.23333333333333334]],
    ['a 31-day calendar month pages at 14.88 first', 31 * DAY, [14.88, 6.2, 3.1, 1.0333333333333334]],
  ])('%s', (_sentence, periodMinutes, expected) => {
    expect(DEFAULT_ALERT_WINDOWS.map((w) => toNumber(alertThreshold(w, periodMinutes)))).toEqual(expected);
  });

  it('keeps the exact fraction: 10 % of 28 days over 3 days is 14/15', () => {
    expect(alertThreshold(DEFAULT_ALERT_WINDOWS[3] as (typeof DEFAULT_ALERT_WINDOWS)[number], 28 * DAY)).toEqual(
      rational(14n, 15n),
    );
  });
});

describe('SLI, burn rate and error budget', () => {
  it.each([
    ['no events gives no SLI and no burn', { good: 0, total: 0 }, null, 0, 0],
    ['all good burns nothing', { good: 1000, total: 1000 }, 1, 0, 0],
    ['1 bad in 1000 on 99.9 % burns at exactly 1', { good: 999, total: 1000 }, 0.999, 1, 1],
    ['3 bad in 100 on 99.9 % burns at 30 and has consumed 30 budgets', { good: 97, total: 100 }, 0.97, 30, 30],
    ['all bad on 99.9 % burns at 1000', { good: 0, total: 5 }, 0, 1000, 1000],
  ])('%s', (_sentence, counts, expectedSli, expectedBurn, expectedConsumed) => {
    expect(sli(counts)).toBe(expectedSli);
    expect(burnRate(counts, budget999)).toBeCloseTo(expectedBurn, 12);
    expect(errorBudget(counts, budget999).consumed).toBeCloseTo(expectedConsumed, 12);
    expect(errorBudget(counts, budget999).remaining).toBeCloseTo(1 - expectedConsumed, 12);
  });

  it('burns 1.0 exactly, not 0.9999999999999991, for 1 bad in 1000 on 99.9 %', () => {
    expect(burnRate({ good: 999, total: 1000 }, fromDecimal(0.001))).toBe(1);
  });
});

describe('alert firing is decided exactly at the threshold', () => {
  it.each([
    ['an error ratio of exactly 14.4 × 0.1 % fires a 14.4 alert', 14.4, 144, 10_000, true],
    ['one error fewer does not fire it', 14.4, 143, 10_000, false],
    ['exactly 6 × 0.1 % fires a 6 alert', 6, 6, 1000, true],
    ['exactly 0.9333… of the budget rate fires the 28-day 3d ticket', 14 / 15, 14, 15_000, true],
  ])('%s', (_sentence, threshold, bad, total, expected) => {
    const exact = threshold === 14 / 15 ? rational(14n, 15n) : fromDecimal(threshold);
    expect(burnsAtLeast({ good: total - bad, total }, budget999, exact)).toBe(expected);
  });

  it('never fires on no traffic', () => {
    expect(burnsAtLeast({ good: 0, total: 0 }, budget999, fromDecimal(0.5))).toBe(false);
  });
});

describe('alerts that can never fire', () => {
  it.each([
    ['14.4 on 99.9 % needs 1.44 % errors: possible', 14.4, 99.9, true],
    ['14.4 on 90 % needs 144 % errors: impossible', 14.4, 90, false],
    ['10 on 90 % needs exactly 100 % errors: possible', 10, 90, true],
  ])('%s', (_sentence, threshold, objectivePercent, expected) => {
    const objective = fromDecimal(objectivePercent);
    const budget = rational(objective.den * 100n - objective.num, objective.den * 100n);
    expect(alertCanFire(fromDecimal(threshold), budget)).toBe(expected);
  });
});
