// One DNS question through Node's resolver (c-ares) with the operating system's configuration: what
// applications on the prober's host would see. It reports records and the RCODE, not the AA bit.
import { promises as dnsPromises } from 'node:dns';
import { performance } from 'node:perf_hooks';
import type { Attempt } from '../attempt.js';
import type { DnsReply } from './reply.js';
import type { QueryType, Rcode } from './schema.js';
import type { ReplyHandler } from './wire-query.js';

type Resolver = dnsPromises.Resolver;

// c-ares turns these RCODEs into errors; an empty NOERROR answer is ENODATA.
const RCODE_OF_ERROR: Readonly<Record<string, Rcode>> = {
  ENODATA: 'NOERROR',
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
};

const quoted = (text: string): string => `"${text.replace(/["\\]/g, '\\$&')}"`;

/** The records of one type, rendered like the wire path renders them (see wire-query.ts). */
async function recordsOf(resolver: Resolver, name: string, type: QueryType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'PTR':
      return resolver.resolvePtr(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'SOA': {
      const soa = await resolver.resolveSoa(name);
      return [`${soa.nsname} ${soa.hostmaster} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minttl}`];
    }
    case 'SRV':
      return (await resolver.resolveSrv(name)).map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`);
    case 'CAA':
      return (await resolver.resolveCaa(name)).map((caa) => {
        const [tag, value] = Object.entries(caa).find(([key]) => key !== 'critical') ?? ['', ''];
        return `${caa.critical} ${tag} ${quoted(String(value))}`;
      });
    case 'NAPTR':
      return (await resolver.resolveNaptr(name)).map(
        (n) => `${n.order} ${n.preference} ${quoted(n.flags)} ${quoted(n.service)} ${quoted(n.regexp)} ${n.replacement || '.'}`,
      );
  }
}

const codeOf = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

/**
 * Asks `name`/`type` through a fresh resolver (one try, the attempt's timeout). `servers` replaces the
 * system's nameservers; only tests set it, to reach a server on loopback.
 */
export function askSystemResolver(
  attempt: Attempt,
  question: { name: string; type: QueryType },
  timeoutMs: number,
  servers: string[] | undefined,
  onReply: ReplyHandler,
): void {
  const resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
  if (servers) resolver.setServers(servers);
  attempt.onSettle(() => resolver.cancel());
  attempt.stage = 'request';
  const sentAt = performance.now();
  const answered = (reply: DnsReply): void => {
    attempt.addPhase('ttfb', performance.now() - sentAt);
    onReply(reply);
  };
  recordsOf(resolver, question.name, question.type).then(
    (records) => answered({ rcode: 'NOERROR', authoritative: null, records }),
    (error: unknown) => {
      if (attempt.done) return;
      const code = codeOf(error);
      const rcode = RCODE_OF_ERROR[code];
      if (rcode) answered({ rcode, authoritative: null, records: [] });
      else if (code === 'ETIMEOUT') attempt.fail('timeout', `the system resolver gave up: ${(error as Error).message}`);
      else if (code === 'EBADRESP') attempt.fail('protocol_error', `the system resolver got a malformed reply: ${(error as Error).message}`);
      else attempt.failWith(error);
    },
  );
}
