// Vigil's prober as the benchmark runs it, in its own process: the real Scheduler and http kind (phase
// timings on, a new connection per attempt: the defaults), agent metrics, and the real Shipper batching
// into a sink that serializes each batch and discards it. Prints one WindowReport line after the window.
// Vigil's modules are loaded from the JavaScript tsc compiled (as `vigil` runs), not through tsx, whose
// transform adds work to hot paths (a name-setting call for every closure it creates).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import {
  monitorEventLoopDelay,
  type NodeGCPerformanceDetail,
  PerformanceObserver,
  constants as perfConstants,
} from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { ProbeKind, ProbeType } from '../../src/prober/kinds/kind.js';
import type { ProbeDefinition } from '../../src/prober/model.js';
import type { Outcome } from '../../src/prober/outcome.js';
import type { SchedulerObserver, TargetLabels } from '../../src/prober/scheduler.js';
import { exitWithParent } from './processes.js';
import { addFailure, jitterOf, type WindowReport } from './report.js';

const settingsSchema = z.object({
  /** Root of the compiled src/ tree (tsc's outDir). */
  compiled: z.string(),
  ports: z.array(z.number().int().positive()).min(1),
  rate: z.number().positive().max(20_000),
  intervalMs: z.number().int().min(100).max(60_000),
  timeoutMs: z.number().int().positive(),
  warmupMs: z.number().int().min(0).max(60_000),
  measureMs: z.number().int().positive().max(300_000),
  /** Feed ProberMetrics (prom-client), as an agent does. */
  metrics: z.boolean(),
  /**
   * http: the real kind. noop: an http kind whose attempt answers at once with a success, without a
   * network, to separate what scheduling, metrics and shipping cost from what the attempt costs.
   */
  kind: z.enum(['http', 'noop']),
  /** Print one line per second to stderr (from the start, warm-up included), to see a run unfold. */
  trace: z.boolean(),
  /** Write a CPU profile of the measured window here. */
  profilePath: z.string().nullable(),
});

const VANTAGE = 'bench';

const settings = settingsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const load = (path: string): Promise<unknown> => import(pathToFileURL(join(settings.compiled, path)).href);
const { PROBE_KINDS } = (await load('prober/kinds/index.js')) as typeof import('../../src/prober/kinds/index.js');
const { ProberMetrics } = (await load('prober/metrics.js')) as typeof import('../../src/prober/metrics.js');
const { success } = (await load('prober/outcome.js')) as typeof import('../../src/prober/outcome.js');
const { Scheduler } = (await load('prober/scheduler.js')) as typeof import('../../src/prober/scheduler.js');
const { Shipper } = (await load('prober/shipper.js')) as typeof import('../../src/prober/shipper.js');
const { encodeResult } = (await load('prober/result-json.js')) as typeof import('../../src/prober/result-json.js');
const { limitHeapGrowth } = (await load('prober/heap.js')) as typeof import('../../src/prober/heap.js');
type ProberMetrics = InstanceType<typeof ProberMetrics>;

/** Forwards to the agent's metrics and keeps what the benchmark reports, during the window only. */
class WindowObserver implements SchedulerObserver {
  measuring = false;
  skippedSlots = 0;
  private readonly lateness: Float64Array;
  private samples = 0;

  constructor(
    private readonly metrics: ProberMetrics | null,
    capacity: number,
  ) {
    this.lateness = new Float64Array(capacity);
  }

  attempted(labels: TargetLabels, outcome: Outcome): void {
    this.metrics?.attempted(labels, outcome);
  }
  skipped(labels: TargetLabels, slots: number): void {
    this.metrics?.skipped(labels, slots);
    if (this.measuring) this.skippedSlots += slots;
  }
  overran(labels: TargetLabels): void {
    this.metrics?.overran(labels);
  }
  started(vantage: string, lateMs: number): void {
    this.metrics?.started(vantage, lateMs);
    if (this.measuring && this.samples < this.lateness.length) this.lateness[this.samples++] = lateMs;
  }
  removed(labels: TargetLabels): void {
    this.metrics?.removed(labels);
  }
  scheduled(vantage: string, targets: number): void {
    this.metrics?.scheduled(vantage, targets);
  }

  jitter() {
    return jitterOf(this.lateness, this.samples);
  }
}

function kindsFor(): ReadonlyMap<ProbeType, ProbeKind> {
  const http = PROBE_KINDS.get('http');
  if (!http) throw new Error('the http probe type is not registered');
  if (settings.kind === 'http') return PROBE_KINDS;
  const phases = { dns: 0, connect: 0.05, tls: 0, ttfb: 0.1, transfer: 0.01 };
  const noop: ProbeKind = {
    ...http,
    create: () => ({
      probe: () => Promise.resolve(success(0.16, { status: 200, phases })),
      close: () => Promise.resolve(),
    }),
  };
  return new Map([['http', noop]]);
}

