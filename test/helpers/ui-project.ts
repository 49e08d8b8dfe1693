// A project for the web UI's tests: the access-control project (one identity per role, failover, a drill)
// with a fleet of generated SLOs beside its trigger SLO, and minute data already in its store: three days
// for "api" with bursts of errors, and the last hours for the fleet, burning at different rates.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/lib/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { BucketStore, type CountRecord } from '../../src/store/bucket-store.js';
import { openDatabase } from '../../src/store/database.js';
import { AUTH_ENV, AUTH_YAML, DRILL_YAML } from './auth-project.js';
import { makeFailoverProject, REGIONS } from './failover-project.js';

export const SQUADS = ['search', 'playback', 'checkout', 'identity', 'payments', 'ads', 'growth', 'infra', 'data', 'mobile'] as const;

const fleetName = (i: number) => `fleet-${String(i).padStart(4, '0')}`;

function fleetYaml(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: vigil/v1
kind: SLO
metadata: { name: ${fleetName(i)}, squad: ${SQUADS[i % SQUADS.length]} }
spec:
  service: svc-${i % 37}
  description: Generated SLO ${i} of the fleet
  objective: ${i % 3 === 0 ? 99.9 : 99.5}
  window: ${i % 2 === 0 ? '28d' : '7d'}
  regions: [eu-west1, us-central1, asia-east1]
  indicator: { events: {} }
`);
  }
  return docs.join('---\n');
}

/** Minute data: "api" over three days, the fleet over its last six hours. */
function seed(dataDir: string, fleet: number, now: number): void {
  const db = openDatabase(dataDir);
  const store = new BucketStore(db);
  const records: CountRecord[] = [];
  const MINUTE = 60_000;
  for (let m = 1; m <= 3 * 1440; m += 2) {
    REGIONS.forEach((region, r) => {
      const burst = m % 360 < 12 && r === 0 ? 30 : m % 97 === r ? 4 : 0;
      records.push({ slo: 'api', targetRegion: region, vantage: REGIONS[(r + 1) % 3] as string, ts: now - m * MINUTE, good: 200 - burst, total: 200 });
    });
  }
  for (let i = 0; i < fleet; i++) {
    for (let m = 1; m <= 360; m += 30) {
      REGIONS.forEach((region, r) => {
        const bad = (i * 7 + r) % 23 === 0 ? 40 : (i % 13) * (m < 60 ? 1 : 0);
        records.push({ slo: fleetName(i), targetRegion: region, vantage: REGIONS[(r + 2) % 3] as string, ts: now - m * MINUTE, good: 1000 - bad, total: 1000 });
      });
    }
  }
  for (let i = 0; i < records.length; i += 5000) store.add(records.slice(i, i + 5000));
  db.close();
}

export async function startUiServer(options: { fleet?: number } = {}): Promise<{ server: RunningServer; dir: string; weightsFile: string }> {
  const fleet = options.fleet ?? 999;
  const { dir, weightsFile } = makeFailoverProject({ auth: AUTH_YAML, extra: DRILL_YAML });
  writeFileSync(path.join(dir, 'slo-definitions', 'fleet.yaml'), fleetYaml(fleet));
  seed(path.join(dir, 'data'), fleet, Date.now());
  const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), env: AUTH_ENV });
  return { server, dir, weightsFile };
}
