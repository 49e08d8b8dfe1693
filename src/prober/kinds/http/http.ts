// The http probe: one request (following redirects) per attempt through undici, with phase timings
// from Vigil's own connector and a body read that never holds more than maxBodyBytes.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type buildConnector, type Client, type Dispatcher, errors } from 'undici';
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { type HostLookup, loadTlsTrust, openConnection, type TlsTrust, tlsOptionsFor } from '../connect.js';
import { defineProbeKind, type ProbeRunner } from '../kind.js';
import { type Exchange, exchangeClient, exchangeClients } from './exchange-clients.js';
import { ResponseExpectations } from './expectations.js';
import { type HttpSettings, type HttpTarget, httpSettingsSchema, httpTargetSchema } from './schema.js';

const MAX_REDIRECTS = 10;
const USER_AGENT = 'Vigil-Prober/1';
// One entry per origin met while following redirects; beyond this the oldest extra origin is dropped.
const MAX_ORIGINS = 8;
// Built once: undici marks a socket closed this way as over rather than failed, and a socket closed
// without an error would make undici build one (capturing a stack) when it sees the close.
const RESPONSE_DONE = new errors.InformationalError('connection not reused: closed after the response');
// What undici hears when a connection cannot be opened: the attempt has its own classified failure already,
// and undici must end the request rather than keep it for a retry (it does for some TLS codes).
const NOT_CONNECTED = new Error('the probe attempt could not connect');

type Method = HttpSettings['method'];

/** Every http attempt reports all five, in this order (zero for those it did not go through). */
const HTTP_PHASES = ['dns', 'connect', 'tls', 'ttfb', 'transfer'] as const;

/** Go's net/http rules, as blackbox_exporter follows them: 301/302/303 turn into GET, 307/308 keep. */
function methodAfterRedirect(status: number, method: Method): Method {
  if (status === 307 || status === 308 || method === 'HEAD') return method;
  return 'GET';
}

/** What every target of one probe shares, built once per settings object (a probe's targets share it). */
interface ProbeShared {
  expectations: ResponseExpectations;
  /** The configured headers and the user agent, as undici's flat name/value list. */
  headers: string[];
  /** The configured headers name the host themselves: the URL's is not added. */
  ownHost: boolean;
  trust: TlsTrust;
}

const sharedBySettings = new WeakMap<HttpSettings, ProbeShared>();

function sharedFor(settings: HttpSettings): ProbeShared {
  const known = sharedBySettings.get(settings);
  if (known) return known;
  const headers = Object.entries(settings.headers);
  if (!headers.some(([name]) => name.toLowerCase() === 'user-agent')) headers.push(['user-agent', USER_AGENT]);
  const shared: ProbeShared = {
    expectations: new ResponseExpectations(settings.expect),
    headers: headers.flat(),
    ownHost: headers.some(([name]) => name.toLowerCase() === 'host'),
    trust: loadTlsTrust(settings.tlsConfig),
  };
  sharedBySettings.set(settings, shared);
  return shared;
}

/**
 * One URL to send a request to: what its request line and headers need, worked out once. It keeps strings
 * only (no URL object, 160 bytes a target): the URL text is the one the target was written with.
 */
class Hop {
  readonly path: string;
  readonly headers: string[];
  readonly https: boolean;
  /** The host to connect to: the URL's host name, without an IPv6 literal's brackets. */
  readonly host: string;
  readonly port: number;
  private knownOrigin: string | undefined;

  constructor(
    readonly href: string,
    shared: ProbeShared,
  ) {
    const url = new URL(href);
    // Joined, not concatenated: a flat string rather than a pair of pieces kept per target.
    this.path = url.search === '' ? url.pathname : [url.pathname, url.search].join('');
    // The request names its host: the undici client that carries it may not be bound to this origin.
    // concat sizes the array exactly; a spread left room for 20 entries in each of 10,000 arrays.
    this.headers = shared.ownHost ? shared.headers : shared.headers.concat('host', url.host);
    this.https = url.protocol === 'https:';
    const hostname = url.hostname;
    this.host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    this.port = Number(url.port) || (this.https ? 443 : 80);
  }

  /** Only kept connections need it: worked out on first use, then kept. */
  get origin(): string {
    this.knownOrigin ??= new URL(this.href).origin;
    return this.knownOrigin;
  }
}

class HttpRunner implements ProbeRunner {
  private readonly shared: ProbeShared;
  private readonly firstHop: Hop;
  /** With reuseConnections only: a client per origin, each keeping its connection between attempts. */
  private keptClients: Map<string, Client> | null = null;
  /** With reuseConnections only: the exchange whose request is on a kept client, which opens its connection. */
  private keptExchange: ResponseHandler | null = null;
  /** Expiry seen on the kept connection, reported again by attempts that reuse it. */
  private keptCertExpiresAt: number | undefined;
  /** With reuseConnections only, made on first use: lets go of a settled attempt's exchange. */
  private forgetKeptExchange: (() => void) | null = null;

