// The failover policy: given the state, what the vantages see and the IMOC's commands, decide what to
// do now. Pure (no I/O, no clock): the orchestrator carries the result out, `vigil simulate` replays it.
import { assessRegions, type RegionHealth } from './health.js';
import { checkDrain, drainPercents, leavesWeight, restorePercents, transitionInProgress, weightsOf } from './safety.js';
import type { Command, Decision, Origin, PolicyConfig, PolicyInputs, PolicyResult, PolicyState, RegionPhase } from './types.js';

const AUTOMATION = 'vigil';

function decision(partial: Partial<Decision> & Pick<Decision, 'action' | 'outcome' | 'reason'>): Decision {
  return { type: 'decision', region: null, rule: null, actor: AUTOMATION, forced: false, ...partial };
}

function onBehalfOf(command: Command): Pick<Decision, 'onBehalfOf'> {
  return command.onBehalfOf === undefined ? {} : { onBehalfOf: command.onBehalfOf };
}

class Turn {
  readonly decisions: Decision[] = [];
  changed = false;

  constructor(
    public state: PolicyState,
    readonly now: number,
    readonly config: PolicyConfig,
    readonly health: RegionHealth,
  ) {}

  setPhase(region: string, phase: RegionPhase): void {
    this.state = { ...this.state, regions: { ...this.state.regions, [region]: phase } };
    this.changed = true;
  }

  /** Enters step `step` of a drain: the last step leaves the region drained. */
  drainStep(region: string, step: number, origin: Origin): void {
    const steps = this.config.failover.steps;
    if (step >= steps.length - 1) this.setPhase(region, { phase: 'drained', since: this.now, origin });
    else {
      const bake = steps[step]?.bake ?? 0;
      this.setPhase(region, { phase: 'draining', step, bakeUntil: this.now + bake, halted: false, origin });
    }
  }

  restoreStep(region: string, step: number, origin: Origin): void {
    const percents = restorePercents(this.config);
    if (step >= percents.length - 1) this.setPhase(region, { phase: 'serving' });
    else {
      // Baking on the way back up uses the bake of the drain step with the same weight.
      const bake = this.config.failover.steps.find((s) => s.weightPercent === percents[step])?.bake ?? 0;
      this.setPhase(region, { phase: 'restoring', step, bakeUntil: this.now + bake, origin });
    }
  }
}

export function decide(state: PolicyState, inputs: PolicyInputs, config: PolicyConfig): PolicyResult {
  const regions = Object.keys(config.regions);
  const health = assessRegions(regions, inputs.firing, config.failover.triggers.quorum);
  const turn = new Turn(withHealth(state, health, inputs.now, regions), inputs.now, config, health);
  const before = weightsOf(state.regions, config);

  for (const command of inputs.commands ?? []) applyCommand(turn, command);
  advanceTransitions(turn);
  automaticDecisions(turn);

  const after = weightsOf(turn.state.regions, config);
  const weightsChanged = regions.some((r) => before[r] !== after[r]);
  return { state: turn.state, weights: weightsChanged ? after : null, decisions: turn.decisions };
}

function withHealth(state: PolicyState, health: RegionHealth, now: number, regions: string[]): PolicyState {
  const healthySince: Record<string, number | null> = {};
  for (const region of regions) {
    healthySince[region] = health.failing.has(region) ? null : (state.healthySince[region] ?? now);
  }
  return { ...state, healthySince };
}

