import { describe, expect, it } from 'vitest';
import { type Behaviour, fakeKind, fakeProbe } from '../../test/helpers/fake-kind.js';
import { VirtualTimers } from '../../test/helpers/virtual-timers.js';
import type { ProbeKind } from './kinds/kind.js';
import type { ProbeResult } from './model.js';
import { failure } from './outcome.js';
import { toResult } from './result-json.js';
import { Scheduler, type SchedulerObserver, type TargetLabels } from './scheduler.js';

interface Recorded {
  results: ProbeResult[];
  skipped: Map<string, number>;
  overran: string[];
  removed: string[];
  lateMs: number[];
}

function recordingObserver(): { observer: SchedulerObserver; seen: Recorded } {
  const seen: Recorded = { results: [], skipped: new Map(), overran: [], removed: [], lateMs: [] };
  const observer: SchedulerObserver = {
    attempted: () => {},
    skipped: (labels: TargetLabels, slots: number) => seen.skipped.set(labels.target, (seen.skipped.get(labels.target) ?? 0) + slots),
    overran: (labels) => seen.overran.push(labels.target),
    started: (_vantage, lateMs) => seen.lateMs.push(lateMs),
    removed: (labels) => seen.removed.push(labels.target),
    scheduled: () => {},
  };
  return { observer, seen };
}

function setup(behave: (target: string) => Behaviour, options: { random?: () => number; vantage?: string; tickMs?: number } = {}) {
  const timers = new VirtualTimers();
  const { kind, log } = fakeKind(behave, { timers });
  const { observer, seen } = recordingObserver();
  const scheduler = new Scheduler({
    vantage: options.vantage ?? 'us-central1',
    onResult: (labels, startedAt, outcome) => seen.results.push(toResult(labels, startedAt, outcome)),
    kinds: new Map([[kind.type, kind as ProbeKind]]),
    timers,
    random: options.random ?? (() => 0),
    observer,
    tickMs: options.tickMs,
  });
  return { timers, scheduler, log, seen };
}

const targets = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

describe('Scheduler: spreading', () => {
  it('spreads 1,000 targets with the same interval evenly over the interval instead of firing them together', async () => {
    const { timers, scheduler, log } = setup(() => ({ delayMs: 5 }));
    scheduler.setProbes([fakeProbe({ targets: targets(1000), intervalMs: 10_000, timeoutMs: 1000 })]);
    const t0 = timers.now();
    await timers.advance(10_000);
    expect(log.starts).toHaveLength(1000);
    expect(new Set(log.starts.map((s) => s.target)).size).toBe(1000);
    const perSecond = Array.from({ length: 10 }, () => 0);
    const perTenMs = new Map<number, number>();
    for (const { at } of log.starts) {
      const second = Math.floor((at - t0) / 1000);
      perSecond[Math.min(second, 9)] = (perSecond[Math.min(second, 9)] ?? 0) + 1;
      const slice = Math.floor((at - t0) / 10);
      perTenMs.set(slice, (perTenMs.get(slice) ?? 0) + 1);
    }
    // Even spreading puts ~100 starts in each second and ~1 in each 10 ms; a burst would break both.
    for (const count of perSecond) expect(count).toBeGreaterThan(60);
    for (const count of perSecond) expect(count).toBeLessThan(140);
    expect(Math.max(...perTenMs.values())).toBeLessThanOrEqual(8);
  });

  it('keeps the same phase for a (probe, target, vantage) across schedulers and differs between vantages', async () => {
    const starts = async (vantage: string) => {
      const { timers, scheduler, log } = setup(() => ({ delayMs: 1 }), { vantage });
      scheduler.setProbes([fakeProbe({ targets: targets(20), intervalMs: 10_000 })]);
      await timers.advance(10_000);
      await scheduler.close();
      return log.starts.map((s) => `${s.target}@${s.at}`).sort();
    };
    expect(await starts('eu-west1')).toEqual(await starts('eu-west1'));
    expect(await starts('eu-west1')).not.toEqual(await starts('asia-east1'));
  });

  it('adds a small random delay to each planned start, no more than 1 % of the interval', async () => {
    // Without the tick grid, which would blur the delay by up to a tick.
    const { timers, scheduler, log } = setup(() => ({ delayMs: 1 }), { random: () => 0.999, tickMs: 0 });
    const plain = setup(() => ({ delayMs: 1 }), { tickMs: 0 });
    for (const s of [scheduler, plain.scheduler]) s.setProbes([fakeProbe({ targets: targets(50), intervalMs: 10_000 })]);
    await Promise.all([timers.advance(10_500), plain.timers.advance(10_500)]);
    const at = new Map(plain.log.starts.map((s) => [s.target, s.at]));
    for (const start of log.starts.slice(0, 40)) {
      const delay = start.at - (at.get(start.target) ?? Number.NaN);
      expect(delay).toBeGreaterThan(95);
      expect(delay).toBeLessThan(100);
    }
  });
});

