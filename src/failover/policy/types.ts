// The failover policy's state, inputs and outputs. The policy is a pure function of these and `now`.
import type { FailoverConfig } from '../../config/kinds/vigil-config.js';
import type { RegionSpec, Weights } from '../providers/provider.js';

export type { Weights };

export type RegionPhase =
  | { phase: 'serving' }
  /** Walking the drain steps; `step` is the index of the step in effect, `bakeUntil` when the next may follow. */
  | { phase: 'draining'; step: number; bakeUntil: number; halted: boolean; origin: Origin }
  | { phase: 'drained'; since: number; origin: Origin }
  /** Walking the steps back up to full weight. */
  | { phase: 'restoring'; step: number; bakeUntil: number; origin: Origin };

/** Who started a transition: the automation, the IMOC, or a scheduled drill. */
export type Origin = 'auto' | 'manual' | 'drill';

export interface PolicyState {
  regions: Record<string, RegionPhase>;
  /** When the last drain or restore started (for the cooldown). */
  lastActionAt: number | null;
  /** The IMOC paused the automation: no automatic drains or failbacks until resumed. */
  paused: boolean;
  /** Since when each region has looked healthy without interruption (failback hysteresis). */
  healthySince: Record<string, number | null>;
  /** The last blocking rule logged per region, so a blocked decision is logged once, not every tick. */
  blockedNoted: Record<string, SafetyRule | null>;
  /** Automatic drains proposed in manual mode, waiting for the IMOC. */
  proposed: Record<string, number>;
}

export const SAFETY_RULES = [
  'in_progress',
  'cooldown',
  'max_drained_regions',
  'min_serving_regions',
  'capacity',
  'global_outage',
  'zero_total_weight',
  'unknown_region',
  'not_drained',
  'not_serving',
] as const;

export type SafetyRule = (typeof SAFETY_RULES)[number];

/** `actor` is the identity that sent the command; `onBehalfOf`, who it says it acts for (recorded beside, never instead). */
export type Command =
  | { kind: 'drain' | 'restore'; region: string; actor: string; onBehalfOf?: string; reason: string; force: boolean; origin?: Origin }
  | { kind: 'pause' | 'resume'; actor: string; onBehalfOf?: string; reason: string };

export interface PolicyInputs {
  now: number;
  /**
   * Whether a trigger SLO's alert of the trigger severity fires, per target region and vantage:
   * firing[targetRegion][vantage]. A pair with no data is absent (or false).
   */
  firing: Record<string, Record<string, boolean>>;
  commands?: readonly Command[];
}

export type DecisionOutcome = 'executed' | 'blocked' | 'proposed' | 'dry-run';

export interface Decision {
  type: 'decision';
  action: 'drain' | 'restore' | 'step' | 'halt' | 'pause' | 'resume';
  region: string | null;
  outcome: DecisionOutcome;
  rule: SafetyRule | null;
  reason: string;
  actor: string;
  onBehalfOf?: string;
  forced: boolean;
}

export interface PolicyResult {
  state: PolicyState;
  /** Weights to apply now, or null when nothing changes. */
  weights: Weights | null;
  decisions: Decision[];
}

export interface PolicyConfig {
  regions: Readonly<Record<string, RegionSpec>>;
  failover: FailoverConfig;
}

export function initialState(regions: Iterable<string>): PolicyState {
  const names = [...regions];
  return {
    regions: Object.fromEntries(names.map((r) => [r, { phase: 'serving' }])),
    lastActionAt: null,
    paused: false,
    healthySince: Object.fromEntries(names.map((r) => [r, null])),
    blockedNoted: Object.fromEntries(names.map((r) => [r, null])),
    proposed: {},
  };
}
