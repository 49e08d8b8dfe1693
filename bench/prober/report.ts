// What each benchmarked prober reports at the end of its measured window, and the arithmetic on it.
import { z } from 'zod';

export const jitterSchema = z.object({ samples: z.number(), p50: z.number(), p99: z.number(), max: z.number() });
export type Jitter = z.infer<typeof jitterSchema>;

/** The one JSON line a child prober prints: counts and CPU over the measured window only (after warm-up). */
export const windowReportSchema = z.object({
  /** Attempts that completed inside the window. */
  probes: z.number(),
  ok: z.number(),
  failures: z.record(z.string(), z.number()),
  /** Slots that passed without an attempt (the previous one still running, or the pacer at its limit). */
  skipped: z.number(),
  cpuMicros: z.number(),
  wallMs: z.number(),
  jitter: jitterSchema.nullable(),
  maxRssMb: z.number(),
});
export type WindowReport = z.infer<typeof windowReportSchema>;

export function parseWindowReport(line: string): WindowReport {
  return windowReportSchema.parse(JSON.parse(line));
}

/** Nearest-rank percentiles of the first `count` values (sorted in place). */
export function jitterOf(values: Float64Array, count: number): Jitter | null {
  if (count === 0) return null;
  const sorted = values.subarray(0, count).sort();
  const rank = (p: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))] ?? 0;
  return { samples: count, p50: rank(0.5), p99: rank(0.99), max: sorted[count - 1] ?? 0 };
}

export function addFailure(failures: Record<string, number>, kind: string): void {
  failures[kind] = (failures[kind] ?? 0) + 1;
}
