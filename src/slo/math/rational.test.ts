import { describe, expect, it } from 'vitest';
import { compare, fromDecimal, ratioAtLeast, rational, subtract } from './rational.js';

describe('exact decimals', () => {
  it.each([
    ['99.9 is 999/10', 99.9, 999n, 10n],
    ['0.001 is 1/1000', 0.001, 1n, 1000n],
    ['14.4 is 72/5', 14.4, 72n, 5n],
    ['1e-7 is 1/10000000', 1e-7, 1n, 10_000_000n],
    ['2.5e21 keeps every digit', 2.5e21, 2_500_000_000_000_000_000_000n, 1n],
    ['-0.25 is -1/4', -0.25, -1n, 4n],
  ])('%s', (_sentence, value, num, den) => {
    expect(fromDecimal(value)).toEqual({ num, den });
  });

  it('leaves a budget of exactly 1/1000 for 99.9 %', () => {
    const objective = rational(fromDecimal(99.9).num, fromDecimal(99.9).den * 100n);
    expect(subtract({ num: 1n, den: 1n }, objective)).toEqual({ num: 1n, den: 1000n });
  });

  it('compares fractions exactly', () => {
    expect(compare(rational(1n, 3n), rational(333_333_333_333_333n, 1_000_000_000_000_000n))).toBe(1);
    expect(compare(rational(2n, 4n), rational(1n, 2n))).toBe(0);
  });

  it('decides ratios at the boundary with integers, not floating point', () => {
    // 0.1 + 0.2 style traps: 3/10 ≥ 3/10 must hold although 3/10 in binary is inexact.
    expect(ratioAtLeast(3, 10, rational(3n, 10n), 0.30000000000000004)).toBe(true);
    expect(ratioAtLeast(299_999_999, 1_000_000_000, rational(3n, 10n), 0.3)).toBe(false);
  });
});
