// The registry of probe types: the YAML `type` string → implementation. One line per type.
import { httpKind } from './http/http.js';
import type { ProbeKind, ProbeType } from './kind.js';

const KINDS: ProbeKind[] = [httpKind];

export const PROBE_KINDS: ReadonlyMap<ProbeType, ProbeKind> = new Map(KINDS.map((k) => [k.type, k]));
