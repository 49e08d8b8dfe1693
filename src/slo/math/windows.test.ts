import { describe, expect, it } from 'vitest';
import { defineSlo } from '../../../test/helpers/definitions.js';
import { periodAt, rollingWindow, sloWindow } from './windows.js';

const minute = (iso: string) => Date.parse(iso) / 60_000;

describe('which minute buckets a rolling window covers: starts in [at − W, at)', () => {
  it.each([
    ['mid-minute, a 5m window holds the 4 full minutes before and the current partial one', '2026-11-01T00:05:30Z', '00:01', '00:05'],
    ['on a minute boundary, a 5m window holds the 5 minutes before it', '2026-11-01T00:05:00Z', '00:00', '00:04'],
    ['one millisecond after the boundary, the new minute is in and the oldest is out', '2026-11-01T00:05:00.001Z', '00:01', '00:05'],
  ])('%s', (_sentence, at, first, last) => {
    const w = rollingWindow(5, Date.parse(at), 1);
    expect(w.firstUnit).toBe(minute(`2026-11-01T${first}:00Z`));
    expect(w.lastUnit).toBe(minute(`2026-11-01T${last}:00Z`));
    expect(w.lastUnit - w.firstUnit + 1).toBe(5);
  });

  it('counts 5-minute timeslices, and a window shorter than a slice covers the current slice', () => {
    const at = Date.parse('2026-11-01T00:12:00Z');
    expect(rollingWindow(60, at, 5)).toMatchObject({ key: 'r12', lastUnit: minute('2026-11-01T00:10:00Z') / 5 });
    expect(rollingWindow(1, at, 5).lastUnit - rollingWindow(1, at, 5).firstUnit).toBe(0);
  });
});

describe('calendar periods start at the period start in their time zone', () => {
  it.each([
    ['a Stockholm month starts at local midnight on the 1st (23:00 UTC the day before)', 'month', 'Europe/Stockholm', '2026-11-15T12:00:00Z', '2026-10-31T23:00:00.000Z', 30 * 1440],
    ['October in Stockholm is 31 days and one hour long (DST ends)', 'month', 'Europe/Stockholm', '2026-10-15T12:00:00Z', '2026-09-30T22:00:00.000Z', 31 * 1440 + 60],
    ['an ISO week starts on Monday', 'week', 'UTC', '2026-11-21T10:00:00Z', '2026-11-16T00:00:00.000Z', 7 * 1440],
    ['a quarter in New York starts on 1 October local time', 'quarter', 'America/New_York', '2026-11-21T10:00:00Z', '2026-10-01T04:00:00.000Z', 92 * 1440 + 60],
    ['an instant on the boundary begins the new period', 'month', 'UTC', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z', 31 * 1440],
  ])('%s', (_sentence, unit, timeZone, at, start, minutes) => {
    const def = defineSlo({ window: { calendar: unit, timeZone } });
    const period = periodAt(def.window, Date.parse(at));
    expect(new Date(period.startMs).toISOString()).toBe(start);
    expect(period.minutes).toBe(minutes);
  });

  it('covers the buckets from the period start up to now', () => {
    const def = defineSlo({ window: { calendar: 'month', timeZone: 'UTC' } });
    const w = sloWindow(def, Date.parse('2026-11-01T00:10:30Z'));
    expect(w.firstUnit).toBe(minute('2026-11-01T00:00:00Z'));
    expect(w.lastUnit).toBe(minute('2026-11-01T00:10:00Z'));
  });
});
