// Instants written as text: ISO 8601 with an explicit offset (Z or ±hh:mm), never a local time that would
// mean something else on every machine.
import { DateTime } from 'luxon';

/** Milliseconds since the epoch, or null when the text is not an ISO 8601 time with an offset. */
export function parseTimestamp(text: string): number | null {
  const fast = parseRfc3339(text);
  return fast === undefined ? parseTimestampWithLuxon(text) : fast;
}

/** The general path: every ISO 8601 form luxon reads (week dates, ordinals, basic format, commas…). */
export function parseTimestampWithLuxon(text: string): number | null {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return null;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toMillis() : null;
}

const ZERO = 48;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const UPPER_T = 84;
const UPPER_Z = 90;

/** The digit at `at` (0–9), or -1. */
function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

/** A two-digit number at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = digit(text, at);
  const ones = digit(text, at + 1);
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * What nearly every client sends, `YYYY-MM-DDTHH:MM:SS(.f…)Z` or `…±HH:MM`, read character by character: the
 * instant, or undefined for anything else (including out-of-range fields), which the luxon path then decides.
 * Millisecond truncation of longer fractions is luxon's own, so both paths agree on every input.
 */
function parseRfc3339(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length > 40) return undefined;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== UPPER_T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) {
    return undefined; // YYYY-MM-DDTHH:MM:SS
  }
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 1 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const year = century * 100 + yy;
  if (day > daysInMonth(year, month)) return undefined;
  let at = 19;
  let millisecond = 0;
  if (text.charCodeAt(at) === DOT) {
    const start = at + 1;
    let fraction = 0;
    at = start;
    for (let d = digit(text, at); d >= 0; d = digit(text, ++at)) fraction = fraction * 10 + d;
    const digits = at - start;
    if (digits === 0 || digits > 9) return undefined;
    // Up to three digits the integer is exactly what luxon's float arithmetic gives (checked for all 1,110).
    millisecond = digits <= 3 ? fraction * 10 ** (3 - digits) : Math.floor(Number.parseFloat(`0.${text.slice(start, at)}`) * 1000);
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(at);
  if (at !== length - 1 || sign !== UPPER_Z) {
    if (at !== length - 6 || (sign !== PLUS && sign !== DASH) || text.charCodeAt(at + 3) !== COLON) return undefined;
    const offsetHour = twoDigits(text, at + 1);
    const offsetMinute = twoDigits(text, at + 4);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined;
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (sign === DASH ? -1 : 1);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
}
