// A throwaway Vigil project folder (vigil.yaml, slo-definitions/, runbooks/) for server tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const API_SLO = `apiVersion: vigil/v1
kind: SLO
metadata: { name: api, squad: core }
spec:
  service: api
  objective: 99
  window: 7d
  regions: [eu-west1, us-central1]
  indicator: { events: {} }
  alerting: { runbook: runbooks/api.md }
`;

export function makeProject(options: { slos?: string; config?: string } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-test-'));
  mkdirSync(path.join(dir, 'slo-definitions'));
  mkdirSync(path.join(dir, 'runbooks'));
  writeFileSync(path.join(dir, 'runbooks', 'api.md'), '# API runbook\n');
  writeFileSync(path.join(dir, 'slo-definitions', 'api.yaml'), options.slos ?? API_SLO);
  writeFileSync(
    path.join(dir, 'vigil.yaml'),
    options.config ??
      'apiVersion: vigil/v1\nkind: Config\nspec:\n  dataDir: data\n  server: { port: 0 }\n  engine: { evaluationInterval: 1s }\n',
  );
  return dir;
}

/** Two regions, each probing from its own in-process prober; `extra` is more of spec. */
export const upConfig = (extra = '') => `apiVersion: vigil/v1
kind: Config
spec:
  server: { port: 0 }
  engine: { evaluationInterval: 1s }
  regions:
    eu-west1:    { weight: 100, capacity: 60 }
    us-central1: { weight: 100, capacity: 60 }
${extra}`;
