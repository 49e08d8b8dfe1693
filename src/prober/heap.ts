// How far a prober agent's V8 heap may grow past what is live before a full collection, as GOGC does for
// Go programs. Left to itself V8 picks a factor of up to 4 from its own GC speed: at 10,000 targets the
// agent's peak RSS reached 250 MiB with 59 MiB live; at 50 % it stays near 190 MiB for a few % more CPU.
import { setFlagsFromString } from 'node:v8';

/** Default growth past the live heap, in percent: 50 means a full collection at 1.5x what survived the last. */
export const PROBER_HEAP_GROWTH_PERCENT = 50;
/** The largest growth accepted, in percent. */
export const MAX_HEAP_GROWTH_PERCENT = 1000;

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
