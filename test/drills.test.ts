// DR drills in virtual time, through the real engine, orchestrator and drill runner (src/failover/simulate/
// virtual-rig.ts): approval and its timeout, a passing run with pinned drain and restore seconds, aborts,
// blackouts, a restart mid-hold, a real failover pre-empting a drill, and the schedule in its time zone.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireDefinitions } from '../src/config/load.js';
import type { DrillRun } from '../src/failover/drills/run.js';
import { VirtualRig } from '../src/failover/simulate/virtual-rig.js';
import { openDatabase } from '../src/store/database.js';
import { makeFailoverProject, REGIONS } from './helpers/failover-project.js';

const STEP_MS = 10_000;
const rigs: VirtualRig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

const DRILL = `  drills:
    - name: eu-evacuation
      region: eu-west1
      schedule: "0 10 * * 2"
      timeZone: Europe/Stockholm
      hold: 30m
      requiresApproval: true
      approvalTimeout: 2h
      abortIf: { severity: page, regions: others }
      objectives: { maxDrainSeconds: 300, maxRestoreSeconds: 300, maxBudgetSpentPercent: 2 }
      runbook: runbooks/api.md`;

async function load(extra: string, steps = '[ { weightPercent: 50, bake: 2m }, { weightPercent: 0 } ]') {
  const { dir } = makeFailoverProject({ steps, cooldown: '15m', extra });
  const { config } = await requireDefinitions([path.join(dir, 'vigil.yaml')], { root: dir });
  const { slos } = await requireDefinitions([path.join(dir, 'slo-definitions')], { root: dir });
  return { dir, config, slos };
}

interface Harness {
  rig: VirtualRig;
  /** Evaluations every 10 s up to `until` (inclusive), with this share of errors per target region (all vantages, or some). */
  runUntil(until: number, errors?: Record<string, { rate: number; vantages?: readonly string[] }>, stop?: () => boolean): Promise<void>;
  runs(): DrillRun[];
}

let seq = 0;
async function harness(start: string, extra = DRILL, options: { db?: ReturnType<typeof openDatabase>; root?: string; steps?: string } = {}): Promise<Harness> {
  const { config, slos, dir } = await load(extra, options.steps);
  const rig = new VirtualRig({ config, slos, start: Date.parse(start), db: options.db, root: options.root ?? dir, newId: () => `r-${++seq}` });
  rigs.push(rig);
  let t = Date.parse(start);
  return {
    rig,
    async runUntil(until, errors = {}, stop) {
      while (t <= until) {
        const records = REGIONS.flatMap((region) =>
          REGIONS.map((vantage) => {
            const fault = errors[region];
            const rate = fault && (fault.vantages === undefined || fault.vantages.includes(vantage)) ? fault.rate : 0;
            return { slo: 'api', targetRegion: region, vantage, ts: t - 1, good: Math.round(100 * (1 - rate)), total: 100 };
          }),
        );
        rig.store.add(records);
        await rig.evaluate(t);
        t += STEP_MS;
        if (stop?.()) return;
      }
    },
    runs: () => rig.drills?.runs('eu-evacuation') ?? [],
  };
}

const at = (iso: string) => Date.parse(iso);
const phaseOf = (rig: VirtualRig, region: string) => rig.controller.status().state.regions[region]?.phase;

