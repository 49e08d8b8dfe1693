// The http probe: one request (following redirects) per attempt through undici, with phase timings
// from Vigil's own connector and a body read that never holds more than maxBodyBytes.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type buildConnector, Client, type Dispatcher, errors } from 'undici';
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { type HostLookup, loadTlsTrust, openConnection, type TlsTrust, tlsOptionsFor } from '../connect.js';
import { defineProbeKind, type ProbeRunner } from '../kind.js';
import { ResponseExpectations } from './expectations.js';
import { type HttpSettings, type HttpTarget, httpSettingsSchema, httpTargetSchema } from './schema.js';

const MAX_REDIRECTS = 10;
const USER_AGENT = 'Vigil-Prober/1';
// One entry per origin met while following redirects; beyond this the oldest extra origin is dropped.
const MAX_ORIGINS = 8;
// Built once: undici marks a socket closed this way as over rather than failed, and a socket closed
// without an error would make undici build one (capturing a stack) when it sees the close.
const RESPONSE_DONE = new errors.InformationalError('connection not reused: closed after the response');

type Method = HttpSettings['method'];

/** Go's net/http rules, as blackbox_exporter follows them: 301/302/303 turn into GET, 307/308 keep. */
function methodAfterRedirect(status: number, method: Method): Method {
  if (status === 307 || status === 308 || method === 'HEAD') return method;
  return 'GET';
}

class HttpRunner implements ProbeRunner {
  private readonly clients = new Map<string, Client>();
  private readonly expectations: ResponseExpectations;
  private readonly requestHeaders: string[];
  private readonly url: URL;
  /** The attempt whose request is on the wire: the connector charges its phases to it. */
  private current: Attempt | null = null;
  /** The current attempt's connection when connections are not reused: closed by us when the response ends. */
  private socket: Socket | null = null;
  /** Expiry seen on the kept connection, reported again by attempts that reuse it. */
  private keptCertExpiresAt: number | undefined;
  private readonly trust: TlsTrust;

