import { describe, expect, it } from 'vitest';
import { defineSlo } from '../../test/helpers/definitions.js';
import { historyQuery } from './slo-timeline.js';

const def = defineSlo({ name: 'api', window: '28d', regions: ['eu-west1', 'us-central1'] });
const now = Date.parse('2026-11-30T12:34:56Z');
const at = (iso: string) => Date.parse(iso);

describe('history requests', () => {
  it('defaults to one window up to now, on whole minutes, at about 300 points', () => {
    const q = historyQuery(def, {}, now);
    expect(new Date(q.to).toISOString()).toBe('2026-11-30T12:34:00.000Z');
    expect(q.to - q.from).toBe(28 * 86_400_000);
    expect(q.stepMs).toBe(135 * 60_000);
    expect(Math.floor((q.to - q.from) / q.stepMs) + 1).toBeLessThanOrEqual(300);
  });

  it('takes 28 days at 5-minute steps: 8,065 points', () => {
    const q = historyQuery(def, { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-29T00:00:00Z'), stepMs: 5 * 60_000 }, now);
    expect(Math.floor((q.to - q.from) / q.stepMs) + 1).toBe(8065);
  });

  it.each([
    ['from after to names from', { from: at('2026-11-02T00:00:00Z'), to: at('2026-11-01T00:00:00Z') }, /^from: must be before to/],
    ['from equal to to names from', { from: at('2026-11-01T00:00:30Z'), to: at('2026-11-01T00:00:10Z') }, /^from: must be before to/],
    ['a step of seconds names step', { stepMs: 90_000 }, /^step: must be whole minutes/],
    ['a step giving more than 10,000 points names step and the count', { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-29T00:00:00Z'), stepMs: 60_000 }, /^step: 1m .* gives 40321 points, more than 10000/],
    ['a region the SLO does not have names region and the ones it has', { region: 'mars-1' }, /^region: "mars-1" is not one of api's regions \(eu-west1, us-central1\)/],
  ])('%s', (_sentence, raw, message) => {
    expect(() => historyQuery(def, raw, now)).toThrow(message);
  });
});
