// CPU per HTTP probe, side by side against one loopback target at one probe rate: the real agent
// (`vigil probe`, shipping to an ingest stand-in), Vigil's prober process (real Scheduler, http kind,
// metrics, Shipper; profiled with --profile), Debian's blackbox_exporter driven through /probe, and the
// floor of a bare socket connect/GET/close in Node; plus Vigil's scheduling jitter. Every prober and the
// target run in their own processes; each run is bounded in time and every child is killed at the end.
// The goal lines compare the agent (Vigil's prober process when the agent is not run) with the bare-socket
// floor at the same rate (CPU per probe, achieved rates) and give its peak RSS for the number of targets
// that rate means at the interval.
// Run: npm run bench:prober -- [--rates 2000,200] [--seconds 3 intervals] [--warmup interval+1] [--interval 5000]
//      [--repeat 1] [--variants agent,vigil,vigil-sched,blackbox,floor,floor-undici] [--no-metrics] [--trace] [--profile DIR]
// vigil-sched is Vigil's process with an attempt that answers at once without a network: what scheduling,
// metrics and shipping cost on their own. floor-undici is the HTTP library alone (see floor-child.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runAgent } from './prober/agent.js';
import { BLACKBOX_BINARY, runBlackbox } from './prober/blackbox.js';
import { spawnChild, spawnScript } from './prober/processes.js';
import { summarizeProfile } from './prober/profile-summary.js';
import { parseWindowReport, type WindowReport } from './prober/report.js';
import { type CompiledBench, compileVigil } from './prober/vigil-build.js';
import { wakeCostMicros } from './prober/wake-cost.js';

const GOAL_RATIO = 0.25;
/** Issue 13: Vigil's CPU per probe at most this many times the bare-socket floor's, at the same rate. */
const GOAL_FLOOR_RATIO = 1.2;
/** Issue 13: peak RSS ceilings in MiB by number of targets. */
const GOAL_RSS_MIB = new Map([
  [10_000, 150],
  [1_000, 100],
]);
/** A rate is kept when at least this share of the requested probes completed in the window. */
const KEPT_RATE_SHARE = 0.99;
const GOAL_JITTER_P99_MS = 5;
const GOAL_RATE = 2000;
const TIMEOUT_MS = 2000;

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '2000,200' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    interval: { type: 'string', default: '5000' },
    repeat: { type: 'string', default: '1' },
    variants: { type: 'string', default: 'agent,vigil,vigil-sched,blackbox,floor,floor-undici' },
    'no-metrics': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});