  constructor(
    readonly settings: HttpSettings,
    target: HttpTarget,
    private readonly timeoutMs: number,
    readonly lookup: HostLookup | undefined,
  ) {
    this.shared = sharedFor(settings);
    this.firstHop = new Hop(target.url, this.shared);
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    return runAttempt(this.timeoutMs, signal, (attempt) => this.start(attempt));
  }

  async close(): Promise<void> {
    const clients = [...(this.keptClients?.values() ?? [])];
    this.keptClients = null;
    await Promise.all(clients.map((client) => client.destroy().catch(() => undefined)));
  }

  private start(attempt: Attempt): void {
    for (const phase of HTTP_PHASES) attempt.addPhase(phase, 0);
    if (this.settings.reuseConnections) {
      attempt.certExpiresAt = this.keptCertExpiresAt;
      // Held until the next attempt otherwise (an interval later), the settled attempt and everything it
      // reaches would outlive the young generation and be promoted: old-space garbage, then long GCs.
      this.forgetKeptExchange ??= () => {
        if (this.keptExchange?.attemptDone) this.keptExchange = null;
      };
      attempt.onSettle(this.forgetKeptExchange);
    }
    this.send(attempt, this.firstHop, this.settings.method, 0);
  }

  send(attempt: Attempt, hop: Hop, method: Method, redirects: number): void {
    attempt.stage = 'request';
    const handler = new ResponseHandler(this, attempt, hop, method, redirects);
    let client: Client;
    if (this.settings.reuseConnections) {
      this.keptExchange = handler;
      client = this.keptClientFor(hop.origin);
    } else client = exchangeClients.take(handler);
    client.dispatch(
      {
        path: hop.path,
        method,
        headers: hop.headers,
        body: method === this.settings.method ? (this.settings.body ?? null) : null,
        // Never `reset` (`connection: close`), even without reuse: undici would then build an error with a
        // stack for every response it ends (an eighth of an attempt's CPU); the handler closes the socket
        // as the response ends instead, which the server sees as an ordinary client close.
        reset: false,
      },
      handler,
    );
  }

  /** The hop a redirect points to. */
  hopTo(url: URL): Hop {
    return new Hop(url.href, this.shared);
  }

  get responseExpectations(): ResponseExpectations {
    return this.shared.expectations;
  }

  get trust(): TlsTrust {
    return this.shared.trust;
  }

  /** Remembers the expiry seen when a kept connection was opened, for the attempts that reuse it. */
  keptConnectionOpened(certExpiresAt: number | undefined): void {
    this.keptCertExpiresAt = certExpiresAt;
  }

  private keptClientFor(origin: string): Client {
    this.keptClients ??= new Map();
    const clients = this.keptClients;
    const known = clients.get(origin);
    if (known) return known;
    if (clients.size >= MAX_ORIGINS) {
      const first = this.firstHop.origin;
      const oldestExtra = [...clients.keys()].find((o) => o !== first);
      if (oldestExtra) {
        clients.get(oldestExtra)?.destroy().catch(() => undefined);
        clients.delete(oldestExtra);
      }
    }
    // Keep-alive long enough to span a probe interval (servers' keep-alive hints still apply).
    const client = exchangeClient(origin, () => this.keptExchange, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
    clients.set(origin, client);
    return client;
  }
}

/** Receives one response (one hop of the redirect chain) for an attempt, and opens its connection. */
class ResponseHandler implements Dispatcher.DispatchHandler, Exchange {
  private controller: Dispatcher.DispatchController | null = null;
  private readonly dispatchedAt = performance.now();
  private headersAt = 0;
  private received = 0;
  private chunks: Buffer[] | null = null;
  private redirectTo: { url: URL; method: Method } | null = null;
  private ended = false;
  /** The connection this exchange opened when it is not kept: closed by us as the response ends. */
  private socket: Socket | null = null;

  constructor(
    private readonly runner: HttpRunner,
    private readonly attempt: Attempt,
    private readonly hop: Hop,
    private readonly method: Method,
    private readonly redirects: number,
  ) {}

  get attemptDone(): boolean {
    return this.attempt.done;
  }

