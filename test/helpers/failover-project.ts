// A throwaway Vigil project with three regions, an events SLO as failover trigger and the file provider,
// for tests of the failover API, CLI and server wiring.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeProject } from './project.js';

export const REGIONS = ['eu-west1', 'us-central1', 'asia-east1'] as const;

/** The api SLO the failover triggers name, over the three regions, with `indicator` given as flow YAML. */
export function triggerSlo(indicator: string): string {
  return `apiVersion: vigil/v1
kind: SLO
metadata: { name: api, squad: core }
spec:
  service: api
  objective: 99.9
  window: 28d
  regions: [eu-west1, us-central1, asia-east1]
  indicator: ${indicator}
  alerting: { runbook: runbooks/api.md }
`;
}

export const TRIGGER_SLO = triggerSlo('{ events: {} }');

export interface FailoverProjectOptions {
  mode?: 'auto' | 'manual' | 'dry-run';
  cooldown?: string;
  steps?: string;
  /** Where the file provider writes, relative to the project (default weights.json). */
  weightsPath?: string;
  /** YAML of spec.notify's items (each line indented for the list under `notify:`), if any. */
  notify?: string;
  /** YAML of spec.auth (each line indented for the map under `auth:`), if any. */
  auth?: string;
  /** YAML of spec.server's extra fields, e.g. `unknownTokenLimit: { count: 3, per: 1m }`. */
  server?: string;
  /** More of spec, as YAML lines indented by two spaces (drills, blackouts…). */
  extra?: string;
}

export function makeFailoverProject(options: FailoverProjectOptions = {}): { dir: string; weightsFile: string } {
  const config = `apiVersion: vigil/v1
kind: Config
spec:
  dataDir: data
  server: { port: 0${options.server ? `, ${options.server}` : ''} }
  engine: { evaluationInterval: 1s }
  regions:
    eu-west1:    { weight: 100, capacity: 60, targets: ["203.0.113.10"] }
    us-central1: { weight: 100, capacity: 60, targets: ["198.51.100.10"] }
    asia-east1:  { weight: 100, capacity: 50, targets: ["192.0.2.10"] }
  failover:
    mode: ${options.mode ?? 'auto'}
    triggers: { slos: [api], severity: page, quorum: 2 }
    safety: { minServingRegions: 2, maxDrainedRegions: 1, cooldown: ${options.cooldown ?? '0s'} }
    steps: ${options.steps ?? '[ { weightPercent: 0 } ]'}
    failback: { mode: manual }
    provider: { kind: file, path: ${options.weightsPath ?? 'weights.json'} }
${options.notify ? `  notify:\n${options.notify}\n` : ''}${options.auth ? `  auth:\n${options.auth}\n` : ''}${options.extra ? `${options.extra}\n` : ''}`;
  const dir = makeProject({ slos: TRIGGER_SLO, config });
  return { dir, weightsFile: path.join(dir, options.weightsPath ?? 'weights.json') };
}

/** The weights the file provider last wrote, or null before its first change. */
export function weightsOnDisk(file: string): Record<string, number> | null {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { weights: Record<string, number> }).weights;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Polls until `done` holds (or the deadline passes, returning the last value for the assertion to show). */
export async function waitFor<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
