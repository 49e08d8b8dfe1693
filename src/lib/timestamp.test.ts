import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp, parseTimestampWithLuxon } from './timestamp.js';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** RFC 3339-shaped text whose fields roam past their ranges, with the variants luxon also reads. */
const nearRfc3339 = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^\d{0,12}$/), { nil: null }),
    separator: fc.constantFrom('T', 't', ' '),
    offset: fc.oneof(
      fc.constantFrom('Z', 'z', '', '+00:00', '-00:00'),
      fc
        .record({ sign: fc.constantFrom('+', '-'), hours: fc.integer({ min: 0, max: 30 }), minutes: fc.integer({ min: 0, max: 70 }), colon: fc.boolean() })
        .map(({ sign, hours, minutes, colon }) => `${sign}${pad(hours, 2)}${colon ? ':' : ''}${pad(minutes, 2)}`),
    ),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}${t.separator}${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction === null ? '' : `.${t.fraction}`}${t.offset}`,
  );

/** Valid instants written the way clients write them (Date#toISOString and offset forms). */
const validRfc3339 = fc
  .record({ ms: fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9998, 11, 31) }), offsetMinutes: fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }) })
  .map(({ ms, offsetMinutes }) => {
    const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return { ms, text: offsetMinutes === 0 ? `${local}Z` : `${local}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}` };
  });

describe('parseTimestamp', () => {
  it.each([
    ['a UTC time with milliseconds', '2026-11-01T00:00:00.123Z', Date.UTC(2026, 10, 1, 0, 0, 0, 123)],
    ['a UTC time without a fraction', '2026-11-01T12:34:56Z', Date.UTC(2026, 10, 1, 12, 34, 56)],
    ['a positive offset, which is behind UTC', '2026-11-01T02:00:00+02:00', Date.UTC(2026, 10, 1, 0, 0, 0)],
    ['a negative offset with minutes', '2026-10-31T18:30:00-05:30', Date.UTC(2026, 10, 1, 0, 0, 0)],
    ['a fraction past milliseconds, truncated', '2026-11-01T00:00:00.999999Z', Date.UTC(2026, 10, 1, 0, 0, 0, 999)],
    ['a leap day', '2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['a basic-format time (luxon path)', '20261101T000000Z', Date.UTC(2026, 10, 1)],
    ['a week date (luxon path)', '2026-W44-7T00:00:00Z', Date.UTC(2026, 10, 1)],
  ])('reads %s', (_name, text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it.each([
    ['a local time with no offset', '2026-11-01T00:00:00'],
    ['a date alone', '2026-11-01'],
    ['February 30th', '2026-02-30T00:00:00Z'],
    ['a leap day in a common year', '2027-02-29T00:00:00Z'],
    ['second 60', '2026-11-01T00:00:60Z'],
    ['minute 60', '2026-11-01T00:60:00Z'],
    ['an empty fraction', '2026-11-01T00:00:00.Z'],
    ['a word', 'soon'],
    ['nothing', ''],
  ])('refuses %s', (_name, text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it('gives what luxon gives on RFC 3339-shaped text, in range or not', () => {
    fc.assert(
      fc.property(nearRfc3339, (text) => {
        expect(parseTimestamp(text)).toBe(parseTimestampWithLuxon(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads every valid instant as written by clients to the same millisecond as luxon', () => {
    fc.assert(
      fc.property(validRfc3339, ({ ms, text }) => {
        expect(parseTimestamp(text)).toBe(ms);
        expect(parseTimestampWithLuxon(text)).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives what luxon gives on arbitrary text and on valid text with one character changed', () => {
    const mutated = fc
      .tuple(validRfc3339, fc.nat(), fc.constantFrom('', '0', '9', 'T', 'Z', ':', '-', '+', '.', ' ', 'x'))
      .map(([{ text }, at, replacement]) => {
        const i = at % text.length;
        return `${text.slice(0, i)}${replacement}${text.slice(i + 1)}`;
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), mutated), (text) => {
        expect(parseTimestamp(text)).toBe(parseTimestampWithLuxon(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
