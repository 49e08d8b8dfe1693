import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { simulateCommand } from '../src/cli/simulate.js';
import type { SimulationReport } from '../src/failover/simulate/simulator.js';
import { captureIo } from './helpers/io.js';

async function simulateScenario(name: string, folder = 'test/scenarios'): Promise<SimulationReport> {
  const io = captureIo();
  const code = await simulateCommand(`${folder}/${name}.yaml`, { format: 'json' }, io);
  expect(io.stderr()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(io.stdout()) as SimulationReport;
}

const FULL = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };

describe('vigil simulate: the shipped failover scenarios', () => {
  it('drains a region in a full outage within 60 s of onset (99.9 % / 28d, probes every 10 s), then fails back', async () => {
    const report = await simulateScenario('regional-outage');
    expect(report.summary.drains).toHaveLength(1);
    const [drain] = report.summary.drains;
    expect(drain?.region).toBe('eu-west1');
    expect(drain?.detectionSeconds).toBeGreaterThan(0);
    expect(drain?.detectionSeconds).toBeLessThanOrEqual(60);
    const weights = report.events.filter((e) => e.type === 'weights').map((e) => (e.type === 'weights' ? e.weights['eu-west1'] : null));
    expect(weights).toEqual([50, 0, 50, 100]);
    expect(report.summary.finalWeights).toEqual(FULL);
    expect(report.events.some((e) => e.type === 'alert_firing' && e.targetRegion === 'eu-west1')).toBe(true);
  });

  it('never drains on one isolated vantage', async () => {
    const report = await simulateScenario('isolated-vantage');
    expect(report.summary.drains).toEqual([]);
    // The isolated vantage does see every region burn; the policy ignores it.
    expect(report.events.some((e) => e.type === 'alert_firing' && e.vantage === 'asia-east1')).toBe(true);
    expect(report.events.filter((e) => e.type === 'weights')).toEqual([]);
  });

  it('fails open on a global outage: nothing drained, the decision logged as blocked', async () => {
    const report = await simulateScenario('global-outage');
    expect(report.summary.drains).toEqual([]);
    expect(report.summary.blocked).toEqual([{ t: '2026-11-01T00:30:40.000Z', region: null, rule: 'global_outage' }]);
    expect(report.summary.finalWeights).toEqual(FULL);
  });

  it('with two regions failing, drains one and blocks the other; stops the drain when the receiver burns', async () => {
    const report = await simulateScenario('two-regions');
    expect(report.summary.drains.map((d) => d.region)).toEqual(['eu-west1']);
    expect(report.summary.blocked.map((b) => [b.region, b.rule])).toEqual([['us-central1', 'in_progress']]);
    expect(report.events).toContainEqual(expect.objectContaining({ type: 'decision', action: 'halt', region: 'eu-west1' }));
    expect(Object.values(report.summary.finalWeights).every((w) => w > 0)).toBe(true);
  });

  it('drains a flapping region at most once per 15-minute cooldown: restored between flaps, re-drained after the cooldown', async () => {
    const report = await simulateScenario('flapping-region');
    const drains = report.summary.drains.map((d) => Date.parse(d.decidedAt));
    expect(drains).toHaveLength(4);
    expect(report.summary.drains.every((d) => d.region === 'us-central1')).toBe(true);
    for (let i = 1; i < drains.length; i++) expect((drains[i] as number) - (drains[i - 1] as number)).toBeGreaterThanOrEqual(15 * 60_000);
    // Each flap after a restore comes within the restore's cooldown: blocked first, drained once it is over.
    expect(report.summary.blocked.map((b) => [b.region, b.rule])).toEqual([
      ['us-central1', 'cooldown'],
      ['us-central1', 'cooldown'],
      ['us-central1', 'cooldown'],
    ]);
    const restores = report.events.filter((e) => e.type === 'decision' && e.action === 'restore' && e.outcome === 'executed');
    expect(restores).toHaveLength(3);
    // Detection counts from each flap's own onset, not from the first one.
    expect(report.summary.drains[0]?.detectionSeconds).toBeLessThanOrEqual(60);
    for (const drain of report.summary.drains.slice(1)) expect(drain.detectionSeconds).toBeLessThan(15 * 60);
  });

  it('drains on a latency regression through the latency SLO', async () => {
    const report = await simulateScenario('latency-regression');
    expect(report.summary.drains.map((d) => d.region)).toEqual(['us-central1']);
    // 13.44 × 1 % of an hour is 484 s of slow answers before the 1h/5m page condition holds.
    expect(report.summary.drains[0]?.detectionSeconds).toBeGreaterThanOrEqual(480);
    expect(report.summary.drains[0]?.detectionSeconds).toBeLessThanOrEqual(540);
  });

  it('never drains on baseline noise alone', async () => {
    const report = await simulateScenario('baseline-noise');
    expect(report.summary.drains).toEqual([]);
    expect(report.events.filter((e) => e.type === 'decision')).toEqual([]);
  });
});

