// `vigil probe --once`: every (probe, target) that runs from one vantage, attempted once, a bounded number
// at a time, under the same timeout rules as the scheduler. Results come back in definition order.
import { attemptOnce } from './attempt.js';
import { PROBE_KINDS } from './kinds/index.js';
import type { ProbeKind, ProbeType } from './kinds/kind.js';
import { type ProbeDefinition, type ProbeResult, type ProbeTarget, runsFrom } from './model.js';
import { failure } from './outcome.js';
import { toResult } from './result-json.js';
import { realTimers, type Timers } from './timers.js';

export interface OnceResult {
  result: ProbeResult;
  /** A short human-readable reason for a failure (table output only). */
  detail: string | null;
}

export interface OnceOptions {
  vantage: string;
  /** Attempts in flight at once (default 32). */
  concurrency?: number;
  kinds?: ReadonlyMap<ProbeType, ProbeKind>;
  timers?: Timers;
}

export async function probeOnce(definitions: readonly ProbeDefinition[], options: OnceOptions): Promise<OnceResult[]> {
  const kinds = options.kinds ?? PROBE_KINDS;
  const timers = options.timers ?? realTimers;
  const work: Array<{ probe: ProbeDefinition; target: ProbeTarget }> = definitions
    .filter((probe) => runsFrom(probe, options.vantage))
    .flatMap((probe) => probe.targets.map((target) => ({ probe, target })));
  const results: OnceResult[] = new Array(work.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < work.length; i = next++) {
      const item = work[i];
      if (item) results[i] = await probeTarget(item.probe, item.target, options.vantage, kinds, timers);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 32, work.length)) }, worker));
  return results;
}

async function probeTarget(
  probe: ProbeDefinition,
  target: ProbeTarget,
  vantage: string,
  kinds: ReadonlyMap<ProbeType, ProbeKind>,
  timers: Timers,
): Promise<OnceResult> {
  const labels = { probe: probe.name, target: target.label, targetRegion: target.region, vantage };
  const startedAt = timers.now();
  const kind = kinds.get(probe.type);
  if (!kind) {
    const outcome = failure('protocol_error', 0, { detail: `probe type ${probe.type} is not available in this build` });
    return { result: toResult(labels, startedAt, outcome), detail: outcome.detail ?? null };
  }
  let runner: ReturnType<ProbeKind['create']>;
  try {
    runner = kind.create({ settings: probe.settings, target: target.fields, timeoutMs: probe.timeoutMs });
  } catch (error) {
    const detail = `cannot create a runner: ${error instanceof Error ? error.message : String(error)}`;
    return { result: toResult(labels, startedAt, failure('protocol_error', 0)), detail };
  }
  const end = await attemptOnce(runner, probe.timeoutMs, timers);
  await runner.close().catch(() => undefined);
  const detail = end.runnerError ? 'the probe type failed unexpectedly' : (end.outcome.detail ?? null);
  return { result: toResult(labels, end.startedAt, end.outcome), detail };
}
