// Opens one connection for an attempt (resolve, TCP connect, optional TLS handshake), timing each phase
// and reading the peer's certificate expiry. Shared by the http, tcp and tls kinds.
import { lookup } from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  createSecureContext,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { Attempt } from './attempt.js';
import type { IpFamily, TlsConfig } from './schema-fields.js';

/** Resolves a host name to one address of the family asked for (0: either). */
export type HostLookup = (host: string, family: 0 | 4 | 6, callback: (error: Error | null, address: string) => void) => void;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), as Node's own sockets use it. */
export const systemLookup: HostLookup = (host, family, callback) => {
  lookup(host, { family }, (error, address) => callback(error, address));
};

export interface Endpoint {
  host: string;
  port: number;
  ipFamily: IpFamily;
  lookup?: HostLookup;
}

export interface TlsClientOptions {
  /** SNI and the name the certificate must carry; absent for IP literals. */
  servername: string | undefined;
  /** Verify the chain and the name (default). When false the handshake still has to succeed. */
  verify: boolean;
  alpn?: string[];
  /** Trusted CAs from caFile, instead of Node's bundled roots. */
  secureContext?: SecureContext;
  /** Why the configured trust could not be loaded: every attempt then fails with tls_error. */
  trustProblem?: string;
}

/** A probe's TLS trust, loaded once when its runner is created (reloading the probe re-reads caFile). */
export interface TlsTrust {
  serverName: string | undefined;
  verify: boolean;
  secureContext?: SecureContext;
  trustProblem?: string;
}

export function loadTlsTrust(config: TlsConfig): TlsTrust {
  const trust: TlsTrust = { serverName: config.serverName, verify: !config.insecureSkipVerify };
  if (config.caFile === undefined) return trust;
  try {
    const ca = readFileSync(config.caFile, 'utf8');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    trust.secureContext = createSecureContext({ ca });
  } catch (error) {
    trust.trustProblem = `cannot use caFile ${config.caFile}: ${(error as Error).message}`;
  }
  return trust;
}

/** The options for a handshake with `host` under `trust`: SNI is the configured name, else the host name. */
export function tlsOptionsFor(host: string, trust: TlsTrust, alpn?: string[]): TlsClientOptions {
  const options: TlsClientOptions = { servername: trust.serverName ?? serverNameFor(host), verify: trust.verify };
  if (alpn) options.alpn = alpn;
  if (trust.secureContext) options.secureContext = trust.secureContext;
  if (trust.trustProblem) options.trustProblem = trust.trustProblem;
  return options;
}

/** The code Node uses for OpenSSL's verdict, kept so that classify.ts sees it like any other TLS error. */
export class TlsVerifyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TlsVerifyError';
  }
}

class AttemptOverError extends Error {
  readonly code = 'ABORT_ERR';
  constructor() {
    super('the attempt ended while connecting');
  }
}

class ClosedEarlyError extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('the peer closed the connection before it was established');
  }
}

/** How long a finished attempt's socket may take to close politely before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * Closes a connection whose attempt passed: FIN (and TLS close_notify) rather than dropping it, so the
 * peer logs a normal close; destroyed anyway if the close does not complete within a second.
 */
export function closeGracefully(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // Whatever the peer still sends is not wanted; reading it keeps the kernel from answering with a reset.
  socket.resume();
  socket.end();
}

/** SNI must not carry an IP address (RFC 6066), and Node warns when it does. */
export function serverNameFor(host: string): string | undefined {
  return isIP(host) ? undefined : host;
}

/** Earliest notAfter (ms since epoch) in the certificate chain the peer presented. */
export function earliestExpiry(socket: TLSSocket): number | undefined {
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  let earliest = Number.POSITIVE_INFINITY;
  const seen = new Set<DetailedPeerCertificate>();
  // The detailed chain ends in a self-signed root whose issuer is itself.
  while (cert?.valid_to && !seen.has(cert)) {
    seen.add(cert);
    const notAfter = Date.parse(cert.valid_to);
    if (notAfter < earliest) earliest = notAfter;
    cert = cert.issuerCertificate;
  }
  return Number.isFinite(earliest) ? earliest : undefined;
}

