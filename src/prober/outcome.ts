// The result of one probe attempt: a value, never an exception. Failures come from a closed set.

export const FAILURE_KINDS = [
  'timeout',
  'dns_error',
  'connection_refused',
  'connection_reset',
  'tls_error',
  'http_status',
  'assertion_failed',
  'body_too_large',
  'protocol_error',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Time spent in each phase of an attempt, in milliseconds (HTTP: all five; others: what applies). */
export interface Phases {
  dns?: number;
  connect?: number;
  tls?: number;
  ttfb?: number;
  transfer?: number;
}

export interface Outcome {
  ok: boolean;
  latencyMs: number;
  failure: FailureKind | null;
  /** HTTP status code, when a response arrived. */
  status?: number;
  phases?: Phases;
  /** Earliest expiry of the peer's certificate chain (ms since epoch), when TLS was used. */
  certExpiresAt?: number;
  /** A short human-readable reason, for logs and `--once` output; never parsed. */
  detail?: string;
}

export function success(latencyMs: number, extra: Partial<Outcome> = {}): Outcome {
  return { ok: true, latencyMs, failure: null, ...extra };
}

export function failure(kind: FailureKind, latencyMs: number, extra: Partial<Outcome> = {}): Outcome {
  return { ok: false, latencyMs, failure: kind, ...extra };
}

/** Milliseconds to the microsecond, never negative: how latencies and phases are reported. */
export function roundMicros(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1000);
}
