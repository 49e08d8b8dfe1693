// How far a prober agent's V8 heap may grow past what is live before a full collection, as GOGC does for
// Go's probers. V8 lets it grow to 2-4x (tuned for pages that allocate in bursts); an agent allocates at a
// steady rate and mostly short-lived objects, so at 10,000 targets a 4x heap was RSS it never needed.
import { setFlagsFromString } from 'node:v8';

/** Default growth past the live heap, in percent: 50 means a full collection at 1.5x what survived the last. */
export const PROBER_HEAP_GROWTH_PERCENT = 50;

/**
 * Sets the heap growth of this process (0 leaves V8's own). V8 reads the flag each time it sizes the
 * heap, so setting it after start takes effect from the next collection.
 */
export function limitHeapGrowth(percent: number = PROBER_HEAP_GROWTH_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) throw new RangeError(`heap growth must be an integer percent in [0, 1000], got ${percent}`);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
