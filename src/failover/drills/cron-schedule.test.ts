import { describe, expect, it } from 'vitest';
import { Blackouts } from './blackouts.js';
import { CronSchedule, cronProblem } from './cron-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('drill schedules in a time zone', () => {
  it.each([
    ['Tuesdays 10:00 in Stockholm is 09:00 UTC in winter', '0 10 * * 2', 'Europe/Stockholm', '2026-12-01T08:00:00Z', '2026-12-01T09:00:00.000Z'],
    ['and 08:00 UTC in summer', '0 10 * * 2', 'Europe/Stockholm', '2026-06-01T00:00:00Z', '2026-06-02T08:00:00.000Z'],
    ['the next run is strictly after the instant given', '0 10 * * 2', 'Europe/Stockholm', '2026-12-01T09:00:00Z', '2026-12-08T09:00:00.000Z'],
    ['in UTC, 10:00 is 10:00', '0 10 * * 2', 'UTC', '2026-12-01T08:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['Kathmandu is UTC+05:45', '0 9 * * *', 'Asia/Kathmandu', '2026-12-01T00:00:00Z', '2026-12-01T03:15:00.000Z'],
    ['02:30 on the night clocks spring forward does not exist: the next is the day after', '30 2 * * *', 'Europe/Stockholm', '2027-03-27T12:00:00Z', '2027-03-29T00:30:00.000Z'],
    ['on the night clocks fall back, 02:30 fires once', '30 2 * * *', 'Europe/Stockholm', '2026-10-24T12:00:00Z', '2026-10-25T01:30:00.000Z'],
  ])('%s', (_sentence, expression, zone, from, next) => {
    expect(iso(new CronSchedule(expression, zone).nextAfter(at(from)))).toBe(next);
  });

  it('matches exactly the instants it fires at', () => {
    const schedule = new CronSchedule('0 10 * * 2', 'Europe/Stockholm');
    expect(schedule.matches(at('2026-12-01T09:00:00Z'))).toBe(true);
    expect(schedule.matches(at('2026-12-01T10:00:00Z'))).toBe(false);
  });

  it.each([
    ['61 * * * *', 'minute'],
    ['* * *', 'expected 5 or 6 fields'],
    ['0 10 * * monday-ish', 'week'],
  ])('refuses "%s", naming what is wrong', (expression, message) => {
    expect(cronProblem(expression)).toContain(message);
    expect(() => new CronSchedule(expression, 'UTC')).toThrow(/invalid cron expression/);
  });
});

describe('drill blackouts', () => {
  const blackouts = new Blackouts([
    { name: 'release-freeze', from: at('2026-12-18T00:00:00+01:00'), to: at('2027-01-06T00:00:00+01:00') },
    { name: 'night-batch', cron: '0 22 * * *', duration: 4 * 3_600_000, timeZone: 'Europe/Stockholm' },
  ]);

  it.each([
    ['a fixed window blocks from its start', '2026-12-17T23:00:00Z', 'release-freeze'],
    ['after a fixed window ends, nothing', '2027-01-06T10:00:00Z', null],
    ['a recurring window crosses midnight: 01:30 Stockholm is still inside 22:00 + 4h', '2026-12-02T00:30:00Z', 'night-batch'],
    ['it ends 4 h after it began', '2026-12-02T01:00:00Z', null],
    ['before it begins, nothing', '2026-12-01T20:59:00Z', null],
    ['across the spring-forward night the 4 hours are real hours: 02:59 CEST is inside', '2027-03-28T00:59:00Z', 'night-batch'],
    ['and 03:00 CEST, 4 h after 22:00 CET, is outside', '2027-03-28T01:00:00Z', null],
  ])('%s', (_sentence, when, name) => {
    expect(blackouts.activeAt(at(when))?.name ?? null).toBe(name);
  });

  it('lists the windows overlapping a span, in start order', () => {
    const windows = blackouts.windowsAround(at('2026-12-16T12:00:00Z'), at('2026-12-18T12:00:00Z'));
    expect(windows.map((w) => [w.name, iso(w.from)])).toEqual([
      ['night-batch', '2026-12-16T21:00:00.000Z'],
      ['night-batch', '2026-12-17T21:00:00.000Z'],
      ['release-freeze', '2026-12-17T23:00:00.000Z'],
    ]);
  });
});