function bounded(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got "${text}"`);
  return value;
}

const rates = (args.rates ?? '').split(',').map((r) => bounded(r, 'rates', 1, 10_000));
const intervalMs = bounded(args.interval ?? '', 'interval', TIMEOUT_MS + 100, 60_000);
// Whole intervals by default: each target then starts the same number of attempts in the window. Over 2.4
// intervals the count depended on how the targets' phases fell (2 or 3 each), up to 2 % off the rate.
const measureMs = args.seconds === undefined ? 3 * intervalMs : bounded(args.seconds, 'seconds', 1, 120) * 1000;
// By default every target has made its first attempt (which builds its client) before the window opens.
const warmupMs = args.warmup === undefined ? intervalMs + 1000 : bounded(args.warmup, 'warmup', 0, 60) * 1000;
const repeats = bounded(args.repeat ?? '', 'repeat', 1, 5);
const variants = new Set((args.variants ?? '').split(','));
const metrics = !args['no-metrics'];
const childDeadlineMs = warmupMs + measureMs + 30_000;

type Variant = 'agent' | 'vigil' | 'vigil-sched' | 'blackbox' | 'floor' | 'floor-undici';
interface Row {
  variant: Variant;
  run: number;
  report: WindowReport;
}

async function startTarget(): Promise<{ ports: number[]; stop: () => Promise<void> }> {
  const target = spawnScript(new URL('./prober/target-server.ts', import.meta.url), { ports: 4 });
  const line = await target.nextLine(20_000);
  const ports = (JSON.parse(line) as { ports: number[] }).ports;
  return { ports, stop: () => target.stop() };
}

async function runChild(script: 'bench/prober/vigil-child.ts' | 'bench/prober/floor-child.ts', settings: Record<string, unknown>): Promise<WindowReport> {
  const child = spawnChild(process.execPath, [compiled().child(script), JSON.stringify(settings)]);
  try {
    return parseWindowReport(await child.nextLine(childDeadlineMs));
  } finally {
    await child.stop();
  }
}

function runVigil(ports: number[], rate: number, kind: 'http' | 'noop', profilePath: string | null): Promise<WindowReport> {
  return runChild('bench/prober/vigil-child.ts', { compiled: compiled().src, ports, rate, intervalMs, timeoutMs: TIMEOUT_MS, warmupMs, measureMs, metrics, kind, profilePath, trace: args.trace ?? false });
}

let compiledBench: CompiledBench | null = null;
function compiled(): CompiledBench {
  compiledBench ??= compileVigil();
  return compiledBench;
}

function runFloor(ports: number[], rate: number, client: 'socket' | 'undici'): Promise<WindowReport> {
  return runChild('bench/prober/floor-child.ts', { ports, rate, timeoutMs: TIMEOUT_MS, warmupMs, measureMs, client });
}

const perProbe = (r: WindowReport) => (r.probes > 0 ? r.cpuMicros / r.probes : Number.NaN);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[(s.length - 1) / 2] ?? Number.NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function printTable(rate: number, rows: Row[]): void {
  const blackbox = median(rows.filter((r) => r.variant === 'blackbox').map((r) => perProbe(r.report)));
  const floor = median(rows.filter((r) => r.variant === 'floor').map((r) => perProbe(r.report)));
  console.log(`\n== ${rate} probes/s, ${measureMs / 1000} s measured after ${warmupMs / 1000} s warm-up (load average now ${loadavg()[0]?.toFixed(1)}) ==`);
  const head = ['variant', 'probes done', 'probes/s', 'ok %', 'skipped', 'CPU us/probe', 'core %', 'x floor', 'ratio to bbe', 'jitter p50/p99/max ms', 'peak RSS MiB'];
  const widths = [16, 12, 9, 7, 8, 13, 7, 8, 13, 23, 13];
  const line = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 10) : c.padStart(widths[i] ?? 10))).join(''));
  line(head);
  for (const { variant, run, report } of rows) {
    const cost = perProbe(report);
    const jitter = report.jitter ? `${fmt(report.jitter.p50, 2)}/${fmt(report.jitter.p99, 2)}/${fmt(report.jitter.max, 1)}` : '';
    line([
      `${variant}${repeats > 1 ? ` #${run}` : ''}`,
      String(report.probes),
      fmt((report.probes / report.wallMs) * 1000),
      fmt((report.ok / Math.max(1, report.probes)) * 100, 1),
      String(report.skipped),
      fmt(cost, 1),
      fmt((report.cpuMicros / 1000 / report.wallMs) * 100),
      fmt(cost / floor, 2),
      variant === 'blackbox' ? '1' : fmt(cost / blackbox, 3),
      jitter,
      fmt(report.maxRssMb),
    ]);
    const failures = Object.entries(report.failures);
    if (failures.length > 0) console.log(`${''.padEnd(16)}failures: ${failures.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  const agent = rows.filter((r) => r.variant === 'agent').map((r) => r.report);
  const vigil = rows.filter((r) => r.variant === 'vigil').map((r) => r.report);
  const judged = agent.length > 0 ? { name: 'the agent', reports: agent } : { name: "Vigil's prober process", reports: vigil };
  if (judged.reports.length > 0) printFloorGoals(rate, judged, rows.filter((r) => r.variant === 'floor').map((r) => r.report));
  if (vigil.length === 0) return;
  const costs = vigil.map(perProbe);
  const ratio = median(costs) / blackbox;
  const spread = costs.length > 1 ? ` (runs ${costs.map((c) => fmt(c, 1)).join(', ')})` : '';
  console.log(`goal  CPU: Vigil <= ${GOAL_RATIO} x blackbox_exporter per probe. Measured: ${fmt(median(costs), 1)} us vs ${fmt(blackbox, 1)} us = ${fmt(ratio, 3)}${spread} -> ${Number.isFinite(ratio) ? (ratio <= GOAL_RATIO ? 'MET' : 'NOT MET') : 'not measured'}`);
  const p99s = vigil.map((r) => r.jitter?.p99 ?? Number.NaN);
  const p99 = Math.max(...p99s);
  const applies = rate >= GOAL_RATE ? '' : ` (the goal is stated at ${GOAL_RATE} probes/s; shown for reference)`;
  console.log(`goal  jitter p99 < ${GOAL_JITTER_P99_MS} ms at ${GOAL_RATE} probes/s. Measured at ${rate}/s: worst p99 ${fmt(p99, 2)} ms${p99s.length > 1 ? ` (runs ${p99s.map((p) => fmt(p, 2)).join(', ')})` : ''} -> ${p99 < GOAL_JITTER_P99_MS ? 'MET' : 'NOT MET'}${applies}`);
}

/** Issue 13's prober goal for one rate: CPU per probe against the socket floor, both rates kept, peak RSS. */
function printFloorGoals(rate: number, judged: { name: string; reports: WindowReport[] }, floors: WindowReport[]): void {
  const { reports } = judged;
  const targets = Math.round((rate * intervalMs) / 1000);
  const achieved = (reports: WindowReport[]) => median(reports.map((r) => (r.probes / r.wallMs) * 1000));
  const vigilRate = achieved(reports);
  const floorRate = achieved(floors);
  const kept = (r: number) => r >= rate * KEPT_RATE_SHARE;
  const vigilCost = median(reports.map(perProbe));
  const floorCost = median(floors.map(perProbe));
  const ratio = vigilCost / floorCost;
  const verdict = Number.isFinite(ratio) ? (ratio <= GOAL_FLOOR_RATIO && kept(vigilRate) && kept(floorRate) ? 'MET' : 'NOT MET') : 'not measured (run the floor variant)';
  console.log(
    `goal  CPU: Vigil <= ${GOAL_FLOOR_RATIO} x bare-socket floor per probe at ${rate}/s, keeping the rate. Measured (${judged.name}): ${fmt(vigilCost, 1)} us vs ${fmt(floorCost, 1)} us = ${fmt(ratio, 2)} x; ` +
      `rates achieved ${fmt(vigilRate)}/s (Vigil) and ${fmt(floorRate)}/s (floor) of ${rate}/s -> ${verdict}`,
  );
  const rss = Math.max(...reports.map((r) => r.maxRssMb));
  const ceiling = GOAL_RSS_MIB.get(targets);
  const rssVerdict = ceiling === undefined ? 'no goal stated for this many targets' : rss <= ceiling ? 'MET' : 'NOT MET';
  console.log(`goal  peak RSS with ${targets} targets <= ${ceiling ?? '-'} MiB. Measured (${judged.name}): ${fmt(rss)} MiB -> ${rssVerdict}`);
}

function printProfile(path: string): void {
  const summary = summarizeProfile(path, 25);
  console.log(`\nCPU profile of Vigil's measured window: ${path} (busy ${fmt(summary.busyMs)} ms of main-thread samples)`);
  console.log('self time by module:');
  for (const m of summary.byModule.slice(0, 15)) console.log(`  ${fmt(m.share * 100, 1).padStart(5)} %  ${m.name}`);
  console.log('self time by function:');
  for (const f of summary.byFunction) console.log(`  ${fmt(f.share * 100, 1).padStart(5)} %  ${f.name}`);
}

async function main(): Promise<void> {
  const haveBlackbox = existsSync(BLACKBOX_BINARY);
  if (variants.has('blackbox') && !haveBlackbox) console.log(`${BLACKBOX_BINARY} is not installed: the blackbox_exporter column is left out`);
  const target = await startTarget();
  console.log(`node ${process.version}; target pid on ports ${target.ports.join(',')}; Vigil: ${Math.round((rates[0] ?? 0) * intervalMs / 1000)} targets at ${rates[0]}/s (interval ${intervalMs} ms, timeout ${TIMEOUT_MS} ms), metrics ${metrics ? 'on' : 'off'}, phases on, new connection per attempt`);
  console.log(`this machine: ${fmt(wakeCostMicros(), 1)} us CPU per event-loop wake-up of an idle Node process (1 ms timer); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    for (const rate of rates) {
      const rows: Row[] = [];
      for (let run = 1; run <= repeats; run++) {
        if (variants.has('agent')) {
          const settings = { compiled: compiled().src, ports: target.ports, rate, intervalMs, timeoutMs: TIMEOUT_MS, warmupMs, measureMs };
          rows.push({ variant: 'agent', run, report: await runAgent(settings) });
        }
        if (variants.has('vigil')) rows.push({ variant: 'vigil', run, report: await runVigil(target.ports, rate, 'http', null) });
        if (variants.has('vigil-sched')) rows.push({ variant: 'vigil-sched', run, report: await runVigil(target.ports, rate, 'noop', null) });
        if (variants.has('blackbox') && haveBlackbox) {
          rows.push({
            variant: 'blackbox',
            run,
            report: await runBlackbox({ ports: target.ports, rate, timeoutMs: TIMEOUT_MS, warmupMs, measureMs, connections: 256 }),
          });
        }
        if (variants.has('floor')) rows.push({ variant: 'floor', run, report: await runFloor(target.ports, rate, 'socket') });
        if (variants.has('floor-undici')) rows.push({ variant: 'floor-undici', run, report: await runFloor(target.ports, rate, 'undici') });
      }
      printTable(rate, rows);
    }
    if (args.profile) {
      mkdirSync(args.profile, { recursive: true });
      const rate = rates[0] ?? GOAL_RATE;
      const path = join(args.profile, `vigil-${rate}-${Date.now()}.cpuprofile`);
      const report = await runVigil(target.ports, rate, 'http', path);
      console.log(`\nprofiled run (not in the tables; the profiler adds its own cost): ${report.probes} probes, ${fmt(perProbe(report), 1)} us/probe`);
      printProfile(path);
    }
  } finally {
    await target.stop();
  }
}

await main();
