// What the overview shows, built once per request from the latest report: a compact row per SLO (budget,
// burn, alert state) and the regions' weights and phases. GET /api/v1/overview answers it as JSON; the
// overview page renders the same rows, so the page costs little more than the API.
import { z } from 'zod';
import type { FailoverStatus } from '../failover/controller.js';
import type { SloStatus } from '../slo/evaluate.js';
import type { SloDefinition } from '../slo/model.js';
import type { SloReport } from '../slo/report-format.js';

export const SLO_STATES = ['page', 'ticket', 'ok', 'no_data', 'error'] as const;
export type SloState = (typeof SLO_STATES)[number];

export const overviewRowJson = z.object({
  name: z.string(),
  squad: z.string(),
  service: z.string(),
  indicator: z.string(),
  objective: z.number(),
  window: z.string(),
  sli: z.number().nullable(),
  budgetRemaining: z.number(),
  burn1h: z.number().nullable(),
  burn6h: z.number().nullable(),
  state: z.enum(SLO_STATES),
  /** Alerts firing, as "page 1h/5m in eu-west1". */
  firing: z.array(z.string()),
  silenced: z.boolean(),
  error: z.string().nullable(),
});

export const overviewJson = z.object({
  at: z.string(),
  regions: z.array(z.object({ name: z.string(), weight: z.number(), fullWeight: z.number(), phase: z.string(), origin: z.string().nullable() })),
  failover: z.object({ mode: z.string(), paused: z.boolean(), onHold: z.string().nullable() }).nullable(),
  slos: z.array(overviewRowJson),
});

export type OverviewRow = z.output<typeof overviewRowJson>;
export type Overview = z.output<typeof overviewJson>;

function stateOf(slo: SloStatus): { state: SloState; firing: string[]; silenced: boolean } {
  if (slo.error !== undefined) return { state: 'error', firing: [], silenced: false };
  const firing: string[] = [];
  let silenced = false;
  let worst: SloState = slo.total === 0 && Object.values(slo.regions).every((r) => r.total === 0) ? 'no_data' : 'ok';
  const look = (alerts: SloStatus['alerts'], where: string) => {
    for (const a of alerts) {
      if (!a.firing) continue;
      firing.push(`${a.severity} ${a.long}/${a.short}${where}`);
      if (a.silenced) silenced = true;
      else if (a.severity === 'page') worst = 'page';
      else if (worst !== 'page') worst = 'ticket';
    }
  };
  look(slo.alerts, '');
  for (const [region, status] of Object.entries(slo.regions)) look(status.alerts, ` in ${region}`);
  return { state: worst, firing, silenced };
}

const rounded = (value: number | undefined) => (value === undefined ? null : Math.round(value * 1000) / 1000);

export function overviewOf(report: SloReport, definitions: readonly SloDefinition[], failover: FailoverStatus | null, fullWeights: Readonly<Record<string, { weight: number }>>): Overview {
  const defs = new Map(definitions.map((d) => [d.name, d]));
  const slos = report.slos.map((slo): OverviewRow => {
    const def = defs.get(slo.name);
    return {
      name: slo.name,
      squad: slo.squad,
      service: def?.service ?? '',
      indicator: def?.indicator.kind ?? '',
      objective: slo.objective,
      window: slo.window,
      sli: slo.sli,
      budgetRemaining: slo.errorBudget.remaining,
      burn1h: rounded(slo.burnRates['1h']),
      burn6h: rounded(slo.burnRates['6h']),
      ...stateOf(slo),
      error: slo.error ?? null,
    };
  });
  const regions = Object.entries(fullWeights).map(([name, spec]) => {
    const phase = failover?.state.regions[name];
    return {
      name,
      weight: failover?.weights[name] ?? spec.weight,
      fullWeight: spec.weight,
      phase: phase?.phase ?? 'serving',
      origin: phase && phase.phase !== 'serving' ? phase.origin : null,
    };
  });
  return {
    at: report.at,
    regions,
    failover: failover ? { mode: failover.mode, paused: failover.state.paused, onHold: failover.onHold } : null,
    slos,
  };
}