describe('scheduled drills', () => {
  it('fire at the cron instant in the drill’s time zone, wait for approval, and are skipped at the timeout', async () => {
    // Tuesday 2026-12-01, 09:59 in Stockholm (UTC+1).
    const h = await harness('2026-12-01T08:59:00Z');
    await h.runUntil(at('2026-12-01T08:59:50Z'));
    expect(h.runs()).toEqual([]);
    await h.runUntil(at('2026-12-01T09:00:00Z'));
    const [run] = h.runs();
    expect(run).toMatchObject({ state: 'awaiting_approval', scheduledFor: at('2026-12-01T09:00:00Z'), requestedBy: 'vigil' });
    // Not approved: never starts, the region keeps its weight.
    await h.runUntil(at('2026-12-01T10:59:50Z'));
    expect(h.runs()[0]?.state).toBe('awaiting_approval');
    expect(h.rig.controller.status().weights['eu-west1']).toBe(100);
    await h.runUntil(at('2026-12-01T11:00:00Z'));
    expect(h.runs()[0]).toMatchObject({ state: 'skipped', reason: 'not approved within 120 min', endedAt: at('2026-12-01T11:00:00Z'), startedAt: null });
    expect(h.rig.drills?.list().drills[0]).toMatchObject({ nextRun: '2026-12-08T09:00:00.000Z', nextRunLocal: '2026-12-08 10:00 (Europe/Stockholm, UTC+01:00)' });
  });

  it('approved, drains step by step, holds, restores and passes, with the drain and restore seconds pinned', async () => {
    const h = await harness('2026-12-01T08:59:00Z');
    await h.runUntil(at('2026-12-01T09:00:00Z'));
    const [waiting] = h.runs();
    if (!waiting || !h.rig.drills) throw new Error('no run');
    // Approved 20 s later, between evaluations: the drain starts at once.
    await h.runUntil(at('2026-12-01T09:00:20Z'));
    const approved = await h.rig.drills.approve('eu-evacuation', waiting.id, { actor: 'alice' });
    expect(approved).toMatchObject({ state: 'draining', approvedBy: 'alice', startedAt: at('2026-12-01T09:00:20Z') });
    expect(h.rig.controller.status().weights['eu-west1']).toBe(50);
    await h.runUntil(at('2026-12-01T10:00:00Z'));
    const run = h.runs()[0];
    expect(run).toMatchObject({ state: 'passed', drainedAt: at('2026-12-01T09:02:20Z'), holdUntil: at('2026-12-01T09:32:20Z'), restoredAt: at('2026-12-01T09:34:20Z') });
    expect(phaseOf(h.rig, 'eu-west1')).toBe('serving');
    const report = h.rig.drills.report('eu-evacuation', waiting.id);
    expect(report).toMatchObject({ outcome: 'passed', approvedBy: 'alice', drainSeconds: 120, restoreSeconds: 120, runbook: 'runbooks/api.md' });
    expect(report.objectives).toEqual([
      { name: 'maxDrainSeconds', limit: 300, value: 120, passed: true },
      { name: 'maxRestoreSeconds', limit: 300, value: 120, passed: true },
      { name: 'maxBudgetSpentPercent', limit: 2, value: 0, passed: true },
    ]);
    // The timeline has every state and each weight step with its time.
    expect(report.timeline.map((e) => [e.t.slice(11, 19), e.state, e.weights['eu-west1']])).toEqual([
      ['09:00:00', 'scheduled', 100],
      ['09:00:00', 'awaiting_approval', 100],
      ['09:00:20', 'starting', 100],
      ['09:00:20', 'draining', 100],
      ['09:00:30', 'draining', 50],
      ['09:02:20', 'draining', 0],
      ['09:02:20', 'holding', 0],
      ['09:32:20', 'restoring', 0],
      ['09:32:30', 'restoring', 50],
      ['09:34:20', 'restoring', 100],
      ['09:34:20', 'passed', 100],
    ]);
    // Drill drains and restores are audited as drill commands with the run id and the identity.
    expect(report.audit.map((a) => [a.actor, a.action, a.outcome])).toEqual([
      ['alice', 'drain', 'executed'],
      ['vigil', 'restore', 'executed'],
    ]);
    expect(report.budgetSpent.map((b) => b.region).sort()).toEqual([...REGIONS].sort());
    expect(Object.keys(report.receivingBurnRates[0]?.burnRates ?? {})).toContain('1h');
  });

  it('fails when an objective is missed: the budget spent during the run', async () => {
    const h = await harness('2026-12-01T08:00:00Z', DRILL.replace('requiresApproval: true', 'requiresApproval: false').replace('maxBudgetSpentPercent: 2', 'maxBudgetSpentPercent: 0.5'));
    await h.runUntil(at('2026-12-01T08:59:50Z'));
    // 1 % errors in us-central1 while the drill runs: no alert, but budget spent.
    await h.runUntil(at('2026-12-01T09:40:00Z'), { 'us-central1': { rate: 0.01 } });
    const run = h.runs()[0];
    expect(run?.state).toBe('failed');
    expect(run?.reason).toMatch(/^missed maxBudgetSpentPercent \(\d+(\.\d+)? > 0\.5\)$/);
  });
});

