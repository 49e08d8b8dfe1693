// The recent probe results the server has seen (from agents and in-process probers), kept small: per
// (probe, target, vantage) the last attempts' latencies and outcomes in fixed-size rings, the last few
// failures, and the certificate expiry last seen. What the /probes page and GET /api/v1/probes/summary show.
import { z } from 'zod';
import type { ProbeResult } from '../prober/model.js';

/** Attempts kept per (probe, target, vantage): the window percentiles and success ratios are over. */
export const ATTEMPTS_KEPT = 200;
const FAILURES_KEPT = 100;

interface Track {
  probe: string;
  target: string;
  targetRegion: string;
  vantage: string;
  latencies: Float64Array;
  ok: Uint8Array;
  count: number;
  next: number;
  lastAt: number;
  lastOk: boolean;
  certExpiresAt: number | null;
}

const failureJson = z.object({
  ts: z.string(),
  probe: z.string(),
  target: z.string(),
  targetRegion: z.string(),
  vantage: z.string(),
  failure: z.string(),
  detail: z.string().nullable(),
});

/** GET /api/v1/probes/summary. */
export const probeSummaryJson = z.object({
  at: z.string(),
  attemptsPerTarget: z.number(),
  matrix: z.array(
    z.object({
      targetRegion: z.string(),
      vantage: z.string(),
      targets: z.number(),
      attempts: z.number(),
      successRatio: z.number().nullable(),
      latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
    }),
  ),
  failures: z.array(failureJson),
  certificates: z.array(z.object({ probe: z.string(), target: z.string(), targetRegion: z.string(), vantage: z.string(), expiresAt: z.string(), daysLeft: z.number() })),
});

export type FailureJson = z.output<typeof failureJson>;
export type ProbeSummary = z.output<typeof probeSummaryJson>;

/** The value at quantile q of sorted values (nearest rank), or null when there are none. */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export class ProbeBoard {
  private readonly tracks = new Map<string, Track>();
  private readonly failures: FailureJson[] = [];

  record(results: readonly ProbeResult[]): void {
    for (const r of results) {
      const key = `${r.probe}\u0000${r.target}\u0000${r.targetRegion}\u0000${r.vantage}`;
      let track = this.tracks.get(key);
      if (!track) {
        track = { probe: r.probe, target: r.target, targetRegion: r.targetRegion, vantage: r.vantage, latencies: new Float64Array(ATTEMPTS_KEPT), ok: new Uint8Array(ATTEMPTS_KEPT), count: 0, next: 0, lastAt: 0, lastOk: true, certExpiresAt: null };
        this.tracks.set(key, track);
      }
      track.latencies[track.next] = r.latencyMs;
      track.ok[track.next] = r.ok ? 1 : 0;
      track.next = (track.next + 1) % ATTEMPTS_KEPT;
      track.count = Math.min(ATTEMPTS_KEPT, track.count + 1);
      if (r.ts >= track.lastAt) {
        track.lastAt = r.ts;
        track.lastOk = r.ok;
        if (r.certExpiresAt !== undefined) track.certExpiresAt = r.certExpiresAt;
      }
      if (!r.ok) {
        this.failures.push({ ts: new Date(r.ts).toISOString(), probe: r.probe, target: r.target, targetRegion: r.targetRegion, vantage: r.vantage, failure: r.failure ?? 'unknown', detail: r.detail ?? null });
        if (this.failures.length > FAILURES_KEPT * 2) this.failures.splice(0, this.failures.length - FAILURES_KEPT);
      }
    }
  }

  summary(now: number): ProbeSummary {
    const cells = new Map<string, { targetRegion: string; vantage: string; targets: number; attempts: number; good: number; latencies: number[] }>();
    const certificates: ProbeSummary['certificates'] = [];
    for (const t of this.tracks.values()) {
      const key = `${t.targetRegion}\u0000${t.vantage}`;
      const cell = cells.get(key) ?? { targetRegion: t.targetRegion, vantage: t.vantage, targets: 0, attempts: 0, good: 0, latencies: [] };
      cell.targets++;
      for (let i = 0; i < t.count; i++) {
        cell.attempts++;
        cell.good += t.ok[i] ?? 0;
        cell.latencies.push(t.latencies[i] ?? 0);
      }
      cells.set(key, cell);
      if (t.certExpiresAt !== null) {
        certificates.push({ probe: t.probe, target: t.target, targetRegion: t.targetRegion, vantage: t.vantage, expiresAt: new Date(t.certExpiresAt).toISOString(), daysLeft: Math.floor((t.certExpiresAt - now) / 86_400_000) });
      }
    }
    const matrix = [...cells.values()]
      .sort((a, b) => a.targetRegion.localeCompare(b.targetRegion) || a.vantage.localeCompare(b.vantage))
      .map((c) => {
        const sorted = Float64Array.from(c.latencies).sort();
        const at = (q: number) => {
          const v = quantile(sorted, q);
          return v === null ? null : Math.round(v * 100) / 100;
        };
        return { targetRegion: c.targetRegion, vantage: c.vantage, targets: c.targets, attempts: c.attempts, successRatio: c.attempts === 0 ? null : c.good / c.attempts, latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99) } };
      });
    return {
      at: new Date(now).toISOString(),
      attemptsPerTarget: ATTEMPTS_KEPT,
      matrix,
      failures: this.failures.slice(-FAILURES_KEPT).reverse(),
      certificates: certificates.sort((a, b) => a.expiresAt.localeCompare(b.expiresAt)),
    };
  }
}
