// What every probe type provides: its YAML schema (the `<type>:` section and the target fields) and a
// runner that makes one attempt at a time. The scheduler owns timing; a runner never throws.
import type { z } from 'zod';
import type { Outcome } from '../outcome.js';
import type { HostLookup } from './connect.js';

export const PROBE_TYPES = ['http', 'tcp', 'dns', 'tls', 'grpc'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

/** One (probe, target) pair's attempt maker. Holds per-target state (e.g. a reused connection). */
export interface ProbeRunner {
  /**
   * Makes one attempt. Must resolve (never reject) within the timeout plus a small margin, classifying
   * every failure; `signal` aborts at the timeout or early (shutdown, reload). The scheduler hands a
   * signal that did not abort to a later attempt, of this target or another: remove what was added to it
   * when the attempt ends (runAttempt does).
   */
  probe(signal: AbortSignal): Promise<Outcome>;
  /** Releases sockets and pools held across attempts. */
  close(): Promise<void>;
}

export interface RunnerInput<Settings, Target> {
  settings: Settings;
  target: Target;
  timeoutMs: number;
  /** How host names are resolved; the system resolver when absent (a test points it at a local BIND). */
  lookup?: HostLookup;
}

/** A probe type with its own settings and target types. */
export interface TypedProbeKind<Settings, Target> {
  type: ProbeType;
  /** Schema of the `<type>:` section of spec (absent section = parse of `{}`). */
  settingsSchema: z.ZodType<Settings>;
  /** Schema of one entry of spec.targets, without `region` (that is common to all types). */
  targetSchema: z.ZodType<Target>;
  /** How a target is named in results and metrics: a URL, host:port, a DNS name @ server. */
  targetLabel(target: Target): string;
  create(input: RunnerInput<Settings, Target>): ProbeRunner;
}

/** A probe type as the registry holds it: settings and targets are only known to be schema-valid. */
export interface ProbeKind {
  type: ProbeType;
  settingsSchema: z.ZodType;
  targetSchema: z.ZodType;
  targetLabel(target: unknown): string;
  create(input: RunnerInput<unknown, unknown>): ProbeRunner;
}

/**
 * Erases a kind's types for the registry. Safe because the registry only ever passes values that its
 * own schemas produced.
 */
export function defineProbeKind<Settings, Target>(kind: TypedProbeKind<Settings, Target>): ProbeKind {
  return {
    type: kind.type,
    settingsSchema: kind.settingsSchema,
    targetSchema: kind.targetSchema,
    targetLabel: (target) => kind.targetLabel(target as Target),
    create: (input) => kind.create(input as RunnerInput<Settings, Target>),
  };
}