describe('aborts and interruptions', () => {
  const onDemand = DRILL.replace('      schedule: "0 10 * * 2"\n', '');

  it('a page burn in another region aborts within one evaluation and restores through the steps', async () => {
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:10:00Z'));
    const started = await h.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'weekly drill');
    expect(started).toMatchObject({ state: 'draining', requestedBy: 'ida', approvedBy: 'ida' });
    await h.runUntil(at('2026-12-01T12:15:00Z'));
    expect(h.runs()[0]?.state).toBe('holding');
    // One vantage sees us-central1 fail: not a real failover (quorum 2), but its page alert fires.
    let pageAt = 0;
    await h.runUntil(
      at('2026-12-01T12:30:00Z'),
      { 'us-central1': { rate: 1, vantages: ['asia-east1'] } },
      () => {
        const pages = (h.rig.report()?.slos[0]?.regions['us-central1']?.alerts ?? []).some((a) => a.severity === 'page' && a.firing);
        if (pages && pageAt === 0) pageAt = h.rig.clock.now();
        return h.runs()[0]?.state === 'restoring';
      },
    );
    const aborting = h.runs()[0];
    expect(pageAt).toBeGreaterThan(0);
    expect(aborting?.restoreStartedAt).toBe(pageAt);
    expect(aborting?.ending).toEqual({ outcome: 'aborted', cause: 'page alert firing: api in us-central1' });
    await h.runUntil(at('2026-12-01T12:40:00Z'));
    expect(h.runs()[0]).toMatchObject({ state: 'aborted', reason: 'page alert firing: api in us-central1' });
    expect(phaseOf(h.rig, 'eu-west1')).toBe('serving');
  });

  it('an IMOC abort restores at once; a second abort is refused while restoring', async () => {
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:01:00Z'));
    await h.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'drill');
    await h.runUntil(at('2026-12-01T12:05:00Z'));
    const aborted = await h.rig.drills?.abort('eu-evacuation', { actor: 'bob' }, 'customer escalation');
    expect(aborted).toMatchObject({ state: 'restoring', ending: { outcome: 'aborted', cause: 'aborted by bob: customer escalation' } });
    await expect(h.rig.drills?.abort('eu-evacuation', { actor: 'bob' }, 'again')).rejects.toThrow(/already restoring/);
    await h.runUntil(at('2026-12-01T12:10:00Z'));
    const report = h.rig.drills?.report('eu-evacuation');
    expect(report).toMatchObject({ outcome: 'aborted', drainSeconds: 120 });
    expect(report?.audit.find((a) => a.action === 'restore')?.actor).toBe('bob');
  });

  it('a real failover pre-empts the drill: interrupted, the drilled region restored, then the failing one drained', async () => {
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:01:00Z'));
    await h.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'drill');
    await h.runUntil(at('2026-12-01T12:05:00Z'));
    expect(h.runs()[0]?.state).toBe('holding');
    await h.runUntil(at('2026-12-01T12:20:00Z'), { 'us-central1': { rate: 1 } });
    expect(h.runs()[0]).toMatchObject({ state: 'interrupted', reason: 'us-central1 really fails: the real failover goes first' });
    expect(phaseOf(h.rig, 'eu-west1')).toBe('serving');
    expect(h.rig.controller.status().state.regions['us-central1']).toMatchObject({ phase: 'drained', origin: 'auto' });
  });

  it('a drilled region that really fails is left to the real failover, not restored at the end of the hold', async () => {
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:01:00Z'));
    await h.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'drill');
    await h.runUntil(at('2026-12-01T12:05:00Z'));
    // Drained, eu-west1 still gets probed; it fails from every vantage.
    await h.runUntil(at('2026-12-01T12:50:00Z'), { 'eu-west1': { rate: 1 } });
    expect(h.runs()[0]).toMatchObject({ state: 'interrupted', reason: 'eu-west1 was taken over (auto): left to that decision' });
    expect(h.rig.controller.status().state.regions['eu-west1']).toMatchObject({ phase: 'drained', origin: 'auto' });
  });
});

