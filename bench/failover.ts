// Benchmark: the shipped failover scenarios (test/scenarios/*.yaml) replayed through simulate() — the real
// engine, policy, orchestrator and file provider in virtual time. Prints, per scenario, how many seconds
// after onset each drain was decided, how many drains, which safety rules blocked what, and wall time.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadSimulation } from '../src/failover/simulate/load.js';
import { simulate } from '../src/failover/simulate/simulator.js';

const DIR = process.env.BENCH_SCENARIOS ?? 'test/scenarios';

interface Row {
  scenario: string;
  drains: number;
  detection: string;
  blocked: string;
  finalWeights: string;
  wallMs: number;
  simulated: string;
  firstDetectionSeconds: number | null;
  /** Shortest time between two drains of one region, in minutes; null with fewer than two. */
  shortestGapMinutes: number | null;
}

async function runScenario(file: string): Promise<Row> {
  const input = await loadSimulation(file);
  const { scenario } = input;
  const started = performance.now();
  const report = await simulate(input);
  const wallMs = performance.now() - started;
  const { drains, blocked, finalWeights } = report.summary;
  const rules = new Map<string, number>();
  for (const b of blocked) rules.set(`${b.region ?? '*'}:${b.rule}`, (rules.get(`${b.region ?? '*'}:${b.rule}`) ?? 0) + 1);
  return {
    scenario: scenario.metadata.name,
    drains: drains.length,
    detection: drains.map((d) => `${d.region} ${d.detectionSeconds === null ? '?' : `${d.detectionSeconds} s`}`).join(', ') || '-',
    blocked: [...rules].map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule)).join(', ') || '-',
    finalWeights: Object.entries(finalWeights)
      .map(([region, weight]) => `${region}=${weight}`)
      .join(' '),
    wallMs,
    simulated: `${(scenario.spec.duration / 3_600_000).toFixed(1)} h @ ${scenario.spec.probeInterval / 1000} s`,
    firstDetectionSeconds: drains[0]?.detectionSeconds ?? null,
    shortestGapMinutes: shortestGap(drains),
  };
}

function shortestGap(drains: ReadonlyArray<{ region: string; decidedAt: string }>): number | null {
  let shortest: number | null = null;
  for (const [i, drain] of drains.entries()) {
    const previous = drains.slice(0, i).findLast((d) => d.region === drain.region);
    if (!previous) continue;
    const gap = (Date.parse(drain.decidedAt) - Date.parse(previous.decidedAt)) / 60_000;
    shortest = shortest === null ? gap : Math.min(shortest, gap);
  }
  return shortest;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'vigil.yaml')
  .sort()
  .map((f) => path.join(DIR, f));

console.log(`Failover scenarios from ${DIR}: virtual time through the real engine, policy and orchestrator\n`);
const rows: Row[] = [];
for (const file of files) rows.push(await runScenario(file));

const header = ['scenario', 'drains', 'detection (s after onset)', 'blocked (region:rule)', 'final weights', 'simulated', 'wall ms'];
const cells = rows.map((r) => [r.scenario, String(r.drains), r.detection, r.blocked, r.finalWeights, r.simulated, r.wallMs.toFixed(0)]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
const line = (c: string[]) => c.map((v, i) => (i === 1 || i === 6 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
const total = rows.reduce((sum, r) => sum + r.wallMs, 0);
console.log(`\n${rows.length} scenarios in ${(total / 1000).toFixed(1)} s wall time`);

// The goals of the failover issue, beside what the scenarios showed.
const row = (name: string) => rows.find((r) => r.scenario === name);
const outage = row('regional-outage');
const firstDrain = outage?.firstDetectionSeconds ?? null;
const never = ['isolated-vantage', 'global-outage', 'baseline-noise'].map((name) => `${name} ${row(name)?.drains ?? '?'}`);
const flap = row('flapping-region');
console.log('\nGoals:');
console.log(`  full regional outage decided within 60 s of onset: ${firstDrain === null ? 'no drain' : `${firstDrain} s`} -> ${firstDrain !== null && firstDrain <= 60 ? 'MET' : 'NOT MET'}`);
console.log(`  no drain on an isolated vantage, a global outage or baseline noise: ${never.join(', ')} -> ${never.every((n) => n.endsWith(' 0')) ? 'MET' : 'NOT MET'}`);
console.log(`  a flapping region drained at most once per 15 min cooldown: shortest gap ${flap?.shortestGapMinutes === null || flap === undefined ? '-' : `${flap.shortestGapMinutes} min`} over ${flap?.drains ?? '?'} drains -> ${flap !== undefined && (flap.shortestGapMinutes === null || flap.shortestGapMinutes >= 15) ? 'MET' : 'NOT MET'}`);