  constructor(
    private readonly settings: HttpSettings,
    target: HttpTarget,
    private readonly timeoutMs: number,
    private readonly lookup: HostLookup | undefined,
  ) {
    this.url = new URL(target.url);
    this.trust = loadTlsTrust(settings.tlsConfig);
    this.expectations = new ResponseExpectations(settings.expect);
    const headers = Object.entries(settings.headers);
    if (!headers.some(([name]) => name.toLowerCase() === 'user-agent')) headers.push(['user-agent', USER_AGENT]);
    this.requestHeaders = headers.flat();
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    return runAttempt(this.timeoutMs, signal, (attempt) => {
      this.current = attempt;
      // Held until the next attempt otherwise (an interval later), the settled attempt and everything it
      // reaches would outlive the young generation and be promoted: old-space garbage, then long GCs.
      attempt.onSettle(() => {
        if (this.current !== attempt) return;
        this.current = null;
        this.socket = null;
      });
      for (const phase of ['dns', 'connect', 'tls', 'ttfb', 'transfer'] as const) attempt.addPhase(phase, 0);
      if (this.settings.reuseConnections) attempt.certExpiresAt = this.keptCertExpiresAt;
      this.send(attempt, this.url, this.settings.method, 0);
    });
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.destroy().catch(() => undefined)));
  }

  send(attempt: Attempt, url: URL, method: Method, hop: number): void {
    attempt.stage = 'request';
    const handler = new ResponseHandler(this, attempt, url, method, hop);
    this.clientFor(url.origin).dispatch(
      {
        path: `${url.pathname}${url.search}`,
        method,
        headers: this.requestHeaders,
        body: method === this.settings.method ? (this.settings.body ?? null) : null,
        // Never `reset` (`connection: close`), even without reuse: undici would then build an error with a
        // stack for every response it ends (an eighth of an attempt's CPU); closeConnection closes the
        // socket as the response ends instead, which the server sees as an ordinary client close.
        reset: false,
      },
      handler,
    );
  }

  get followRedirects(): boolean {
    return this.settings.followRedirects;
  }

  /**
   * Closes a connection that is not reused as soon as its response has ended. undici would otherwise
   * destroy it with a new informational error whose stack Node's stream code formats: a sixth of the
   * CPU of an attempt against a fast target.
   */
  closeConnection(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy(RESPONSE_DONE);
  }

  get maxBodyBytes(): number {
    return this.settings.maxBodyBytes;
  }

  get responseExpectations(): ResponseExpectations {
    return this.expectations;
  }

  private clientFor(origin: string): Client {
    const known = this.clients.get(origin);
    if (known) return known;
    if (this.clients.size >= MAX_ORIGINS) {
      const oldestExtra = [...this.clients.keys()].find((o) => o !== this.url.origin);
      if (oldestExtra) {
        this.clients.get(oldestExtra)?.destroy().catch(() => undefined);
        this.clients.delete(oldestExtra);
      }
    }
    const client = new Client(origin, {
      connect: this.connector,
      pipelining: 1,
      // The attempt's own deadline bounds every wait; undici's timers would only add work.
      headersTimeout: 0,
      bodyTimeout: 0,
      // Long enough to span a probe interval when reuse is on (servers' keep-alive hints still apply).
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
    this.clients.set(origin, client);
    return client;
  }

  private readonly connector: buildConnector.connector = (options, callback) => {
    const attempt = this.current;
    if (!attempt || attempt.done) {
      callback(new Error('no probe attempt is waiting for this connection'), null);
      return;
    }
    const https = options.protocol === 'https:';
    const host = options.hostname;
    const port = Number(options.port) || (https ? 443 : 80);
    const tls = https ? tlsOptionsFor(host, this.trust, ['http/1.1']) : null;
    openConnection(attempt, { host, port, ipFamily: this.settings.ipFamily, lookup: this.lookup }, tls, (error, socket) => {
      if (error || !socket) {
        // Classified here, where the stage (dns, connect, tls) is still known.
        attempt.failWith(error);
        callback(error ?? new Error('no socket'), null);
        return;
      }
      attempt.stage = 'request';
      if (https) this.keptCertExpiresAt = attempt.certExpiresAt;
      if (!this.settings.reuseConnections) this.socket = socket;
      callback(null, socket);
    });
  };
}

/** Receives one response (one hop of the redirect chain) for an attempt. */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private readonly dispatchedAt = performance.now();
  private headersAt = 0;
  private received = 0;
  private chunks: Buffer[] | null = null;
  private redirectTo: { url: URL; method: Method } | null = null;
  private ended = false;

  constructor(
    private readonly runner: HttpRunner,
    private readonly attempt: Attempt,
    private readonly url: URL,
    private readonly method: Method,
    private readonly hop: number,
  ) {}

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
    if (this.runner.followRedirects && status >= 300 && status < 400 && typeof headers.location === 'string') {
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
    if (declared > this.runner.maxBodyBytes) {
      this.stop('body_too_large', `content-length ${declared} exceeds maxBodyBytes ${this.runner.maxBodyBytes}`);
      return;
    }
    if (expectations.needsBody) this.chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.attempt.done) return;
    this.received += chunk.length;
    if (this.received > this.runner.maxBodyBytes) {
      this.stop('body_too_large', `body exceeds maxBodyBytes ${this.runner.maxBodyBytes}`);
      return;
    }
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    const { attempt } = this;
    if (attempt.done) return;
    attempt.addPhase('transfer', performance.now() - this.headersAt);
    this.runner.closeConnection();
    if (this.redirectTo) {
      this.runner.send(attempt, this.redirectTo.url, this.redirectTo.method, this.hop + 1);
      return;
    }
    const problem = this.chunks ? this.runner.responseExpectations.bodyProblem(Buffer.concat(this.chunks, this.received)) : null;
    this.chunks = null;
    if (problem) attempt.fail('assertion_failed', problem);
    else attempt.succeed();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.ended = true;
    this.attempt.failWith(error);
  }

  private redirect(status: number, location: string): void {
    if (this.hop >= MAX_REDIRECTS) {
      this.stop('http_status', `status ${status}: stopped after ${MAX_REDIRECTS} redirects`);
      return;
    }
    let next: URL;
    try {
      next = new URL(location, this.url);
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
