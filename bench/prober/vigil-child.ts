// Vigil's prober as the benchmark runs it, in its own process: the real Scheduler and http kind (phase
// timings on, a new connection per attempt: the defaults), agent metrics, and the real Shipper batching
// into a sink that serializes each batch and discards it. Prints one WindowReport line after the window.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { z } from 'zod';
import { PROBE_KINDS } from '../../src/prober/kinds/index.js';
import { ProberMetrics } from '../../src/prober/metrics.js';
import type { ProbeDefinition, ProbeResult } from '../../src/prober/model.js';
import type { Outcome } from '../../src/prober/outcome.js';
import { Scheduler, type SchedulerObserver, type TargetLabels } from '../../src/prober/scheduler.js';
import { Shipper } from '../../src/prober/shipper.js';
import { exitWithParent } from './processes.js';
import { addFailure, jitterOf, type WindowReport } from './report.js';

const settingsSchema = z.object({
  ports: z.array(z.number().int().positive()).min(1),
  rate: z.number().positive().max(20_000),
  intervalMs: z.number().int().min(100).max(60_000),
  timeoutMs: z.number().int().positive(),
  warmupMs: z.number().int().min(0).max(60_000),
  measureMs: z.number().int().positive().max(300_000),
  /** Feed ProberMetrics (prom-client), as an agent does. */
  metrics: z.boolean(),
  /** Write a CPU profile of the measured window here. */
  profilePath: z.string().nullable(),
});
type Settings = z.infer<typeof settingsSchema>;

const VANTAGE = 'bench';

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

  attempted(labels: TargetLabels, result: ProbeResult, outcome: Outcome): void {
    this.metrics?.attempted(labels, result, outcome);
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

function definition(settings: Settings): ProbeDefinition {
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

async function main(): Promise<void> {
  const settings = settingsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  exitWithParent();
  // tsx turns source maps on; the installed `vigil` runs compiled JavaScript without them.
  process.setSourceMapsEnabled(false);
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
  const scheduler = new Scheduler({
    vantage: VANTAGE,
    observer,
    onResult: (result) => {
      shipper.push(result);
      if (!observer.measuring) return;
      window.probes++;
      if (result.ok) window.ok++;
      else addFailure(window.failures, result.failure ?? 'unknown');
    },
  });
  scheduler.setProbes([definition(settings)]);

  await new Promise((resolve) => setTimeout(resolve, settings.warmupMs));
  const session = settings.profilePath ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
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
