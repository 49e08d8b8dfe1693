// Runs every (probe, target) of one vantage on its interval: spread over the interval by a stable hash,
// one attempt at a time (a late slot is skipped and counted, never queued), the timeout enforced, and
// reloads applied without disturbing the targets that did not change.
import { type Logger, silentLogger } from '../lib/logger.js';
import { type AttemptContext, AttemptControllers, AttemptDeadlines, type AttemptOwner, AttemptSlot, OVERRUN_GRACE_MS } from './attempt.js';
import { DueQueue } from './due-queue.js';
import { fingerprint } from './fingerprint.js';
import { PROBE_KINDS } from './kinds/index.js';
import type { ProbeKind, ProbeRunner, ProbeType } from './kinds/kind.js';
import { type ProbeDefinition, type ProbeTarget, runsFrom } from './model.js';
import type { Outcome } from './outcome.js';
import { nextSlot, phaseOffset } from './phase.js';
import { realTimers, type TimerHandle, type Timers } from './timers.js';

/** What identifies one scheduled (probe, target) in results and metrics. */
export interface TargetLabels {
  probe: string;
  type: ProbeType;
  target: string;
  targetRegion: string;
  vantage: string;
}

/** Hears what the scheduler does; the agent's metrics implement it. Calls must not block. */
export interface SchedulerObserver {
  attempted(labels: TargetLabels, outcome: Outcome): void;
  /** Slots that passed without an attempt because the previous one was still running (or the process stalled). */
  skipped(labels: TargetLabels, slots: number): void;
  /** The runner did not answer within timeout + grace; a timeout was recorded without it. */
  overran(labels: TargetLabels): void;
  /** Actual start − planned start of an attempt, in ms. */
  started(vantage: string, lateMs: number): void;
  removed(labels: TargetLabels): void;
  scheduled(vantage: string, targets: number): void;
}

/** Hears each attempt's end: where it was, when it started (ms since the epoch) and how it went. */
export type ResultListener = (labels: TargetLabels, startedAt: number, outcome: Outcome) => void;

export interface SchedulerOptions {
  vantage: string;
  onResult: ResultListener;
  kinds?: ReadonlyMap<ProbeType, ProbeKind>;
  timers?: Timers;
  /** Source of the per-slot jitter, in [0, 1). */
  random?: () => number;
  observer?: SchedulerObserver;
  logger?: Logger;
  /** Largest random delay added to a planned start, as a share of the interval (default 1 %, at most 1 s). */
  jitterShare?: number;
  graceMs?: number;
  /**
   * Starts and deadlines fall due on a grid of this many ms (default 2), so that one wake-up serves every
   * slot due within it: at 2,000 probes a second, 500 wake-ups instead of one per probe. 0: no grid.
   */
  tickMs?: number;
}

export interface ReloadSummary {
  added: number;
  removed: number;
  restarted: number;
  kept: number;
}

/** What a task runs: the probe's type, timing and settings as text (one string for all its targets), and the target's own fields. */
interface RunSpec {
  shared: string;
  fields: unknown;
}

/** Whether two specs run the same thing: the target's fields are compared as text only when they differ as objects. */
function sameSpec(a: RunSpec, b: RunSpec): boolean {
  return a.shared === b.shared && (a.fields === b.fields || fingerprint(a.fields) === fingerprint(b.fields));
}

/** One scheduled (probe, target): its place in the queue, its runner's slot and its results. */
class Task implements AttemptOwner {
  /** When the task is next due (its place in the queue). */
  due = 0;
  /** The current slot on the epoch-anchored grid, before jitter. */
  slot = 0;
  /** A restarted task waits for its predecessor's attempt, so a (probe, target) never runs twice at once. */
  predecessor: Promise<unknown> | null = null;
  retired = false;
  readonly attempts: AttemptSlot;

  constructor(
    readonly key: string,
    readonly spec: RunSpec,
    readonly labels: TargetLabels,
    public probe: ProbeDefinition,
    runner: ProbeRunner,
    readonly offsetMs: number,
    private readonly scheduler: Scheduler,
    context: AttemptContext,
  ) {
    this.attempts = new AttemptSlot(runner, this, context);
  }