function applyCommand(turn: Turn, command: Command): void {
  const { state, config, now } = turn;
  if (!('region' in command)) {
    turn.state = { ...state, paused: command.kind === 'pause' };
    turn.decisions.push(decision({ action: command.kind, outcome: 'executed', reason: command.reason, actor: command.actor, ...onBehalfOf(command) }));
    return;
  }
  const { region, actor, force } = command;
  const origin = command.origin ?? 'manual';
  const base = { action: command.kind, region, actor, forced: force, ...onBehalfOf(command) } as const;
  const phase = state.regions[region];
  if (!phase || !config.regions[region]) {
    turn.decisions.push(decision({ ...base, outcome: 'blocked', rule: 'unknown_region', reason: `no region named ${region}` }));
    return;
  }
  if (command.kind === 'drain') {
    if (phase.phase !== 'serving') {
      turn.decisions.push(decision({ ...base, outcome: 'blocked', rule: 'not_serving', reason: `${region} is ${phase.phase}` }));
      return;
    }
    if (!leavesWeight(state, region, config)) {
      turn.decisions.push(
        decision({ ...base, outcome: 'blocked', rule: 'zero_total_weight', reason: 'no region would be left with any weight' }),
      );
      return;
    }
    const verdict = checkDrain(state, region, now, config);
    if (verdict.rule !== null && !force) {
      turn.decisions.push(decision({ ...base, outcome: 'blocked', rule: verdict.rule, reason: verdict.reason }));
      return;
    }
    const reason = verdict.rule !== null ? `${command.reason} (forced past ${verdict.rule}: ${verdict.reason})` : command.reason;
    turn.state = { ...turn.state, lastActionAt: startsCooldown(origin, turn.state, now), proposed: without(turn.state.proposed, region) };
    turn.drainStep(region, 0, origin);
    turn.decisions.push(decision({ ...base, outcome: 'executed', reason }));
    return;
  }
  if (phase.phase !== 'drained' && phase.phase !== 'draining') {
    turn.decisions.push(decision({ ...base, outcome: 'blocked', rule: 'not_drained', reason: `${region} is ${phase.phase}` }));
    return;
  }
  const busy = transitionInProgress(state);
  if (busy !== null && busy !== region && !force) {
    turn.decisions.push(decision({ ...base, outcome: 'blocked', rule: 'in_progress', reason: `${busy} is still ${state.regions[busy]?.phase}` }));
    return;
  }
  turn.state = { ...turn.state, lastActionAt: startsCooldown(origin, turn.state, now) };
  turn.restoreStep(region, firstRestoreStepAbove(turn, phase), origin);
  turn.decisions.push(decision({ ...base, outcome: 'executed', reason: command.reason }));
}

/**
 * A drill's drain and restore are planned, not reactions: they do not start the cooldown, so a real failure
 * right after a drill is still drained at once.
 */
function startsCooldown(origin: Origin, state: PolicyState, now: number): number | null {
  return origin === 'drill' ? state.lastActionAt : now;
}

/** A restore starts at the first weight above where the region is now (a halted drain restores from its step). */
function firstRestoreStepAbove(turn: Turn, phase: RegionPhase): number {
  const current = phase.phase === 'draining' ? (drainPercents(turn.config)[phase.step] ?? 0) : 0;
  const percents = restorePercents(turn.config);
  const index = percents.findIndex((p) => p > current);
  return index < 0 ? percents.length - 1 : index;
}

function advanceTransitions(turn: Turn): void {
  for (const [region, phase] of Object.entries(turn.state.regions)) {
    if (phase.phase === 'draining' && !phase.halted) {
      const receivers = Object.entries(turn.state.regions)
        .filter(([r, p]) => r !== region && (p.phase === 'serving' || p.phase === 'restoring'))
        .map(([r]) => r)
        .filter((r) => turn.health.failing.has(r));
      if (receivers.length > 0) {
        // Moving more traffic onto regions that burn would make things worse: stop here, call a human.
        turn.setPhase(region, { ...phase, halted: true });
        turn.decisions.push(
          decision({
            action: 'halt',
            region,
            outcome: 'executed',
            reason: `receiving region(s) ${receivers.join(', ')} started burning during the bake: drain stopped, IMOC alerted`,
          }),
        );
      } else if (turn.now >= phase.bakeUntil) {
        turn.drainStep(region, phase.step + 1, phase.origin);
        turn.decisions.push(decision({ action: 'step', region, outcome: 'executed', reason: `bake passed: step ${phase.step + 2} of the drain` }));
      }
    } else if (phase.phase === 'restoring') {
      if (turn.health.failing.has(region)) {
        turn.setPhase(region, { phase: 'drained', since: turn.now, origin: phase.origin });
        turn.decisions.push(decision({ action: 'drain', region, outcome: 'executed', reason: 'failed again while being restored: back to drained' }));
      } else if (turn.now >= phase.bakeUntil) {
        turn.restoreStep(region, phase.step + 1, phase.origin);
        turn.decisions.push(decision({ action: 'step', region, outcome: 'executed', reason: `bake passed: restore step ${phase.step + 2}` }));
      }
    }
  }
}

