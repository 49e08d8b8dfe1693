// What the server builds around a metric SLI source, in memory: a store, a puller reading the one source
// into it, and an engine evaluating the SLO from it.
import { Registry } from 'prom-client';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { SloEngine } from '../../src/slo/engine/engine.js';
import type { SloDefinition } from '../../src/slo/model.js';
import { SourcePuller } from '../../src/slo/sources/puller.js';
import type { MetricSource } from '../../src/slo/sources/source.js';
import { BucketStore } from '../../src/store/bucket-store.js';
import { openDatabase } from '../../src/store/database.js';
import { SourceProgressStore } from '../../src/store/source-progress-store.js';

export interface PullRigOptions {
  slo: SloDefinition;
  /** The key the SLO's indicator names the source by. */
  sourceKind: string;
  source: MetricSource;
  clock: Clock;
}

export interface PullRig {
  store: BucketStore;
  registry: Registry;
  engine: SloEngine;
  puller: SourcePuller;
  close(): Promise<void>;
}

export function startPullRig({ slo, sourceKind, source, clock }: PullRigOptions): PullRig {
  const db = openDatabase(':memory:');
  const store = new BucketStore(db);
  const registry = new Registry();
  const engine = new SloEngine({ store, definitions: [slo] });
  const puller = new SourcePuller({
    store,
    progress: new SourceProgressStore(db),
    sources: new Map([[sourceKind, source]]),
    definitions: [slo],
    clock,
    logger: silentLogger(),
    intervalMs: 60_000,
    registry,
  });
  return {
    store,
    registry,
    engine,
    puller,
    async close() {
      await puller.close();
      engine.close();
      db.close();
    },
  };
}