  attemptEnded(outcome: Outcome, startedAt: number, overran: boolean, runnerError: unknown): void {
    this.scheduler.record(this, outcome, startedAt, overran, runnerError);
  }
}

const MAX_JITTER_MS = 1000;

export class Scheduler {
  private readonly vantage: string;
  private readonly kinds: ReadonlyMap<ProbeType, ProbeKind>;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly jitterShare: number;
  private readonly graceMs: number;
  private readonly tasks = new Map<string, Task>();
  private readonly queue = new DueQueue<Task>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly deadlines = new AttemptDeadlines();
  private readonly context: AttemptContext;
  private readonly tickMs: number;
  private armed: { due: number; handle: TimerHandle } | null = null;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.vantage = options.vantage;
    this.kinds = options.kinds ?? PROBE_KINDS;
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger();
    this.jitterShare = options.jitterShare ?? 0.01;
    this.graceMs = options.graceMs ?? OVERRUN_GRACE_MS;
    this.tickMs = options.tickMs ?? 2;
    this.context = { timers: this.timers, deadlines: this.deadlines, controllers: new AttemptControllers(), graceMs: this.graceMs };
  }

  /** The (probe, target) pairs currently scheduled. */
  targets(): TargetLabels[] {
    return [...this.tasks.values()].map((t) => t.labels);
  }

  /** Attempts a second that the scheduled targets make at their intervals. */
  probesPerSecond(): number {
    let rate = 0;
    for (const task of this.tasks.values()) rate += 1000 / task.probe.intervalMs;
    return rate;
  }

  /**
   * Applies a new set of definitions: new targets start, removed ones stop (runners closed, no more
   * results), changed ones restart with a new runner, unchanged ones keep their runner and phase.
   */
  setProbes(definitions: readonly ProbeDefinition[]): ReloadSummary {
    if (this.stopped) throw new Error('the scheduler is closed');
    const wanted = new Map<string, { probe: ProbeDefinition; target: ProbeTarget; spec: RunSpec }>();
    for (const probe of definitions) {
      if (!runsFrom(probe, this.vantage)) continue;
      // One text for what all of a probe's targets share: 10,000 targets hold one copy, not 10,000.
      const shared = fingerprint([probe.type, probe.intervalMs, probe.timeoutMs, probe.settings]);
      for (const target of probe.targets) {
        wanted.set(taskKey(probe.name, target), { probe, target, spec: { shared, fields: target.fields } });
      }
    }
    const summary: ReloadSummary = { added: 0, removed: 0, restarted: 0, kept: 0 };
    const predecessors = new Map<string, Promise<unknown>>();
    for (const [key, task] of this.tasks) {
      const want = wanted.get(key);
      if (want && sameSpec(want.spec, task.spec)) {
        task.probe = want.probe;
        summary.kept++;
        continue;
      }
      this.tasks.delete(key);
      const ended = this.retire(task, want === undefined);
      if (want) {
        predecessors.set(key, ended);
        summary.restarted++;
      } else summary.removed++;
    }
    for (const [key, want] of wanted) {
      if (this.tasks.has(key)) continue;
      const task = this.createTask(key, want.probe, want.target, want.spec, predecessors.get(key) ?? null);
      if (!task) continue;
      this.tasks.set(key, task);
      if (!predecessors.has(key)) summary.added++;
    }
    this.options.observer?.scheduled(this.vantage, this.tasks.size);
    this.arm();
    return summary;
  }

  /** Stops scheduling, aborts attempts in flight (their results are dropped) and closes every runner. */
  async close(): Promise<void> {
    this.stopped = true;
    this.armed?.handle.cancel();
    this.armed = null;
    this.queue.clear();
    this.deadlines.clear();
    for (const task of this.tasks.values()) this.retire(task, false);
    this.tasks.clear();
    await Promise.all([...this.retiring]);
  }

  private createTask(
    key: string,
    probe: ProbeDefinition,
    target: ProbeTarget,
    spec: RunSpec,
    predecessor: Promise<unknown> | null,
  ): Task | null {
    const kind = this.kinds.get(probe.type);
    const labels: TargetLabels = { probe: probe.name, type: probe.type, target: target.label, targetRegion: target.region, vantage: this.vantage };
    if (!kind) {
      this.logger.error({ ...labels }, `probe type ${probe.type} is not available in this build: target not scheduled`);
      return null;
    }
    let runner: ProbeRunner;
    try {
      runner = kind.create({ settings: probe.settings, target: target.fields, timeoutMs: probe.timeoutMs });
    } catch (error) {
      this.logger.error({ ...labels, err: error }, 'cannot create a runner: target not scheduled');
      return null;
    }
    const offsetMs = phaseOffset(labels, probe.intervalMs);
    const task = new Task(key, spec, labels, probe, runner, offsetMs, this, this.context);
    task.slot = nextSlot(this.timers.now(), probe.intervalMs, offsetMs);
    if (predecessor) {
      task.predecessor = predecessor;
      void predecessor.then(() => {
        task.predecessor = null;
      });
    }
    this.queue.push(this.planned(task), task);
    return task;
  }

  /** Stops a task; resolves once its runner is closed. */
  private retire(task: Task, report: boolean): Promise<void> {
    task.retired = true;
    if (report) this.options.observer?.removed(task.labels);
    const { attempts } = task;
    attempts.abort();
    // Close after the attempt in flight answers, so a runner is never closed under itself.
    const closing = attempts
      .idle()
      .then(() => attempts.runner.close())
      .catch((error: unknown) => this.logger.warn({ ...task.labels, err: error }, 'closing a runner failed'));
    this.retiring.add(closing);
    void closing.finally(() => this.retiring.delete(closing));
    return closing;
  }

  private planned(task: Task): number {
    const jitterMax = Math.min(task.probe.intervalMs * this.jitterShare, MAX_JITTER_MS);
    return task.slot + this.random() * jitterMax;
  }

  /** Arms the one timer for the earliest start or deadline, on the tick grid. */
  private arm(): void {
    if (this.stopped) return;
    const start = this.queue.peekDue();
    const deadline = this.deadlines.next();
    let due = start === null ? deadline : deadline === null ? start : Math.min(start, deadline);
    if (due === null) return;
    if (this.tickMs > 0) due = Math.ceil(due / this.tickMs) * this.tickMs;
    if (this.armed && this.armed.due <= due) return;
    this.armed?.handle.cancel();
    this.armed = { due, handle: this.timers.setTimer(due - this.timers.now(), this.fire) };
  }

  private readonly fire = (): void => {
    this.armed = null;
    const now = this.timers.now();
    this.deadlines.expire(now);
    for (;;) {
      const task = this.queue.popDue(now);
      if (!task) break;
      if (!task.retired) this.runSlot(task, task.due);
    }
    this.arm();
  };

  private runSlot(task: Task, planned: number): void {
    const interval = task.probe.intervalMs;
    const now = this.timers.now();
    let next = task.slot + interval;
    let missed = 0;
    if (next <= now) {
      // The process stalled for more than an interval: those slots are gone, not owed.
      const resume = nextSlot(now, interval, task.offsetMs);
      missed = Math.round((resume - next) / interval);
      next = resume;
    }
    task.slot = next;
    this.queue.push(this.planned(task), task);
    if (missed > 0) this.options.observer?.skipped(task.labels, missed);
    if (task.attempts.busy || task.predecessor) {
      this.options.observer?.skipped(task.labels, 1);
      return;
    }
    task.attempts.start(task.probe.timeoutMs);
    this.options.observer?.started(this.vantage, this.timers.now() - planned);
  }

  /** An attempt of `task` ended: its result goes out unless the task was removed meanwhile. */
  record(task: Task, outcome: Outcome, startedAt: number, overran: boolean, runnerError: unknown): void {
    if (runnerError) this.logger.error({ ...task.labels, err: runnerError }, 'probe runner rejected instead of returning an outcome');
    if (overran) {
      this.options.observer?.overran(task.labels);
      this.logger.warn({ ...task.labels }, `runner did not finish within timeout + ${this.graceMs} ms: recorded as a timeout`);
    }
    if (task.retired) return;
    this.options.observer?.attempted(task.labels, outcome);
    this.options.onResult(task.labels, startedAt, outcome);
  }
}

function taskKey(probe: string, target: ProbeTarget): string {
  // Joined rather than concatenated: one flat string per target, not a tree of pieces (10,000 targets kept 40,000).
  return [probe, target.region, target.label].join('\u0000');
}
