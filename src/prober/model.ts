// A probe as the scheduler sees it, parsed from a `kind: Probe` document.
import type { SourcePosition } from '../slo/model.js';
import type { ProbeType } from './kinds/kind.js';

export interface ProbeTarget {
  /** The region whose endpoint this is. */
  region: string;
  /** How the target appears in results and metrics (URL, host:port…). */
  label: string;
  /** The type's own target fields, as its schema parsed them. */
  fields: unknown;
}

export interface ProbeDefinition {
  name: string;
  type: ProbeType;
  intervalMs: number;
  timeoutMs: number;
  /** Prober regions that run it. */
  vantages: 'all' | string[];
  targets: ProbeTarget[];
  /** The `<type>:` section, as the type's schema parsed it. */
  settings: unknown;
  source: SourcePosition;
}

/** One probe result as agents ship it and `vigil probe --once` prints it. */
export interface ProbeResult {
  probe: string;
  target: string;
  targetRegion: string;
  vantage: string;
  /** Start of the attempt, ms since epoch (ISO 8601 in JSON). */
  ts: number;
  ok: boolean;
  latencyMs: number;
  failure: string | null;
  status: number | null;
  phases: Record<string, number> | null;
  /** Why it failed, in words (a failed attempt only). */
  detail?: string;
  /** When the peer's TLS certificate expires, ms since epoch (TLS-speaking attempts). */
  certExpiresAt?: number;
}

export function runsFrom(probe: ProbeDefinition, vantage: string): boolean {
  return probe.vantages === 'all' || probe.vantages.includes(vantage);
}
