// A drill run's life as a pure function: `advanceRun(run, inputs, drill)` says what the run becomes now and
// which command (drain or restore, through the failover orchestrator) it needs, given what the orchestrator
// and the SLO engine show. No I/O and no clock: the runner carries the commands out, `vigil simulate`
// replays it, tests pin it. Checks run in one fixed order each step: interruptions (a real failover or
// an IMOC wins), then aborts, then progress.
import type { RegionPhase, Weights } from '../policy/types.js';
import type { DrillSpec } from './schema.js';

export const DRILL_STATES = ['scheduled', 'awaiting_approval', 'starting', 'draining', 'holding', 'restoring'] as const;
export const DRILL_OUTCOMES = ['passed', 'failed', 'aborted', 'interrupted', 'skipped'] as const;
export type DrillState = (typeof DRILL_STATES)[number];
export type DrillOutcome = (typeof DRILL_OUTCOMES)[number];
export type RunState = DrillState | DrillOutcome;

export const isOutcome = (state: RunState): state is DrillOutcome => (DRILL_OUTCOMES as readonly string[]).includes(state);

export interface TimelineEntry {
  t: number;
  state: RunState;
  weights: Weights;
  detail: string;
}

export interface DrillRun {
  id: string;
  drill: string;
  region: string;
  state: RunState;
  /** Why the run ended as it did (or is ending: an abort restores first). */
  reason: string | null;
  /** The cron instant that made it, or null for a run started on demand. */
  scheduledFor: number | null;
  createdAt: number;
  /** Who asked for it: an identity, or "vigil" for the schedule. */
  requestedBy: string;
  requestReason: string | null;
  approvedBy: string | null;
  approvedAt: number | null;
  /** Whom the identity that started or approved it said it acted for. */
  onBehalfOf: string | null;
  /** When the drain command was carried out. */
  startedAt: number | null;
  /** When the region's weight reached 0. */
  drainedAt: number | null;
  holdUntil: number | null;
  restoreStartedAt: number | null;
  /** The restore command was carried out (a region drained after that fell back on its own). */
  restoreIssued: boolean;
  /** When the region was back at full weight. */
  restoredAt: number | null;
  endedAt: number | null;
  /** An abort or interruption decided while the region still had to be restored: the outcome once it is. */
  ending: { outcome: 'aborted' | 'interrupted'; cause: string } | null;
  timeline: TimelineEntry[];
  /** The highest burn rates seen in the receiving regions during the run: slo → region → window → rate. */
  receivingBurn: Record<string, Record<string, Record<string, number>>>;
}

export interface RunInputs {
  now: number;
  /** The drilled region's phase in the orchestrator. */
  phase: RegionPhase;
  weights: Weights;
  /** Another region moved by someone other than this drill (a real failover, an IMOC), described; or null. */
  otherTransition: string | null;
  /** Regions the failover trigger says fail (by quorum): a real failover wants them. */
  failing: readonly string[];
  /** Why a drill could not start now (as `vigil drill plan` shows), or null. */
  blocker: string | null;
  /** An abort condition in effect (an abortIf alert, a blackout that began), described; or null. */
  abortCondition: string | null;
  approve?: { by: string; onBehalfOf?: string | undefined } | undefined;
  abort?: { by: string; onBehalfOf?: string | undefined; reason: string } | undefined;
}

export interface RunCommand {
  kind: 'drain' | 'restore';
  reason: string;
}

export interface RunStep {
  run: DrillRun;
  command: RunCommand | null;
}

export function newRun(fields: Pick<DrillRun, 'id' | 'drill' | 'region' | 'scheduledFor' | 'createdAt' | 'requestedBy' | 'requestReason'>, weights: Weights): DrillRun {
  const how = fields.scheduledFor === null ? `started by ${fields.requestedBy}${fields.requestReason ? `: ${fields.requestReason}` : ''}` : 'scheduled';
  return {
    ...fields,
    state: 'scheduled',
    reason: null,
    approvedBy: null,
    approvedAt: null,
    onBehalfOf: null,
    startedAt: null,
    drainedAt: null,
    holdUntil: null,
    restoreStartedAt: null,
    restoreIssued: false,
    restoredAt: null,
    endedAt: null,
    ending: null,
    timeline: [{ t: fields.createdAt, state: 'scheduled', weights, detail: how }],
    receivingBurn: {},
  };
}