  openSocket(callback: buildConnector.Callback): void {
    const { attempt, hop, runner } = this;
    if (attempt.done) {
      callback(NOT_CONNECTED, null);
      return;
    }
    const { settings } = runner;
    const tls = hop.https ? tlsOptionsFor(hop.host, runner.trust, ['http/1.1']) : null;
    openConnection(attempt, { host: hop.host, port: hop.port, ipFamily: settings.ipFamily, lookup: runner.lookup }, tls, (error, socket) => {
      if (error || !socket) {
        // Classified here, where the stage (dns, connect, tls) is still known.
        attempt.failWith(error);
        callback(NOT_CONNECTED, null);
        return;
      }
      attempt.stage = 'request';
      if (settings.reuseConnections) runner.keptConnectionOpened(attempt.certExpiresAt);
      else this.socket = socket;
      callback(null, socket);
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.attempt.onSettle(this.release);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const { attempt } = this;
    if (attempt.done) return;
    const now = performance.now();
    this.headersAt = now;
    attempt.stage = 'response';
    attempt.addPhase('ttfb', now - Math.max(this.dispatchedAt, attempt.readyAt));
    attempt.status = status;
    if (this.runner.settings.followRedirects && status >= 300 && status < 400 && typeof headers.location === 'string') {
      this.redirect(status, headers.location);
      return;
    }
    const expectations = this.runner.responseExpectations;
    const statusProblem = expectations.statusProblem(status);
    if (statusProblem) {
      this.stop('http_status', statusProblem);
      return;
    }
    const headersProblem = expectations.headersProblem(headers);
    if (headersProblem) {
      this.stop('assertion_failed', headersProblem);
      return;
    }
    // A HEAD answer (and a 304) declares the length of a body it does not send.
    const declared = this.method === 'HEAD' || status === 304 ? 0 : Number(headers['content-length']);
    const { maxBodyBytes } = this.runner.settings;
    if (declared > maxBodyBytes) {
      this.stop('body_too_large', `content-length ${declared} exceeds maxBodyBytes ${maxBodyBytes}`);
      return;
    }
    if (expectations.needsBody) this.chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.attempt.done) return;
    this.received += chunk.length;
    const { maxBodyBytes } = this.runner.settings;
    if (this.received > maxBodyBytes) {
      this.stop('body_too_large', `body exceeds maxBodyBytes ${maxBodyBytes}`);
      return;
    }
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    const { attempt } = this;
    // A connection that is not kept is closed as soon as its response has ended. undici would otherwise
    // destroy it with a new informational error whose stack Node's stream code formats: a sixth of the CPU
    // of an attempt against a fast target.
    const socket = this.socket;
    this.socket = null;
    socket?.destroy(RESPONSE_DONE);
    if (attempt.done) return;
    attempt.addPhase('transfer', performance.now() - this.headersAt);
    if (this.redirectTo) {
      this.runner.send(attempt, this.runner.hopTo(this.redirectTo.url), this.redirectTo.method, this.redirects + 1);
      return;
    }
    const problem = this.chunks ? this.runner.responseExpectations.bodyProblem(Buffer.concat(this.chunks, this.received)) : null;
    this.chunks = null;
    if (problem) attempt.fail('assertion_failed', problem);
    else attempt.succeed();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.ended = true;
    this.socket = null;
    this.attempt.failWith(error);
  }

  private redirect(status: number, location: string): void {
    if (this.redirects >= MAX_REDIRECTS) {
      this.stop('http_status', `status ${status}: stopped after ${MAX_REDIRECTS} redirects`);
      return;
    }
    let next: URL;
    try {
      next = new URL(location, this.hop.href);
    } catch {
      this.stop('protocol_error', `status ${status} with an invalid location "${location.slice(0, 200)}"`);
      return;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      this.stop('protocol_error', `status ${status} redirects to a non-HTTP URL ${next.protocol}`);
      return;
    }
    this.redirectTo = { url: next, method: methodAfterRedirect(status, this.method) };
  }

  /** Ends the attempt with a failure and stops the transfer (the connection is not reused after that). */
  private stop(kind: 'http_status' | 'assertion_failed' | 'body_too_large' | 'protocol_error', detail: string): void {
    this.attempt.fail(kind, detail);
  }

  /** Aborts the exchange if the attempt ended before its response did (timeout, failed check, abort). */
  private readonly release = (): void => {
    if (!this.ended && this.controller && !this.controller.aborted) {
      this.ended = true;
      this.controller.abort(new Error('probe attempt over'));
    }
  };
}

export const httpKind = defineProbeKind<HttpSettings, HttpTarget>({
  type: 'http',
  settingsSchema: httpSettingsSchema,
  targetSchema: httpTargetSchema,
  targetLabel: (target) => target.url,
  create: ({ settings, target, timeoutMs, lookup }) => new HttpRunner(settings, target, timeoutMs, lookup),
});
