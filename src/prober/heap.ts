// How much memory a prober agent's V8 heap may hold past what is live. Three knobs, all set from inside
// the process (V8 reads each flag where it is used, so a flag set after start takes effect there):
// - heap growth past the live heap before a full collection, as GOGC does for Go programs;
// - a cap on the young generation, which V8 otherwise grows to 2 x 16 MiB under a prober's allocation rate;
// - Liftoff-only WebAssembly, so undici's llhttp parser is compiled once, cheaply.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Default growth past the live heap, in percent: 50 means a full collection at 1.5x what survived the last. */
export const PROBER_HEAP_GROWTH_PERCENT = 50;
/** The largest growth accepted, in percent. */
export const MAX_HEAP_GROWTH_PERCENT = 1000;
/**
 * Both semi-spaces of the young generation together, in MiB. At 1,000 targets this took peak RSS from
 * about 150 to about 115 MiB; 4 MiB (half this) cost about 7 % more CPU at 4,000 targets, this about 2 %.
 */
export const PROBER_NEW_SPACE_MIB = 8;

/** Up to this many probes a second, the young generation is held at half the cap and the heap grows half as far. */
const SLOW_PROBE_RATE = 1000;

/**
 * The default heap growth for a probe rate. A full collection marks what is live, so its cost per second is
 * what attempts leave for it (closed sockets outlive the young generation) over the room given: at up to 1,000
 * probes a second half the room costs a fraction of a percent of a core and keeps 1,000 targets' peak RSS
 * 3-5 MiB lower; faster than that, 50 %.
 */
export function heapGrowthFor(probesPerSecond: number): number {
  return probesPerSecond <= SLOW_PROBE_RATE ? PROBER_HEAP_GROWTH_PERCENT / 2 : PROBER_HEAP_GROWTH_PERCENT;
}

/**
 * The young-generation cap for a probe rate: what attempts allocate (about 20 KiB each, mostly Node's socket)
 * dies young in 4 MiB at up to 1,000 probes a second, collected at most a few times a second; faster than
 * that, 8 MiB. At 1,000 targets every 5 s, 4 MiB kept peak RSS 2-4 MiB lower with no CPU cost measurable.
 */
export function newSpaceMibFor(probesPerSecond: number): number {
  return probesPerSecond <= SLOW_PROBE_RATE ? PROBER_NEW_SPACE_MIB / 2 : PROBER_NEW_SPACE_MIB;
}

/**
 * Sets the heap growth of this process (0 leaves V8's own). V8 reads the flag each time it sizes the
 * heap, so setting it after start takes effect from the next collection.
 */
export function limitHeapGrowth(percent: number = PROBER_HEAP_GROWTH_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > MAX_HEAP_GROWTH_PERCENT) {
    throw new RangeError(`heap growth must be an integer percent in [0, ${MAX_HEAP_GROWTH_PERCENT}], got ${percent}`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Keeps the young generation at or under a cap (both semi-spaces). Its maximum is fixed when the process
 * starts (--max-semi-space-size), but V8 grows it step by step by --semi-space-growth-factor, which it reads
 * at each step. From construction the factor is 1 (no growth), so a long synchronous start (parsing a
 * 10,000-target file) cannot grow it several steps at once; after `watch()`, every collection sets it to 2
 * while the space is under the cap and back to 1 once it is there. The cap should be a power of two. The
 * observer runs between event-loop turns, so a single synchronous burst may still grow the space two steps
 * (it is then as large as without a cap until V8 shrinks it, when the cap holds again).
 * Loading the agent's modules alone grew the space to 16 MiB, so `vigil probe` holds it before
 * loading them (see `heldNewSpace`).
 */
export class NewSpaceCap {
  private capBytes = 0;
  private factor = 0;
  private observer: PerformanceObserver | null = null;

  constructor(mib: number = PROBER_NEW_SPACE_MIB) {
    this.resize(mib);
    this.setFactor(1);
  }

  /**
   * Moves the cap. A lower cap stops growth at once; V8 gives back what is already above it only when it next
   * shrinks the space, so the agent sets it before the space has grown (see `vigil probe`).
   */
  resize(mib: number): void {
    if (!Number.isInteger(mib) || mib < 2) throw new RangeError(`the new space cap must be a whole number of MiB, at least 2, got ${mib}`);
    this.capBytes = mib * 1024 ** 2;
    if (this.observer) this.holdAtCap();
  }

  /** Lets the space grow, one step per collection, up to the cap. */
  watch(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver(() => this.holdAtCap());
    this.observer.observe({ entryTypes: ['gc'] });
    this.holdAtCap();
  }

  /** Stops watching and lets V8 grow the space as it would. */
  close(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.setFactor(2);
  }

  /** Growth allowed while the space is under the cap, none once it is there. */
  private holdAtCap(): void {
    this.setFactor(newSpaceBytes() >= this.capBytes ? 1 : 2);
  }

  private setFactor(factor: number): void {
    if (factor === this.factor) return;
    this.factor = factor;
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  }
}

let held: NewSpaceCap | null = null;

/** This process's one cap, made (and growth stopped) on first call. */
export function heldNewSpace(): NewSpaceCap {
  held ??= new NewSpaceCap();
  return held;
}

/** Compiles WebAssembly (undici's llhttp) with Liftoff only: TurboFan's tier-up of llhttp's state machine took about 30 MiB for a moment. */
export function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

let fullCollection: (() => void) | null = null;

/**
 * A full collection now, after which V8 gives back the pages it freed. Reading 10,000 targets' definitions
 * leaves about 45 MiB of YAML syntax tree behind, which V8 would otherwise keep committed until its next full
 * collection, seconds into probing: then the agent's peak RSS was that garbage plus the targets (156 MiB
 * instead of 132 at 10,000 targets). Node has no call for this; --expose-gc set at run time gives new
 * contexts the `gc` function.
 */
export function collectGarbageNow(): void {
  if (!fullCollection) {
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}
