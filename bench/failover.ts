// Benchmark: the shipped failover scenarios (test/scenarios/*.yaml) replayed through simulate() — the real
// engine, policy, orchestrator and file provider in virtual time. Prints, per scenario, how many seconds
// after onset each drain was decided, how many drains, which safety rules blocked what, and wall time.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { requireDefinitions } from '../src/config/load.js';
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
}

async function runScenario(file: string): Promise<Row> {
  const { items } = await requireDefinitions([file]);
  const scenario = items.flatMap((i) => (i.type === 'scenario' ? [i.scenario] : []))[0];
  if (!scenario) throw new Error(`${file}: no kind: Scenario document`);
  const configFile = path.resolve(path.dirname(file), scenario.spec.config ?? 'vigil.yaml');
  const root = path.dirname(configFile);
  const { config } = await requireDefinitions([configFile], { root });
  const { slos } = await requireDefinitions([path.resolve(root, config.definitions.slos)], { root, optional: true });
  const started = performance.now();
  const report = await simulate({ scenario, config, slos });
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
    simulated: `${Math.round(scenario.spec.duration / 3_600_000)} h @ ${scenario.spec.probeInterval / 1000} s`,
  };
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