function to(run: DrillRun, state: RunState, inputs: Pick<RunInputs, 'now' | 'weights'>, detail: string, changes: Partial<DrillRun> = {}): DrillRun {
  const next = { ...run, ...changes, state };
  if (isOutcome(state)) {
    next.endedAt = inputs.now;
    next.reason = next.reason ?? detail;
  }
  return { ...next, timeline: [...run.timeline, { t: inputs.now, state, weights: inputs.weights, detail }] };
}

const label = (run: DrillRun) => `drill ${run.drill} ${run.id}`;

/** The run ends without a restore: it never drained, or someone else now owns the region. */
function end(run: DrillRun, outcome: DrillOutcome, inputs: RunInputs, reason: string): RunStep {
  return { run: to(run, outcome, inputs, reason, { reason }), command: null };
}

/** Restore through the steps, then end as `outcome` with `cause`. */
function restoreAndEnd(run: DrillRun, outcome: 'aborted' | 'interrupted', inputs: RunInputs, cause: string): RunStep {
  const next = to(run, 'restoring', inputs, `${outcome === 'aborted' ? 'aborting' : 'interrupted'}: ${cause}; restoring`, {
    ending: { outcome, cause },
    restoreStartedAt: inputs.now,
  });
  return { run: next, command: { kind: 'restore', reason: `${label(run)} ${outcome}: ${cause}` } };
}

/** Someone other than the drill took the region over, or a real failover wants a region: the drill gives way. */
function interruption(run: DrillRun, inputs: RunInputs): RunStep | null {
  const { phase } = inputs;
  if (phase.phase !== 'serving' && phase.origin !== 'drill') {
    return end(run, 'interrupted', inputs, `${run.region} was taken over (${phase.origin}): left to that decision`);
  }
  if (phase.phase === 'serving' && run.state !== 'restoring') {
    return end(run, 'interrupted', inputs, `${run.region} is serving again: it was restored outside the drill`);
  }
  if (inputs.failing.includes(run.region)) {
    return end(run, 'interrupted', inputs, `${run.region} really fails: left drained to the real failover`);
  }
  const other = inputs.failing.find((r) => r !== run.region);
  if (other !== undefined && run.state !== 'restoring') return restoreAndEnd(run, 'interrupted', inputs, `${other} really fails: the real failover goes first`);
  if (inputs.otherTransition !== null && run.state !== 'restoring') return restoreAndEnd(run, 'interrupted', inputs, inputs.otherTransition);
  return null;
}

function abortion(run: DrillRun, inputs: RunInputs): RunStep | null {
  if (run.state === 'restoring') return null;
  if (inputs.abort) return restoreAndEnd(run, 'aborted', inputs, `aborted by ${inputs.abort.by}: ${inputs.abort.reason}`);
  if (inputs.abortCondition !== null) return restoreAndEnd(run, 'aborted', inputs, inputs.abortCondition);
  if (inputs.phase.phase === 'draining' && inputs.phase.halted) {
    return restoreAndEnd(run, 'aborted', inputs, 'the orchestrator halted the drain: receiving regions burn');
  }
  return null;
}

/** A weight change of the run's region since the last timeline entry, as an entry of its own. */
function noteWeights(run: DrillRun, inputs: RunInputs): DrillRun {
  const last = run.timeline.at(-1);
  const before = last?.weights[run.region];
  const now = inputs.weights[run.region];
  if (last === undefined || before === now) return run;
  return { ...run, timeline: [...run.timeline, { t: inputs.now, state: run.state, weights: inputs.weights, detail: `${run.region} weight ${before ?? '?'} → ${now ?? '?'}` }] };
}