describe('vigil simulate: detection time', () => {
  it('counts from the episode that made the region fail, never from a vantage-only episode or an earlier incident', async () => {
    const report = await simulateScenario('mixed-episodes', 'test/fixtures/simulate');
    expect(report.summary.drains).toEqual([
      { region: 'eu-west1', decidedAt: '2026-11-01T02:00:40.000Z', detectionSeconds: 40 },
      // 13.44 × 1 % of an hour of slow answers from 5h: 480 s, not 4,080 s from the 4h vantage episode.
      { region: 'us-central1', decidedAt: '2026-11-01T05:08:00.000Z', detectionSeconds: 480 },
    ]);
  });
});

describe('vigil simulate input errors', () => {
  it('rejects an invalid scenario with file:line:col', async () => {
    const io = captureIo();
    const code = await run(['simulate', 'test/fixtures/simulate/bad-scenario.yaml'], io);
    expect(code).toBe(1);
    expect(io.stderr()).toContain('test/fixtures/simulate/bad-scenario.yaml:9:');
  });

  it('rehearses the weekly drill: approved, passes with 120 s to drain and to restore; an on-demand run is aborted by a page elsewhere', async () => {
    const report = await simulateScenario('drill-rehearsal');
    expect(report.summary.drills).toEqual([
      { drill: 'eu-west1-evacuation', run: 'r-1', region: 'eu-west1', outcome: 'passed', reason: 'drained, held and restored within every objective', drainSeconds: 120, restoreSeconds: 120 },
      { drill: 'eu-west1-evacuation', run: 'r-2', region: 'eu-west1', outcome: 'aborted', reason: expect.stringMatching(/^page alert firing: playback-\S+ in us-central1/), drainSeconds: 120, restoreSeconds: 120 },
    ]);
    const states = report.events.filter((e) => e.type === 'drill').map((e) => (e.type === 'drill' ? [e.t.slice(11, 16), e.run, e.state] : []));
    expect(states.slice(0, 7)).toEqual([
      ['09:00', 'r-1', 'scheduled'],
      ['09:00', 'r-1', 'draining'],
      ['09:02', 'r-1', 'holding'],
      ['09:32', 'r-1', 'restoring'],
      ['09:34', 'r-1', 'passed'],
      ['10:10', 'r-2', 'scheduled'],
      ['10:10', 'r-2', 'draining'],
    ]);
    expect(report.summary.drains).toEqual([]);
    expect(report.summary.finalWeights).toEqual(FULL);
  });

  it('skips a scheduled drill nobody approves, at its approval timeout; null episodes mean none', async () => {
    const report = await simulateScenario('drill-unapproved');
    expect(report.summary.drills).toEqual([{ drill: 'eu-west1-evacuation', run: 'r-1', region: 'eu-west1', outcome: 'skipped', reason: 'not approved within 60 min', drainSeconds: null, restoreSeconds: null }]);
    expect(report.events.filter((e) => e.type === 'drill').map((e) => (e.type === 'drill' ? [e.t.slice(11, 19), e.state] : []))).toEqual([
      ['09:00:00', 'scheduled'],
      ['09:00:00', 'awaiting_approval'],
      ['10:00:00', 'skipped'],
    ]);
    expect(report.events.filter((e) => e.type === 'weights')).toEqual([]);
  });
});
