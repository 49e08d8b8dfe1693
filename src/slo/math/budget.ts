// Error budgets and burn rates from good/total counts: the formulas of the SRE workbook, summed counts only.
import type { AlertWindowSpec } from '../model.js';
import { fromDecimal, multiply, type Rational, ratioAtLeast, rational, toNumber } from './rational.js';

export interface Counts {
  good: number;
  total: number;
}

export interface ErrorBudget {
  consumed: number;
  remaining: number;
}

export function sli({ good, total }: Counts): number | null {
  return total === 0 ? null : good / total;
}

/** (bad/total) / (1 − objective); 0 when nothing was counted. */
export function burnRate({ good, total }: Counts, budget: Rational): number {
  if (total === 0) return 0;
  const bad = total - good;
  return (bad * Number(budget.den)) / (total * Number(budget.num));
}

/** Over the SLO window, the consumed share of the budget equals the burn rate; it may exceed 1. */
export function errorBudget(counts: Counts, budget: Rational): ErrorBudget {
  const consumed = burnRate(counts, budget);
  return { consumed, remaining: 1 - consumed };
}

/** The burn rate that fires an alert: a fixed rate, or budget% × period / long window. */
export function alertThreshold(spec: AlertWindowSpec, periodMinutes: number): Rational {
  if (spec.threshold.kind === 'burnRate') return spec.threshold.value;
  const percent = fromDecimal(spec.threshold.percent);
  return multiply(percent, rational(BigInt(periodMinutes), 100n * BigInt(spec.longMinutes)));
}

/** Whether the burn rate over `counts` is at or above `threshold`, decided exactly. */
export function burnsAtLeast({ good, total }: Counts, budget: Rational, threshold: Rational): boolean {
  if (total === 0) return threshold.num <= 0n;
  const approx = toNumber(threshold) * toNumber(budget);
  const bad = total - good;
  // Far from the boundary floating point is right; only near it do we pay for exact integers.
  if (bad / total > approx * (1 + 1e-9)) return true;
  if (bad / total < approx * (1 - 1e-9)) return false;
  const limit = multiply(threshold, budget);
  return ratioAtLeast(bad, total, limit, toNumber(limit));
}

/** An alert whose threshold × (1 − objective) exceeds 1 needs an error ratio above 100 %: it can never fire. */
export function alertCanFire(threshold: Rational, budget: Rational): boolean {
  const limit = multiply(threshold, budget);
  return limit.num <= limit.den;
}