export function advanceRun(current: DrillRun, inputs: RunInputs, drill: DrillSpec): RunStep {
  const run = noteWeights(current, inputs);
  const { now } = inputs;
  switch (run.state) {
    case 'scheduled': {
      if (drill.requiresApproval && run.scheduledFor !== null && run.approvedBy === null) {
        // An approval already at hand (a simulation takes it as given) still passes through awaiting_approval.
        return advanceRun(to(run, 'awaiting_approval', inputs, `waiting for an IMOC's approval until ${new Date(run.createdAt + drill.approvalTimeout).toISOString()}`), inputs, drill);
      }
      return advanceRun(to(run, 'starting', inputs, 'checking what would block the drain'), inputs, drill);
    }
    case 'awaiting_approval': {
      if (inputs.abort) return end(run, 'skipped', inputs, `cancelled by ${inputs.abort.by}: ${inputs.abort.reason}`);
      if (inputs.approve) {
        const { by, onBehalfOf } = inputs.approve;
        const approved = to(run, 'starting', inputs, `approved by ${by}${onBehalfOf ? ` on behalf of ${onBehalfOf}` : ''}`, { approvedBy: by, approvedAt: now, onBehalfOf: onBehalfOf ?? null });
        return advanceRun(approved, { ...inputs, approve: undefined }, drill);
      }
      if (now >= run.createdAt + drill.approvalTimeout) return end(run, 'skipped', inputs, `not approved within ${Math.round(drill.approvalTimeout / 60_000)} min`);
      return { run, command: null };
    }
    case 'starting': {
      if (inputs.abort) return end(run, 'skipped', inputs, `cancelled by ${inputs.abort.by}: ${inputs.abort.reason}`);
      if (inputs.blocker !== null) return end(run, 'skipped', inputs, inputs.blocker);
      const draining = to(run, 'draining', inputs, `draining ${run.region} through the failover steps`, { startedAt: now });
      return { run: draining, command: { kind: 'drain', reason: `${label(run)}: evacuating ${run.region}` } };
    }
    case 'draining':
    case 'holding': {
      const stop = interruption(run, inputs) ?? abortion(run, inputs);
      if (stop) return stop;
      if (run.state === 'draining') {
        if (inputs.phase.phase !== 'drained') return { run, command: null };
        const holdUntil = now + drill.hold;
        return { run: to(run, 'holding', inputs, `${run.region} drained; holding until ${new Date(holdUntil).toISOString()}`, { drainedAt: now, holdUntil }), command: null };
      }
      if (run.holdUntil !== null && now < run.holdUntil) return { run, command: null };
      const restoring = to(run, 'restoring', inputs, `hold over: restoring ${run.region}`, { restoreStartedAt: now });
      return { run: restoring, command: { kind: 'restore', reason: `${label(run)}: hold over, restoring ${run.region}` } };
    }
    case 'restoring': {
      const stop = interruption(run, inputs);
      if (stop) return stop;
      const { phase } = inputs;
      if (phase.phase === 'serving') {
        const outcome = run.ending?.outcome ?? 'passed';
        const detail = run.ending ? `${run.region} restored after: ${run.ending.cause}` : `${run.region} restored`;
        return { run: to(run, outcome, inputs, detail, { restoredAt: now, reason: run.ending?.cause ?? null }), command: null };
      }
      if (phase.phase === 'restoring') return { run: run.restoreIssued ? run : { ...run, restoreIssued: true }, command: null };
      if (run.restoreIssued) return end(run, 'interrupted', inputs, `${run.region} failed again while being restored: left drained to the real failover`);
      // The restore has not been carried out yet (refused, or lost to a restart): ask again.
      return { run, command: { kind: 'restore', reason: `${label(run)}: restoring ${run.region}` } };
    }
    default:
      return { run, command: null };
  }
}

/** The orchestrator carried a command out (or refused it): what that means for the run. */
export function commandAnswered(run: DrillRun, command: RunCommand, answer: { executed: true } | { executed: false; reason: string }, inputs: Pick<RunInputs, 'now' | 'weights'>): DrillRun {
  if (answer.executed) return command.kind === 'restore' ? { ...run, restoreIssued: true } : run;
  if (command.kind === 'drain') return to(run, 'skipped', inputs, `the drain was refused: ${answer.reason}`, { reason: `the drain was refused: ${answer.reason}`, startedAt: null });
  // A refused restore is asked for again on the next step; the timeline says why it waits.
  return { ...run, timeline: [...run.timeline, { t: inputs.now, state: run.state, weights: inputs.weights, detail: `restore refused, trying again: ${answer.reason}` }] };
}