describe('Scheduler: wake-ups', () => {
  it('starts every slot that falls due within a 2 ms tick at one wake-up, never early and less than a tick late', async () => {
    const timers = new VirtualTimers();
    let wakeUps = 0;
    const counting = {
      now: () => timers.now(),
      setTimer: (delayMs: number, fire: () => void) =>
        timers.setTimer(delayMs, () => {
          wakeUps++;
          fire();
        }),
    };
    const { kind } = fakeKind(() => ({ delayMs: 0.2 }), { timers });
    const lateMs: number[] = [];
    const observer = { ...recordingObserver().observer, started: (_vantage: string, late: number) => lateMs.push(late) };
    const scheduler = new Scheduler({
      vantage: 'v',
      onResult: () => {},
      kinds: new Map([[kind.type, kind as ProbeKind]]),
      timers: counting,
      observer,
      random: () => 0,
    });
    // 2,000 targets every second: a start due every half millisecond.
    scheduler.setProbes([fakeProbe({ targets: targets(2000), intervalMs: 1000, timeoutMs: 500 })]);
    // The clock starts on the grid: the slots of the last tick of the second interval run at its end.
    await timers.advance(2000);
    await scheduler.close();
    expect(lateMs).toHaveLength(4000);
    expect(Math.min(...lateMs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateMs)).toBeLessThan(2);
    // One wake-up per 2 ms tick at most (deadlines share them), where one per start would be 4,000.
    expect(wakeUps).toBeLessThanOrEqual(1001);
  });
});

