// The registry of probe types: the YAML `type` string → implementation. One line per type.
import { dnsKind } from './dns/dns.js';
import { grpcKind } from './grpc/grpc.js';
import { httpKind } from './http/http.js';
import type { ProbeKind, ProbeType } from './kind.js';
import { tcpKind } from './tcp/tcp.js';
import { tlsKind } from './tls/tls.js';

const KINDS: ProbeKind[] = [httpKind, dnsKind, tcpKind, tlsKind, grpcKind];

export const PROBE_KINDS: ReadonlyMap<ProbeType, ProbeKind> = new Map(KINDS.map((k) => [k.type, k]));
