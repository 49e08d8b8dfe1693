// What a drill would do now and what would keep it from starting (`vigil drill plan`), and the conditions
// that abort a running one. Pure functions of the orchestrator's state, the latest SLO report and the
// blackouts: the runner checks exactly what the plan shows.
import type { SloReport } from '../../slo/report-format.js';
import { checkDrain, drainPercents, restorePercents, transitionInProgress, weightsOf } from '../policy/safety.js';
import type { PolicyConfig, PolicyState, Weights } from '../policy/types.js';
import type { Blackouts, BlackoutWindow } from './blackouts.js';
import type { DrillRun } from './run.js';
import type { DrillSpec } from './schema.js';

export const PLAN_CHECKS = ['drill_in_progress', 'failover_in_progress', 'blackout', 'page_alert', 'safety_rule'] as const;

export interface PlanBlock {
  check: (typeof PLAN_CHECKS)[number];
  reason: string;
}

export interface DrillPlan {
  drill: string;
  region: string;
  at: string;
  canStart: boolean;
  blockedBy: PlanBlock[];
  weights: Weights;
  /** The weights at each drain step, then at each restore step. */
  drainSteps: Array<{ weightPercent: number; bakeSeconds: number; weights: Weights }>;
  restoreSteps: Array<{ weightPercent: number; weights: Weights }>;
  /** Who serves while the region is drained, and whether they can carry peak traffic. */
  capacity: { serving: string[]; percent: number; enough: boolean };
  holdSeconds: number;
  blackouts: { active: BlackoutWindow | null; upcoming: BlackoutWindow[] };
  nextRun: string | null;
  slosAtRisk: Array<{ slo: string; region: string; burnRate1h: number; budgetRemaining: number }>;
}

export interface PlanInputs {
  now: number;
  drill: DrillSpec;
  policy: PolicyConfig;
  state: PolicyState;
  report: SloReport | null;
  /** A run of any drill that has not ended, other than the one being planned. */
  activeRun: DrillRun | null;
  blackouts: Blackouts;
  nextRun: number | null;
}

const UPCOMING_MS = 14 * 24 * 3_600_000;

/** Alerts of a severity firing in the regions asked for, as "SLO in REGION" (and "SLO overall" for the whole SLO, everywhere). */
export function firingAlerts(report: SloReport | null, severity: string, regions: ((region: string) => boolean) | 'everywhere'): string[] {
  if (!report) return [];
  const found: string[] = [];
  for (const slo of report.slos) {
    if (regions === 'everywhere' && slo.alerts.some((a) => a.severity === severity && a.firing)) found.push(`${slo.name} overall`);
    for (const [region, status] of Object.entries(slo.regions)) {
      const counted = regions === 'everywhere' || regions(region);
      if (counted && status.alerts.some((a) => a.severity === severity && a.firing)) found.push(`${slo.name} in ${region}`);
    }
  }
  return found;
}

function blocks(inputs: PlanInputs, weights: Weights): PlanBlock[] {
  const { drill, state, now, policy } = inputs;
  const found: PlanBlock[] = [];
  if (inputs.activeRun) found.push({ check: 'drill_in_progress', reason: `drill ${inputs.activeRun.drill} (${inputs.activeRun.id}) is ${inputs.activeRun.state}` });
  const busy = Object.entries(state.regions).find(([, p]) => p.phase !== 'serving');
  if (busy) found.push({ check: 'failover_in_progress', reason: `${busy[0]} is ${busy[1].phase} (weight ${weights[busy[0]] ?? 0})` });
  const blackout = inputs.blackouts.activeAt(now);
  if (blackout) found.push({ check: 'blackout', reason: `in blackout ${blackout.name} until ${new Date(blackout.to).toISOString()}` });
  const paging = firingAlerts(inputs.report, 'page', 'everywhere');
  if (paging.length > 0) found.push({ check: 'page_alert', reason: `page alert firing: ${paging.slice(0, 5).join(', ')}${paging.length > 5 ? ` and ${paging.length - 5} more` : ''}` });
  // The same rules a real drain passes; a transition in progress is reported above already.
  if (transitionInProgress(state) === null) {
    const verdict = checkDrain(state, drill.region, now, policy);
    if (verdict.rule !== null) found.push({ check: 'safety_rule', reason: `the drain would be blocked by ${verdict.rule}: ${verdict.reason}` });
  }
  return found;
}

export function planDrill(inputs: PlanInputs): DrillPlan {
  const { drill, policy, state, now } = inputs;
  const weights = weightsOf(state.regions, policy);
  const withRegionAt = (percent: number): Weights => ({ ...weights, [drill.region]: ((policy.regions[drill.region]?.weight ?? 0) * percent) / 100 });
  const serving = Object.keys(policy.regions).filter((r) => r !== drill.region && state.regions[r]?.phase === 'serving');
  const percent = serving.reduce((sum, r) => sum + (policy.regions[r]?.capacity ?? 0), 0);
  const blockedBy = blocks(inputs, weights);
  const slosAtRisk = (inputs.report?.slos ?? []).flatMap((slo) =>
    Object.entries(slo.regions)
      .filter(([region, status]) => region !== drill.region && ((status.burnRates['1h'] ?? 0) >= 1 || status.errorBudget.remaining < 0.1))
      .map(([region, status]) => ({ slo: slo.name, region, burnRate1h: status.burnRates['1h'] ?? 0, budgetRemaining: status.errorBudget.remaining })),
  );
  return {
    drill: drill.name,
    region: drill.region,
    at: new Date(now).toISOString(),
    canStart: blockedBy.length === 0,
    blockedBy,
    weights,
    drainSteps: policy.failover.steps.map((step, i) => ({ weightPercent: drainPercents(policy)[i] ?? 0, bakeSeconds: step.bake / 1000, weights: withRegionAt(step.weightPercent) })),
    restoreSteps: restorePercents(policy).map((p) => ({ weightPercent: p, weights: withRegionAt(p) })),
    capacity: { serving, percent, enough: percent >= 100 },
    holdSeconds: drill.hold / 1000,
    blackouts: { active: inputs.blackouts.activeAt(now), upcoming: inputs.blackouts.windowsAround(now, now + UPCOMING_MS).filter((w) => w.from > now) },
    nextRun: inputs.nextRun === null ? null : new Date(inputs.nextRun).toISOString(),
    slosAtRisk,
  };
}

/** Why a drill could not start now, or null (the first thing the plan says blocks it). */
export function blockerOf(plan: DrillPlan): string | null {
  return plan.blockedBy[0]?.reason ?? null;
}

/** What aborts a running drill now: its abortIf alert in the regions it names, or a blackout that began. */
export function abortCondition(drill: DrillSpec, report: SloReport | null, blackouts: Blackouts, now: number): string | null {
  const { severity, regions } = drill.abortIf;
  const watched = regions === 'all' ? 'everywhere' : regions === 'others' ? (r: string) => r !== drill.region : (r: string) => regions.includes(r);
  const alerts = firingAlerts(report, severity, watched);
  if (alerts.length > 0) return `${severity} alert firing: ${alerts.slice(0, 5).join(', ')}`;
  const blackout = blackouts.activeAt(now);
  if (blackout) return `blackout ${blackout.name} began`;
  return null;
}