describe('what keeps a drill from starting', () => {
  const midnight = `${DRILL.replace('schedule: "0 10 * * 2"', 'schedule: "30 0 * * *"').replace('requiresApproval: true', 'requiresApproval: false')}
  drillBlackouts:
    - { name: night-batch, cron: "0 22 * * *", duration: 4h, timeZone: Europe/Stockholm }`;

  it.each([
    ['a blackout that crosses midnight in Stockholm', '2026-12-01T23:29:00Z', '2026-12-01T23:30:00Z'],
    ['the same blackout on the night clocks spring forward', '2027-03-27T23:29:00Z', '2027-03-27T23:30:00Z'],
  ])('%s blocks a scheduled run: skipped, never half-started', async (_what, start, fire) => {
    const h = await harness(start, midnight);
    await h.runUntil(at(fire));
    const [run] = h.runs();
    expect(run).toMatchObject({ state: 'skipped', startedAt: null, reason: expect.stringContaining('in blackout night-batch until') });
    expect(h.rig.controller.status().weights['eu-west1']).toBe(100);
  });

  it('a page alert firing anywhere, or a failover in progress, blocks an on-demand start', async () => {
    const onDemand = DRILL.replace('      schedule: "0 10 * * 2"\n', '');
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:02:00Z'), { 'asia-east1': { rate: 1, vantages: ['eu-west1'] } });
    const plan = h.rig.drills?.plan('eu-evacuation');
    expect(plan?.canStart).toBe(false);
    expect(plan?.blockedBy.map((b) => b.check)).toEqual(['page_alert']);
    const run = await h.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'drill');
    expect(run).toMatchObject({ state: 'skipped', reason: 'page alert firing: api overall, api in asia-east1', startedAt: null });

    await h.runUntil(at('2026-12-01T14:00:00Z'));
    expect(h.rig.drills?.plan('eu-evacuation').canStart).toBe(true);
    await h.rig.controller.command({ kind: 'drain', region: 'asia-east1', actor: 'ida', reason: 'maintenance', force: false });
    const busy = h.rig.drills?.plan('eu-evacuation');
    expect(busy?.blockedBy).toEqual([{ check: 'failover_in_progress', reason: 'asia-east1 is draining (weight 50)' }]);
  });

  it('plans the weights of every step and the capacity left while drained', async () => {
    const onDemand = DRILL.replace('      schedule: "0 10 * * 2"\n', '');
    const h = await harness('2026-12-01T12:00:00Z', onDemand);
    await h.runUntil(at('2026-12-01T12:01:00Z'));
    const plan = h.rig.drills?.plan('eu-evacuation');
    expect(plan).toMatchObject({
      canStart: true,
      blockedBy: [],
      drainSteps: [
        { weightPercent: 50, bakeSeconds: 120, weights: { 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 } },
        { weightPercent: 0, bakeSeconds: 0, weights: { 'eu-west1': 0, 'us-central1': 100, 'asia-east1': 100 } },
      ],
      restoreSteps: [{ weightPercent: 50 }, { weightPercent: 100 }],
      capacity: { serving: ['us-central1', 'asia-east1'], percent: 110, enough: true },
      holdSeconds: 1800,
    });
  });
});

describe('restarts', () => {
  it('a crash mid-hold resumes on a new server over the same store, and restores', async () => {
    const onDemand = DRILL.replace('      schedule: "0 10 * * 2"\n', '');
    const db = openDatabase(':memory:');
    try {
      const { dir } = makeFailoverProject();
      const first = await harness('2026-12-01T12:00:00Z', onDemand, { db, root: dir });
      await first.runUntil(at('2026-12-01T12:01:00Z'));
      await first.rig.drills?.start('eu-evacuation', { actor: 'ida' }, 'drill');
      await first.runUntil(at('2026-12-01T12:10:00Z'));
      expect(first.runs()[0]?.state).toBe('holding');
      await first.rig.close();
      rigs.splice(rigs.indexOf(first.rig), 1);

      // Down for 40 minutes: the hold elapsed meanwhile; the new server goes on to restore.
      const second = await harness('2026-12-01T12:50:00Z', onDemand, { db, root: dir });
      expect(second.runs()[0]?.state).toBe('holding');
      await second.runUntil(at('2026-12-01T12:50:00Z'));
      expect(second.runs()[0]).toMatchObject({ state: 'restoring', restoreStartedAt: at('2026-12-01T12:50:00Z') });
      await second.runUntil(at('2026-12-01T13:00:00Z'));
      expect(second.runs()[0]?.state).toBe('passed');
      expect(phaseOf(second.rig, 'eu-west1')).toBe('serving');
    } finally {
      for (const rig of rigs.splice(0)) await rig.close();
      db.close();
    }
  });
});
