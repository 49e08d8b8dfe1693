// Checks that tie ratio SLOs to vigil.yaml's metric sources: the source an SLO pulls from is configured,
// Prometheus queries are counter selectors (Vigil counts their raw samples), and a failover trigger fed by
// metrics says which vantage measured (else it can never reach a quorum).
import { DAY_MS, formatDuration, MINUTE_MS } from '../lib/duration.js';
import { counterSelector, PromqlShapeError } from '../lib/promql-selector.js';
import { longestPeriodMinutes } from '../slo/math/windows.js';
import { SOURCE_KINDS } from '../slo/sources/index.js';
import type { LoadedItem } from './kinds/index.js';
import type { Problem } from './problems.js';

type ConfigItem = Extract<LoadedItem, { type: 'config' }>;
type SloItem = Extract<LoadedItem, { type: 'slo' }>;

function unconfiguredSources(config: ConfigItem, slos: readonly SloItem[]): Problem[] {
  const configured = Object.keys(config.config.sources);
  return slos.flatMap((slo): Problem[] => {
    const indicator = slo.definition.indicator;
    if (indicator.kind !== 'ratio' || configured.includes(indicator.source)) return [];
    return [
      slo.doc.problem(
        ['spec', 'indicator', 'ratio', 'source'],
        `source "${indicator.source}" is not configured in spec.sources of ${config.doc.file} (configured: ${configured.join(', ') || 'none'}): the SLO would never have data`,
      ),
    ];
  });
}

function triggersWithoutVantage(config: ConfigItem, slos: ReadonlyMap<string, SloItem>): Problem[] {
  const failover = config.config.failover;
  if (!failover) return [];
  return failover.triggers.slos.flatMap((name, index): Problem[] => {
    const indicator = slos.get(name)?.definition.indicator;
    if (indicator?.kind !== 'ratio' || indicator.vantageLabel !== null) return [];
    return [
      config.doc.problem(
        ['spec', 'failover', 'triggers', 'slos', index],
        `SLO "${name}" reads ${indicator.source} without indicator.ratio.vantageLabel: its counts have no vantage, so it can never reach the quorum of ${failover.triggers.quorum}`,
        { severity: 'warning' },
      ),
    ];
  });
}

const span = (ms: number) => (ms >= DAY_MS && ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : formatDuration(ms));

/** A window longer than what the source keeps can never be filled: its oldest minutes are gone. */
function retentionShorterThanWindow(config: ConfigItem, slos: readonly SloItem[]): Problem[] {
  return slos.flatMap((slo): Problem[] => {
    const indicator = slo.definition.indicator;
    if (indicator.kind !== 'ratio' || !(indicator.source in config.config.sources)) return [];
    const retentionMs = SOURCE_KINDS.get(indicator.source)?.declaredRetentionMs(config.config.sources[indicator.source]) ?? null;
    const windowMs = longestPeriodMinutes(slo.definition) * MINUTE_MS;
    if (retentionMs === null || retentionMs >= windowMs) return [];
    return [
      slo.doc.problem(
        ['spec', 'window'],
        `${indicator.source} keeps ${span(retentionMs)} but the window is up to ${span(windowMs)}: the SLI and budget can only count the last ${span(retentionMs)}`,
        { severity: 'warning' },
      ),
    ];
  });
}

/** Vigil reads the raw samples of a counter selector (also the one inside `sum(rate(…[w]))`); other expressions cannot be read so. */
function selectorProblems(slo: SloItem): Problem[] {
  const indicator = slo.definition.indicator;
  if (indicator.kind !== 'ratio' || indicator.source !== 'prometheus') return [];
  const native = (slo.doc.value as { apiVersion?: unknown } | null)?.apiVersion === 'vigil/v1';
  return (['good', 'total'] as const).flatMap((field): Problem[] => {
    try {
      counterSelector(indicator[field]);
      return [];
    } catch (error) {
      if (!(error instanceof PromqlShapeError)) throw error;
      const where = native ? ['spec', 'indicator', 'ratio', field] : ['spec', 'indicator'];
      return [
        slo.doc.problem(
          where,
          `${field}${error.message.startsWith('is ') ? ' ' : ': '}${error.message}: Vigil counts a counter's raw samples exactly, so write one such as http_requests_total{job="api"}`,
        ),
      ];
    }
  });
}

export function sourceProblems(items: readonly LoadedItem[]): Problem[] {
  const slos = items.filter((item): item is SloItem => item.type === 'slo');
  const byName = new Map<string, SloItem>();
  for (const slo of slos) if (!byName.has(slo.definition.name)) byName.set(slo.definition.name, slo);
  const shapes = slos.flatMap(selectorProblems);
  // Without a vigil.yaml among the files (definitions checked on their own), there is no spec.sources to hold them to.
  const config = items.find((item): item is ConfigItem => item.type === 'config');
  if (!config) return shapes;
  return [...shapes, ...unconfiguredSources(config, slos), ...retentionShorterThanWindow(config, slos), ...items.filter((item): item is ConfigItem => item.type === 'config').flatMap((c) => triggersWithoutVantage(c, byName))];
}
