// `vigil up` on one machine: a prober per vantage region inside the server process, committing results
// straight into the store through the same batch ids and SLO mapping as POST /api/v1/results, and
// following the catalog as probes/ changes. With spec.demo, the regions' local stand-ins start first.
import { type StandIn, startStandIns } from '../demo/stand-ins.js';
import type { Logger } from '../lib/logger.js';
import type { ProberMetrics } from '../prober/metrics.js';
import type { ProbeResult } from '../prober/model.js';
import { localSink } from '../prober/sinks.js';
import { type ResultExporter, VantageProber } from '../prober/vantage-prober.js';
import type { BucketStore } from '../store/bucket-store.js';
import type { Catalog } from './catalog.js';

export interface InProcessProbersOptions {
  vantages: readonly string[];
  /** Region → loopback port of the demo stand-ins to start (vigil.yaml spec.demo.services). */
  demoServices?: Readonly<Record<string, number>> | undefined;
  catalog: Catalog;
  store: BucketStore;
  metrics: ProberMetrics;
  logger: Logger;
  /** Hears every committed batch (the /probes page's board). */
  onResults?: (results: readonly ProbeResult[]) => void;
  /** Hears every result as produced (e.g. the Cloud Monitoring exporter); the caller closes it after `close()`. */
  exporter?: ResultExporter | null;
}

export interface InProcessProbers {
  probers: VantageProber[];
  standIns: StandIn[];
  /** Stops probing and commits what is waiting, then stops the stand-ins. Call before the store closes. */
  close(): Promise<void>;
}

export async function startInProcessProbers(options: InProcessProbersOptions): Promise<InProcessProbers> {
  const { catalog, store, logger } = options;
  const standIns = options.demoServices ? await startStandIns(options.demoServices, logger) : [];
  const sink = localSink(store, () => catalog.snapshot().probeIndex, options.onResults);
  const probers = options.vantages.map(
    (vantage) => new VantageProber({ vantage, sink, metrics: options.metrics, logger, batchAgeMs: 1000, exporter: options.exporter ?? null }),
  );
  const apply = () => {
    const definitions = catalog.snapshot().probes.map((p) => p.definition);
    for (const prober of probers) prober.setProbes(definitions);
  };
  apply();
  const unsubscribe = catalog.onChange(apply);
  const targets = probers.reduce((sum, p) => sum + p.targets().length, 0);
  logger.info({ vantages: options.vantages, targets }, 'in-process probers started');
  return {
    probers,
    standIns,
    async close() {
      unsubscribe();
      await Promise.all(probers.map((p) => p.close(2000)));
      await Promise.all(standIns.map((s) => s.close()));
    },
  };
}