/**
 * Connects to `endpoint` for `attempt`, adding the dns, connect and tls phases and certExpiresAt to it.
 * `done` runs exactly once; on success the socket is the caller's to close. If the attempt settles
 * first (timeout, abort), the half-open socket is destroyed and `done` gets an error.
 */
export function openConnection(
  attempt: Attempt,
  endpoint: Endpoint,
  tls: TlsClientOptions | null,
  done: (error: Error | null, socket: Socket | null) => void,
): void {
  let socket: Socket | null = null;
  let finished = false;
  const finish = (error: Error | null): void => {
    if (finished) return;
    finished = true;
    if (error) {
      socket?.destroy();
      done(error, null);
    } else {
      // Connected (and through TLS): the phases so far are recorded; what follows is the kind's request.
      attempt.stage = 'request';
      done(null, socket);
    }
  };
  // Errors are built only when needed: with source maps on, each one costs tens of microseconds.
  attempt.onSettle(() => {
    if (!finished) finish(new AttemptOverError());
  });

  const connectTo = (address: string): void => {
    attempt.stage = 'connect';
    const connectStart = performance.now();
    let handshakeStart = 0;
    if (tls) {
      const tlsSocket = tlsConnect({
        host: address,
        port: endpoint.port,
        servername: tls.servername,
        // Verification is judged below, after the handshake, so that a failure still reports the expiry.
        rejectUnauthorized: false,
        ALPNProtocols: tls.alpn,
        secureContext: tls.secureContext,
      });
      socket = tlsSocket;
      tlsSocket.once('secureConnect', () => {
        attempt.addPhase('tls', performance.now() - handshakeStart);
        attempt.readyAt = performance.now();
        attempt.certExpiresAt = earliestExpiry(tlsSocket);
        if (tls.verify && !tlsSocket.authorized) {
          const code = String(tlsSocket.authorizationError);
          finish(new TlsVerifyError(code, `certificate not trusted: ${code}`));
        } else finish(null);
      });
    } else {
      socket = netConnect({ host: address, port: endpoint.port });
    }
    socket.once('connect', () => {
      const now = performance.now();
      attempt.addPhase('connect', now - connectStart);
      if (tls) {
        attempt.stage = 'tls';
        handshakeStart = now;
      } else {
        attempt.readyAt = now;
        finish(null);
      }
    });
    // Stays attached for the socket's life: once handed over, later errors are the owner's to see.
    const opened = socket;
    opened.on('error', finish);
    opened.once('close', () => {
      // A closed socket emits nothing more. Its native handle keeps it through the young-generation
      // collections until the next full one; detached, it no longer keeps this attempt alive with it.
      opened.removeListener('error', finish);
      if (!finished) finish(new ClosedEarlyError());
    });
  };

  if (tls?.trustProblem) {
    finish(new TlsVerifyError('ERR_TLS_CA_FILE', tls.trustProblem));
    return;
  }
  // Runs from a resolver callback, where a throw would escape the attempt and crash the process.
  const connectSafely = (address: string): void => {
    try {
      connectTo(address);
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  };
  resolveHost(attempt, endpoint.host, endpoint.ipFamily, endpoint.lookup, (error, address) => {
    if (finished) return;
    if (error) finish(error);
    else connectSafely(address);
  });
}

/**
 * The address of `host` for an attempt: as written when it is an IP (a zero dns phase), else from `lookup`
 * (default: the system's), timing the dns phase. `then` may run after the attempt settled: check first.
 */
export function resolveHost(
  attempt: Attempt,
  host: string,
  ipFamily: IpFamily,
  lookup: HostLookup | undefined,
  then: (error: Error | null, address: string) => void,
): void {
  if (isIP(host)) {
    attempt.addPhase('dns', 0);
    then(null, host);
    return;
  }
  attempt.stage = 'dns';
  const startedAt = performance.now();
  (lookup ?? systemLookup)(host, ipFamily === 'any' ? 0 : ipFamily, (error, address) => {
    // A failed lookup is charged to the dns phase by the attempt's failure, which happens in this stage.
    if (!error) attempt.addPhase('dns', performance.now() - startedAt);
    then(error, address);
  });
}