describe('Scheduler: one attempt at a time', () => {
  it('skips and counts a slot whose previous attempt is still running, and never queues it', async () => {
    let delayMs = 2500;
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs }));
    // A timeout longer than the interval is what lets an attempt run into the next slot.
    scheduler.setProbes([fakeProbe({ targets: ['slow'], intervalMs: 1000, timeoutMs: 5000 })]);
    await timers.advance(12_000);
    expect(log.maxConcurrent.get('slow')).toBe(1);
    const starts = log.starts.length;
    expect(starts).toBe(4);
    expect(seen.skipped.get('slow')).toBe(12 - 4);
    const lastStillRunning = timers.now() - (log.starts.at(-1)?.at ?? 0) < 2500;
    expect(seen.results).toHaveLength(lastStillRunning ? 3 : 4);
    const gaps = log.starts.slice(1).map((s, i) => s.at - (log.starts[i]?.at ?? 0));
    expect(gaps).toEqual([3000, 3000, 3000]);

    // Once attempts are fast again, the skipped slots are not made up with a burst.
    delayMs = 10;
    await timers.advance(3000);
    const after = log.starts.slice(starts);
    expect(after.length).toBeLessThanOrEqual(3);
    const later = after.slice(1).map((s, i) => s.at - (after[i]?.at ?? 0));
    for (const gap of later) expect(gap).toBe(1000);
  });

  it('aborts the attempt at the timeout and records the runner’s timeout outcome', async () => {
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs: 10_000 }));
    scheduler.setProbes([fakeProbe({ targets: ['hang'], intervalMs: 5000, timeoutMs: 800 })]);
    await timers.advance(5000);
    expect(log.aborts).toEqual(['hang']);
    expect(seen.results).toHaveLength(1);
    expect(seen.results[0]).toMatchObject({ ok: false, failure: 'timeout', latencyMs: 800 });
    expect(seen.overran).toEqual([]);
  });

  it('records a timeout at timeout + 100 ms when the runner ignores the abort, counts it, and keeps one attempt at a time', async () => {
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs: 2600, ignoreAbort: true }));
    scheduler.setProbes([fakeProbe({ targets: ['stuck'], intervalMs: 1000, timeoutMs: 700 })]);
    const first = () => log.starts[0]?.at ?? 0;
    await timers.advance(1000);
    await timers.advance(800);
    expect(seen.results).toHaveLength(1);
    expect(seen.results[0]).toMatchObject({ ok: false, failure: 'timeout', latencyMs: 800 });
    expect(seen.overran).toEqual(['stuck']);
    expect(first()).toBeGreaterThan(0);
    await timers.advance(5000);
    // The stuck runner holds the target until it really returns: later slots are skipped, not doubled up.
    expect(log.maxConcurrent.get('stuck')).toBe(1);
    expect(seen.skipped.get('stuck')).toBeGreaterThanOrEqual(2);
  });

  it('hands a signal out again once its attempt ends without aborting it, and never one that aborted', async () => {
    const timers = new VirtualTimers();
    const signals: AbortSignal[] = [];
    let hang = false;
    const base = fakeKind(() => ({ delayMs: 1 }), { timers }).kind;
    const recording: ProbeKind = {
      ...base,
      create: () => ({
        probe: (signal) => {
          signals.push(signal);
          expect(signal.aborted).toBe(false);
          const slow = hang;
          return new Promise((resolve) => {
            const onAbort = () => resolve(failure('timeout', 300));
            if (slow) signal.addEventListener('abort', onAbort, { once: true });
            else timers.setTimer(10, () => resolve(failure('connection_refused', 10)));
          });
        },
        close: async () => {},
      }),
    };
    const results: ProbeResult[] = [];
    const scheduler = new Scheduler({ vantage: 'v', onResult: (labels, startedAt, outcome) => results.push(toResult(labels, startedAt, outcome)), kinds: new Map([['tcp', recording]]), timers, random: () => 0 });
    scheduler.setProbes([fakeProbe({ targets: ['x'], intervalMs: 1000, timeoutMs: 300 })]);
    await timers.advance(3000);
    expect(signals).toHaveLength(3);
    expect(new Set(signals).size).toBe(1);
    hang = true;
    await timers.advance(1000);
    hang = false;
    await timers.advance(2000);
    expect(results.map((r) => r.failure)).toEqual(['connection_refused', 'connection_refused', 'connection_refused', 'timeout', 'connection_refused', 'connection_refused']);
    // The timed-out attempt's signal stays aborted and is not reused; the next attempts share a new one.
    expect(signals[3]).toBe(signals[0]);
    expect(signals[3]?.aborted).toBe(true);
    expect(signals[4]).not.toBe(signals[3]);
    expect(signals[5]).toBe(signals[4]);
    await scheduler.close();
  });

  it('turns a runner that rejects into a failure instead of losing the attempt', async () => {
    const timers = new VirtualTimers();
    const results: ProbeResult[] = [];
    const broken: ProbeKind = {
      ...fakeKind(() => ({ delayMs: 1 }), { timers }).kind,
      create: () => ({ probe: () => Promise.reject(new Error('bug')), close: async () => {} }),
    };
    const scheduler = new Scheduler({ vantage: 'v', onResult: (labels, startedAt, outcome) => results.push(toResult(labels, startedAt, outcome)), kinds: new Map([['tcp', broken]]), timers, random: () => 0 });
    scheduler.setProbes([fakeProbe({ targets: ['x'], intervalMs: 1000 })]);
    await timers.advance(1000);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, failure: 'protocol_error' });
  });

  it('fills every result field from the outcome', async () => {
    const { timers, scheduler, seen } = setup(() => ({
      delayMs: 20,
      outcome: failure('http_status', 20.1234567, { status: 503, phases: { connect: 1.5, ttfb: 18 } }),
    }));
    scheduler.setProbes([fakeProbe({ name: 'api', targets: [{ name: 'http://x', region: 'asia-east1' }], intervalMs: 1000 })]);
    await timers.advance(1100);
    expect(seen.results[0]).toEqual({
      probe: 'api',
      target: 'http://x',
      targetRegion: 'asia-east1',
      vantage: 'us-central1',
      ts: expect.any(Number),
      ok: false,
      latencyMs: 20.123,
      failure: 'http_status',
      status: 503,
      phases: { connect: 1.5, ttfb: 18 },
    });
  });
});

