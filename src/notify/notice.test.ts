import { describe, expect, it } from 'vitest';
import type { Decision } from '../failover/policy/types.js';
import { type DecisionRound, headline, noticesOf } from './notice.js';

const AT = Date.parse('2026-11-01T00:02:00Z');
const BEFORE = { eu: 50, us: 100, asia: 100 };

function decision(partial: Partial<Decision> & Pick<Decision, 'action' | 'outcome'>): Decision {
  return { type: 'decision', region: 'eu', rule: null, reason: 'why', actor: 'vigil', forced: false, ...partial };
}

function round(decisions: Decision[], extra: Partial<DecisionRound> = {}): DecisionRound {
  return { decisions, failure: null, before: BEFORE, after: BEFORE, phases: { eu: 'draining', us: 'serving', asia: 'serving' }, at: AT, ...extra };
}

describe('notices of a decision round', () => {
  it.each([
    ['an executed halt is a halt', decision({ action: 'halt', outcome: 'executed' }), 'halt'],
    ['a blocked automatic drain is blocked', decision({ action: 'drain', outcome: 'blocked', rule: 'capacity' }), 'blocked'],
    ['an executed drain is a drain', decision({ action: 'drain', outcome: 'executed' }), 'drain'],
    ['an executed restore is a restore', decision({ action: 'restore', outcome: 'executed' }), 'restore'],
    ['a drain proposed in manual mode is proposed', decision({ action: 'drain', outcome: 'proposed' }), 'proposed'],
  ])('%s', (_name, d, event) => {
    expect(noticesOf(round([d])).map((n) => n.event)).toEqual([event]);
  });

  it('says nothing of dry-run decisions, pause and resume, or an IMOC command that was blocked (the IMOC got the answer)', () => {
    const decisions = [
      decision({ action: 'drain', outcome: 'dry-run' }),
      decision({ action: 'pause', region: null, outcome: 'executed', actor: 'carol' }),
      decision({ action: 'drain', outcome: 'blocked', rule: 'cooldown', actor: 'carol' }),
    ];
    expect(noticesOf(round(decisions))).toEqual([]);
  });

  it('a step that leaves the region draining is a step; one that leads back towards serving is part of a restore', () => {
    const step = decision({ action: 'step', outcome: 'executed' });
    expect(noticesOf(round([step], { phases: { eu: 'drained' } }))[0]?.event).toBe('step');
    expect(noticesOf(round([step], { phases: { eu: 'restoring' } }))[0]?.event).toBe('restore');
    expect(noticesOf(round([step], { phases: { eu: 'serving' } }))[0]?.event).toBe('restore');
  });

  it('a change the provider did not carry out is reported as failed, not as the change', () => {
    const notices = noticesOf(round([decision({ action: 'drain', outcome: 'executed' })], { failure: 'file provider failed: EACCES; decision undone' }));
    expect(notices).toEqual([
      {
        event: 'failed',
        region: 'eu',
        rule: null,
        reason: 'drain of eu not carried out: file provider failed: EACCES; decision undone',
        actor: 'vigil',
        forced: false,
        weights: { before: BEFORE, after: BEFORE },
        at: '2026-11-01T00:02:00.000Z',
      },
    ]);
  });

  it('a failure with no decision behind it is one failed notice about no region', () => {
    const notices = noticesOf(round([], { failure: 'refused weights with no traffic anywhere' }));
    expect(notices).toMatchObject([{ event: 'failed', region: null, reason: 'refused weights with no traffic anywhere' }]);
  });

  it('carries the decision fields and both weights', () => {
    const after = { eu: 0, us: 100, asia: 100 };
    const [notice] = noticesOf(round([decision({ action: 'drain', outcome: 'executed', actor: 'dave', forced: true, reason: 'game day' })], { after }));
    expect(notice).toEqual({
      event: 'drain',
      region: 'eu',
      rule: null,
      reason: 'game day',
      actor: 'dave',
      forced: true,
      weights: { before: BEFORE, after },
      at: '2026-11-01T00:02:00.000Z',
    });
    expect(notice && headline(notice)).toBe('eu is being drained by dave (forced): game day');
  });

  it('says whom the actor acted for, beside the actor', () => {
    const [notice] = noticesOf(round([decision({ action: 'drain', outcome: 'executed', actor: 'ida', onBehalfOf: 'alice', reason: 'bad deploy' })]));
    expect(notice).toMatchObject({ actor: 'ida', onBehalfOf: 'alice' });
    expect(notice && headline(notice)).toBe('eu is being drained by ida on behalf of alice: bad deploy');
  });

  it('a global outage (fail open) reads as about all regions', () => {
    const [notice] = noticesOf(round([decision({ action: 'drain', region: null, outcome: 'blocked', rule: 'global_outage', reason: 'failing open' })]));
    expect(notice && headline(notice)).toBe('Vigil did not drain all regions (blocked by global_outage): failing open');
  });
});