function definition(): ProbeDefinition {
  const http = PROBE_KINDS.get('http');
  if (!http) throw new Error('the http probe type is not registered');
  const count = Math.max(1, Math.round((settings.rate * settings.intervalMs) / 1000));
  const targets = Array.from({ length: count }, (_, i) => {
    const url = `http://127.0.0.1:${settings.ports[i % settings.ports.length]}/healthz/${i}`;
    return { region: 'local', label: url, fields: http.targetSchema.parse({ url }) };
  });
  return {
    name: 'bench-http',
    type: 'http',
    intervalMs: settings.intervalMs,
    timeoutMs: settings.timeoutMs,
    vantages: 'all',
    targets,
    settings: http.settingsSchema.parse({}),
    source: { file: 'bench/prober/vigil-child.ts', line: 1, col: 1 },
  };
}

function traceEverySecond(second: { done: number; ok: number; timeouts: number }): void {
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const gc = { minor: 0, major: 0, pausedMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A gc entry carries its kind in `detail`, which the PerformanceEntry type does not declare.
      const kind = (entry as { detail?: NodeGCPerformanceDetail }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      else gc.major++;
      gc.pausedMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  let at = performance.now();
  const t0 = at;
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    const now = performance.now();
    const core = ((used.user + used.system) / 1000 / (now - at)) * 100;
    process.stderr.write(
      `vigil t=${((now - t0) / 1000).toFixed(0)}s done ${second.done} ok ${second.ok} timeouts ${second.timeouts} ` +
        `core ${core.toFixed(0)}% loop-lag max ${(lag.max / 1e6).toFixed(1)} ms rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB ` +
        `gc ${gc.minor} minor ${gc.major} other, paused ${gc.pausedMs.toFixed(1)} ms (max ${gc.maxMs.toFixed(1)})\n`,
    );
    Object.assign(gc, { minor: 0, major: 0, pausedMs: 0, maxMs: 0 });
    second.done = 0;
    second.ok = 0;
    second.timeouts = 0;
    lag.reset();
    cpu = process.cpuUsage();
    at = now;
  }, 1000).unref();
}

async function main(): Promise<void> {
  exitWithParent();
  // tsx turns source maps on; the installed `vigil` runs compiled JavaScript without them.
  process.setSourceMapsEnabled(false);
  // As `vigil probe` does at start (its --heap-growth default).
  limitHeapGrowth();
  const metrics = settings.metrics ? new ProberMetrics() : null;
  const observer = new WindowObserver(metrics, Math.ceil((settings.rate * settings.measureMs) / 1000) * 2 + 1000);
  const shipper = new Shipper({
    vantage: VANTAGE,
    sink: {
      send: async (batch) => {
        batch.body();
        return { kind: 'committed' };
      },
    },
    observer: metrics?.shipper(VANTAGE) ?? undefined,
  });
  const window = { probes: 0, ok: 0, failures: {} as Record<string, number> };
  const second = { done: 0, ok: 0, timeouts: 0 };
  const scheduler = new Scheduler({
    vantage: VANTAGE,
    kinds: kindsFor(),
    observer,
    onResult: (labels, startedAt, outcome) => {
      shipper.push(encodeResult(labels, startedAt, outcome));
      second.done++;
      if (outcome.ok) second.ok++;
      else if (outcome.failure === 'timeout') second.timeouts++;
      if (!observer.measuring) return;
      window.probes++;
      if (outcome.ok) window.ok++;
      else addFailure(window.failures, outcome.failure ?? 'unknown');
    },
  });
  scheduler.setProbes([definition()]);
  if (settings.trace) traceEverySecond(second);

  await new Promise((resolve) => setTimeout(resolve, settings.warmupMs));
  const session = settings.profilePath ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    // Every 250 us: the default (1 ms) leaves most of a busy window unsampled.
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
  }
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  observer.measuring = true;
  await new Promise((resolve) => setTimeout(resolve, settings.measureMs));
  observer.measuring = false;
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  if (session && settings.profilePath) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(settings.profilePath, JSON.stringify(profile));
    session.disconnect();
  }
  const report: WindowReport = {
    ...window,
    skipped: observer.skippedSlots,
    cpuMicros: cpu.user + cpu.system,
    wallMs,
    jitter: observer.jitter(),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await scheduler.close();
  await shipper.close(1000);
  process.exit(0);
}

await main();