describe('Scheduler: reloads', () => {
  it('starts new targets, stops and closes removed ones, restarts changed ones and keeps the phase of the rest', async () => {
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs: 50 }));
    const probe = (names: string[], version?: number) => fakeProbe({ name: 'p', targets: names, intervalMs: 1000, version });
    const other = (version?: number) => fakeProbe({ name: 'q', targets: ['q1'], intervalMs: 1000, version });
    expect(scheduler.setProbes([probe(['a', 'b']), other()])).toEqual({ added: 3, removed: 0, restarted: 0, kept: 0 });
    await timers.advance(2000);
    const phaseOf = (target: string) => new Set(log.starts.filter((s) => s.target === target).map((s) => s.at % 1000));
    const aPhase = phaseOf('a');
    expect(aPhase.size).toBe(1);

    expect(scheduler.setProbes([probe(['a', 'c']), other(2)])).toEqual({ added: 1, removed: 1, restarted: 1, kept: 1 });
    const resultsAtReload = seen.results.length;
    await timers.advance(3000);
    expect(log.closed.map((c) => c.target).sort()).toEqual(['b', 'q1']);
    expect(seen.removed).toEqual(['b']);
    const afterReload = seen.results.slice(resultsAtReload);
    expect(afterReload.some((r) => r.target === 'b')).toBe(false);
    expect(afterReload.filter((r) => r.target === 'c')).toHaveLength(3);
    // Unchanged: same runner, same phase. Changed: a second runner for q1.
    expect(log.created.filter((c) => c.target === 'a')).toHaveLength(1);
    expect(phaseOf('a')).toEqual(aPhase);
    expect(log.created.filter((c) => c.target === 'q1').map((c) => c.runner)).toHaveLength(2);
    const q1Runners = new Set(log.starts.filter((s) => s.target === 'q1' && s.at > timers.now() - 2000).map((s) => s.runner));
    expect(q1Runners.size).toBe(1);
    expect([...q1Runners][0]).toBe(log.created.filter((c) => c.target === 'q1')[1]?.runner);
  });

  it('aborts a removed target’s attempt in flight, drops its result and closes its runner after it answers', async () => {
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs: 400 }));
    scheduler.setProbes([fakeProbe({ targets: ['gone'], intervalMs: 1000, timeoutMs: 900 })]);
    await timers.advance(1000);
    const firstAt = log.starts[0]?.at ?? 0;
    // Move to the middle of the next attempt, then remove the target.
    await timers.advance(firstAt + 1000 + 100 - timers.now());
    expect(log.starts).toHaveLength(2);
    const before = seen.results.length;
    scheduler.setProbes([]);
    await timers.advance(5000);
    expect(log.aborts).toEqual(['gone']);
    expect(seen.results).toHaveLength(before);
    expect(log.closed).toEqual([{ target: 'gone', runner: 1 }]);
    expect(log.starts).toHaveLength(2);
  });

  it('adds up the probe rate of what it schedules: 1,000 targets every 5 s and 10 every second make 210 a second', () => {
    const { scheduler } = setup(() => ({ delayMs: 1 }));
    scheduler.setProbes([fakeProbe({ name: 'slow', targets: targets(1000), intervalMs: 5000 }), fakeProbe({ name: 'fast', targets: targets(10), intervalMs: 1000 })]);
    expect(scheduler.probesPerSecond()).toBeCloseTo(210, 9);
    scheduler.setProbes([fakeProbe({ name: 'fast', targets: targets(10), intervalMs: 1000 })]);
    expect(scheduler.probesPerSecond()).toBeCloseTo(10, 9);
  });

  it('runs only the probes whose vantages include its own', async () => {
    const { timers, scheduler, log } = setup(() => ({ delayMs: 1 }), { vantage: 'eu-west1' });
    scheduler.setProbes([
      fakeProbe({ name: 'here', targets: ['h'], vantages: ['eu-west1'] }),
      fakeProbe({ name: 'there', targets: ['t'], vantages: ['asia-east1'] }),
    ]);
    await timers.advance(1000);
    expect(log.starts.map((s) => s.target)).toEqual(['h']);
    expect(scheduler.targets().map((t) => t.probe)).toEqual(['here']);
  });

  it('closes every runner on close and emits nothing afterwards', async () => {
    const { timers, scheduler, log, seen } = setup(() => ({ delayMs: 300 }));
    scheduler.setProbes([fakeProbe({ targets: ['a', 'b', 'c'], intervalMs: 1000 })]);
    await timers.advance(1000);
    const count = seen.results.length;
    const closing = scheduler.close();
    await timers.advance(1000);
    await closing;
    expect(log.closed.map((c) => c.target).sort()).toEqual(['a', 'b', 'c']);
    await timers.advance(5000);
    expect(seen.results.length).toBeLessThanOrEqual(count);
  });
});
