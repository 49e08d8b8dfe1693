// Checks of vigil.yaml's failover section that the schema alone cannot make: the trigger SLOs exist, can
// raise an alert of the trigger severity, and are seen from enough vantages to be trusted; and the
// provider can carry out every weight the regions and steps call for.
import { PROVIDER_KINDS } from '../failover/providers/index.js';
import { describeSetupProblem } from '../failover/providers/provider.js';
import type { LoadedItem } from './kinds/index.js';
import type { Problem } from './problems.js';
import { didYouMean } from './schema-problems.js';

type ConfigItem = Extract<LoadedItem, { type: 'config' }>;
type SloItem = Extract<LoadedItem, { type: 'slo' }>;

function triggerProblems(item: ConfigItem, slos: ReadonlyMap<string, SloItem>): Problem[] {
  const failover = item.config.failover;
  if (!failover || slos.size === 0) return [];
  const { severity } = failover.triggers;
  return failover.triggers.slos.flatMap((name, index): Problem[] => {
    const where = ['spec', 'failover', 'triggers', 'slos', index];
    const slo = slos.get(name);
    if (!slo) return [item.doc.problem(where, `unknown SLO "${name}"${didYouMean(name, [...slos.keys()])}`)];
    if (!slo.definition.alertWindows.some((alert) => alert.severity === severity)) {
      return [item.doc.problem(where, `SLO "${name}" has no ${severity} alert, so it can never trigger a failover`, { severity: 'warning' })];
    }
    return [];
  });
}

function providerProblems(item: ConfigItem): Problem[] {
  const failover = item.config.failover;
  if (!failover) return [];
  const kind = PROVIDER_KINDS.get(failover.provider.kind);
  const problems = kind?.check(failover.provider.config, { regions: item.config.regions, steps: failover.steps }) ?? [];
  return problems.map((problem) =>
    item.doc.problem(['spec', ...problem.path], describeSetupProblem(problem), { severity: problem.severity ?? 'error' }),
  );
}

export function failoverProblems(items: readonly LoadedItem[]): Problem[] {
  const slos = new Map<string, SloItem>();
  for (const item of items) if (item.type === 'slo' && !slos.has(item.definition.name)) slos.set(item.definition.name, item);
  const problems: Problem[] = [];
  for (const item of items) {
    if (item.type !== 'config' || !item.config.failover) continue;
    problems.push(...triggerProblems(item, slos), ...providerProblems(item));
    if (item.config.failover.triggers.quorum === 1) {
      problems.push(
        item.doc.problem(
          ['spec', 'failover', 'triggers', 'quorum'],
          "quorum 1: one vantage's view can drain a region, including a vantage with network trouble of its own (2 or more guards against that)",
          { severity: 'warning' },
        ),
      );
    }
  }
  return problems;
}
