// Exact rationals for the few comparisons that decide whether an alert fires or a slice is good.
// Inputs written as decimals in YAML (99.9, 14.4, 0.95) become exact fractions, so 99.9 % leaves a
// budget of exactly 1/1000 and a burn rate equal to its threshold fires, whatever floating point says.

export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

export function rational(num: bigint, den: bigint): Rational {
  if (den === 0n) throw new RangeError('zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  return { num: (sign * num) / g, den: (sign * den) / g };
}

/**
 * The exact decimal a finite number was written as: 99.9 → 999/10, 1e-7 → 1/10000000.
 * Uses the shortest round-trip representation, which is what the YAML author typed.
 */
export function fromDecimal(value: number): Rational {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const [mantissa = '0', exponentText] = String(value).toLowerCase().split('e');
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  const negative = mantissa.startsWith('-');
  const unsigned = negative ? mantissa.slice(1) : mantissa;
  const [whole = '0', fraction = ''] = unsigned.split('.');
  let num = BigInt(whole + fraction) * (negative ? -1n : 1n);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    num *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return rational(num, 10n ** BigInt(scale));
}

export function toNumber(r: Rational): number {
  return Number(r.num) / Number(r.den);
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function subtract(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function divide(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

export function compare(a: Rational, b: Rational): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left === right ? 0 : left < right ? -1 : 1;
}

export const ONE: Rational = { num: 1n, den: 1n };

/**
 * Whether part/whole ≥ r, exactly, for non-negative integer counts and whole > 0.
 * Floating point decides when the answer is clear; BigInt only near the boundary.
 */
export function ratioAtLeast(part: number, whole: number, r: Rational, approx: number): boolean {
  const ratio = part / whole;
  const margin = Math.abs(approx) * 1e-9;
  if (ratio > approx + margin) return true;
  if (ratio < approx - margin) return false;
  return BigInt(part) * r.den >= r.num * BigInt(whole);
}
