// The server's control loop in virtual time: the real store, SLO engine, failover controller (file provider
// in a temporary folder) and drill runner, advanced one evaluation at a time by whoever feeds it counts.
// `vigil simulate` drives it with synthetic probe results; the drill tests with pushed events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VigilConfig } from '../../config/kinds/vigil-config.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { budgetSpent } from '../../slo/budget-spent.js';
import { SloEngine } from '../../slo/engine/engine.js';
import type { SloDefinition } from '../../slo/model.js';
import { reportDocument, type SloReport } from '../../slo/report-format.js';
import { AuditLog } from '../../store/audit-log.js';
import { BucketStore } from '../../store/bucket-store.js';
import { type Db, openDatabase } from '../../store/database.js';
import { DrillStore } from '../../store/drill-store.js';
import { createFailoverController, type FailoverController } from '../controller.js';
import { DrillRunner, type DrillRunnerOptions } from '../drills/runner.js';
import type { TickOutcome } from '../orchestrator.js';

export interface VirtualRigOptions {
  config: VigilConfig;
  slos: readonly SloDefinition[];
  start: number;
  /** A store to reuse (a restart in a test); default a new in-memory one, closed with the rig. */
  db?: Db;
  /** Where the weights file goes, kept (a restart in a test); default a temporary folder, removed with the rig. */
  root?: string;
  approvals?: DrillRunnerOptions['approvals'];
  onDrillChange?: DrillRunnerOptions['onChange'];
  newId?: DrillRunnerOptions['newId'];
}

export class VirtualRig {
  readonly clock: ManualClock;
  readonly db: Db;
  readonly store: BucketStore;
  readonly engine: SloEngine;
  readonly controller: FailoverController;
  readonly drills: DrillRunner | null;
  private latest: SloReport | null = null;
  private readonly outcomes: TickOutcome[] = [];
  private readonly dir: string;
  private readonly ownsDb: boolean;
  private readonly ownsDir: boolean;

  constructor(options: VirtualRigOptions) {
    const { config } = options;
    if (!config.failover) throw new Error('the configuration has no spec.failover');
    this.ownsDir = options.root === undefined;
    this.dir = options.root ?? mkdtempSync(path.join(tmpdir(), 'vigil-rig-'));
    this.ownsDb = options.db === undefined;
    this.db = options.db ?? openDatabase(':memory:');
    this.clock = new ManualClock(options.start);
    this.store = new BucketStore(this.db);
    this.engine = new SloEngine({ store: this.store, definitions: [...options.slos] });
    // Weights go to a file in a throwaway folder, whatever provider the configuration names.
    const failover = { ...config.failover, provider: { kind: 'file', config: { kind: 'file', path: 'weights.json' } } };
    const controller = createFailoverController({ config: { ...config, failover }, root: this.dir, db: this.db, engine: this.engine, clock: this.clock, logger: silentLogger() });
    if (!controller) throw new Error('no failover controller');
    this.controller = controller;
    controller.observe((outcome) => this.outcomes.push(outcome));
    this.drills =
      config.drills.length === 0
        ? null
        : new DrillRunner({
            drills: config.drills,
            blackouts: config.drillBlackouts,
            policy: { regions: config.regions, failover: config.failover },
            failover: controller,
            store: new DrillStore(this.db),
            audit: new AuditLog(this.db),
            clock: this.clock,
            logger: silentLogger(),
            report: () => this.latest,
            budgetSpent: (from, to) => budgetSpent(this.store, options.slos, this.latest, from, to),
            approvals: options.approvals,
            onChange: options.onDrillChange,
            newId: options.newId,
          });
  }

  report(): SloReport | null {
    return this.latest;
  }

  /**
   * One evaluation at `at`, as the server does it: the engine, then a failover round, then the drills.
   * Answers with every outcome the controller had since the last evaluation (rounds, and drills' or
   * anyone's commands).
   */
  async evaluate(at: number): Promise<{ report: SloReport; outcomes: TickOutcome[] }> {
    this.clock.set(at);
    this.latest = reportDocument(at, this.engine.evaluate(at));
    await this.controller.round();
    await this.drills?.tick();
    return { report: this.latest, outcomes: this.outcomes.splice(0) };
  }

  /** The controller's outcomes since the last evaluation (commands given in between). */
  takeOutcomes(): TickOutcome[] {
    return this.outcomes.splice(0);
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.controller.close(1000);
    if (this.ownsDb) this.db.close();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
