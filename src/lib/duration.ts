// Durations as written in Vigil YAML ("500ms", "10s", "4h30m", "28d", "1w") and their text form.

const UNIT_MS = {
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
} as const;

type Unit = keyof typeof UNIT_MS;

const UNIT_ORDER: readonly Unit[] = ['w', 'd', 'h', 'm', 's', 'ms'];

// Go / Prometheus style: one or more <integer><unit> terms, largest unit first, each unit at most once.
const TERM = /(\d+)(ms|w|d|h|m|s)/y;

export class DurationError extends Error {}

/** Parses a duration such as "90s", "1h30m" or "28d" into milliseconds. */
export function parseDuration(text: string): number {
  if (text.length === 0) throw new DurationError('empty duration');
  let total = 0;
  let lastRank = -1;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(text);
    if (!match) {
      throw new DurationError(
        `cannot parse duration "${text}" at "${text.slice(start)}": expected a number followed by one of ms, s, m, h, d, w (e.g. 5m, 1h30m, 28d)`,
      );
    }
    const unit = match[2] as Unit;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= lastRank) {
      throw new DurationError(`cannot parse duration "${text}": units must appear once each, largest first (e.g. 1h30m)`);
    }
    lastRank = rank;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) throw new DurationError(`duration "${text}" is too large`);
  return total;
}

/** Formats milliseconds with the largest units first: 5400000 → "1h30m", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

export const MINUTE_MS = UNIT_MS.m;
export const DAY_MS = UNIT_MS.d;
