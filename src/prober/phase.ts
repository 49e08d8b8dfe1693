// Where in its interval each (probe, target, vantage) fires: a stable offset from a hash, so 1,000
// targets with the same interval spread evenly, and a restart or reload keeps every target's phase.

/** FNV-1a, 32 bits: cheap, stable across processes and versions, and spreads short similar keys well. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export interface PhaseKey {
  probe: string;
  targetRegion: string;
  target: string;
  vantage: string;
}

/** Offset of the key's slots within the interval, in [0, intervalMs). */
export function phaseOffset(key: PhaseKey, intervalMs: number): number {
  const hash = fnv1a32(`${key.probe}\u0000${key.targetRegion}\u0000${key.target}\u0000${key.vantage}`);
  return (hash / 2 ** 32) * intervalMs;
}

/**
 * The first slot strictly after `afterMs`. Slots are anchored to the epoch (offset + k × interval), so
 * every agent and every restart agrees on them.
 */
export function nextSlot(afterMs: number, intervalMs: number, offsetMs: number): number {
  const k = Math.floor((afterMs - offsetMs) / intervalMs) + 1;
  return offsetMs + k * intervalMs;
}