function automaticDecisions(turn: Turn): void {
  const { config, health, now } = turn;
  const mode = config.failover.mode;
  if (turn.state.paused) return;
  if (health.global) {
    noteBlocked(turn, '*', 'global_outage', 'every region looks failing from every vantage: failing open, nothing drained');
    return;
  }
  forgetNote(turn, '*');
  for (const region of Object.keys(config.regions).sort()) {
    const phase = turn.state.regions[region];
    if (!phase) continue;
    if ((phase.phase === 'drained' || phase.phase === 'draining') && phase.origin === 'drill' && health.failing.has(region) && mode === 'auto') {
      // A region that really fails while a drill holds it drained is the automation's from now on: the drill
      // ends, and the region comes back by the failback rule, not at the end of the drill's hold.
      turn.setPhase(region, { ...phase, origin: 'auto' });
      turn.decisions.push(
        decision({ action: 'drain', region, outcome: 'executed', reason: `fails from ${health.seenBy[region]?.join(', ')} while a drill holds it drained: the automation takes it over` }),
      );
      continue;
    }
    if (phase.phase === 'serving' && health.failing.has(region)) {
      const { slos, severity, quorum } = config.failover.triggers;
      const seen = `${severity} alert of ${slos.join(' or ')} fires for ${region} from ${health.seenBy[region]?.join(', ')} (quorum ${quorum})`;
      const verdict = checkDrain(turn.state, region, now, config);
      if (verdict.rule !== null) {
        noteBlocked(turn, region, verdict.rule, `${seen}; ${verdict.reason}`);
        continue;
      }
      if (mode === 'manual') {
        if (turn.state.proposed[region] === undefined) {
          turn.state = { ...turn.state, proposed: { ...turn.state.proposed, [region]: now } };
          turn.decisions.push(decision({ action: 'drain', region, outcome: 'proposed', reason: `${seen}; waiting for the IMOC` }));
        }
        continue;
      }
      if (mode === 'dry-run') {
        noteDryRun(turn, 'drain', region, `${seen}; would drain`);
        continue;
      }
      turn.state = { ...turn.state, lastActionAt: now, blockedNoted: { ...turn.state.blockedNoted, [region]: null } };
      turn.drainStep(region, 0, 'auto');
      turn.decisions.push(decision({ action: 'drain', region, outcome: 'executed', reason: seen }));
      return;
    }
    if (!health.failing.has(region) && phase.phase === 'serving') forgetNote(turn, region);
    if (phase.phase === 'drained' && phase.origin === 'auto' && config.failover.failback.mode === 'auto') {
      const since = turn.state.healthySince[region];
      const healthyFor = config.failover.failback.healthyFor;
      const cooled = turn.state.lastActionAt === null || now - turn.state.lastActionAt >= config.failover.safety.cooldown;
      if (since !== null && since !== undefined && now - since >= healthyFor && cooled && transitionInProgress(turn.state) === null) {
        const reason = `not failing (fewer than ${config.failover.triggers.quorum} vantages see it burn) for ${Math.round((now - since) / 60_000)} min`;
        if (mode === 'dry-run') {
          noteDryRun(turn, 'restore', region, `${reason}; would restore`);
          continue;
        }
        turn.state = { ...turn.state, lastActionAt: now };
        turn.restoreStep(region, 0, 'auto');
        turn.decisions.push(decision({ action: 'restore', region, outcome: 'executed', reason }));
        return;
      }
    }
  }
}

/** Logs a blocked decision once per (region, rule), until the region recovers or the rule changes. */
function noteBlocked(turn: Turn, region: string, rule: NonNullable<Decision['rule']>, reason: string): void {
  if (turn.state.blockedNoted[region] === rule) return;
  turn.state = { ...turn.state, blockedNoted: { ...turn.state.blockedNoted, [region]: rule } };
  turn.decisions.push(decision({ action: 'drain', region: region === '*' ? null : region, outcome: 'blocked', rule, reason }));
}

function noteDryRun(turn: Turn, action: 'drain' | 'restore', region: string, reason: string): void {
  if (turn.state.proposed[region] !== undefined) return;
  turn.state = { ...turn.state, proposed: { ...turn.state.proposed, [region]: turn.now } };
  turn.decisions.push(decision({ action, region, outcome: 'dry-run', reason }));
}

/** The situation behind a note is over: the next blocked or proposed decision is logged again. */
function forgetNote(turn: Turn, region: string): void {
  const { blockedNoted, proposed } = turn.state;
  if ((blockedNoted[region] ?? null) === null && proposed[region] === undefined) return;
  turn.state = { ...turn.state, blockedNoted: { ...blockedNoted, [region]: null }, proposed: without(proposed, region) };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _, ...rest } = record;
  return rest;
}
