// undici Clients that are not bound to one origin, shared by every http runner that opens a connection per
// attempt: such a runner needs no client between attempts, so 10,000 targets hold a few dozen clients (as
// many as attempts in flight) instead of 10,000. The exchange on a client opens its socket where its own hop
// points (the client's connector asks it) and names its host in the request, so the client's origin is never
// used. A client goes back to the idle list once undici has let go of its connection.
import { type buildConnector, Client } from 'undici';

/** The exchange a client is carrying: it opens the client's connection. */
export interface Exchange {
  openSocket(callback: buildConnector.Callback): void;
}

/**
 * An undici Client whose connections the exchange `current()` opens: its phases are timed by Vigil's own
 * connector, and the attempt's deadline bounds every wait (undici's timers would only add work).
 */
export function exchangeClient(origin: string, current: () => Exchange | null, options: Client.Options = {}): Client {
  return new Client(origin, {
    ...options,
    connect: (_options, callback) => {
      const exchange = current();
      if (exchange) exchange.openSocket(callback);
      else callback(new Error('no probe exchange is waiting for this connection'), null);
    },
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/** Never connected to: the connector ignores the origin it is given. */
const UNUSED_ORIGIN = 'http://exchange.vigil.invalid';
/** Idle clients kept for later attempts; a burst beyond this leaves the rest to the garbage collector. */
const MAX_IDLE = 256;

export class ExchangeClient {
  readonly client: Client;
  private exchange: Exchange | null = null;

  constructor(private readonly pool: ExchangeClients) {
    this.client = exchangeClient(UNUSED_ORIGIN, () => this.exchange);
    // undici emits these once it is done with a connection (closed, or never opened).
    this.client.on('disconnect', this.release);
    this.client.on('connectionError', this.release);
  }

  /** Sends one request for `exchange`; the client is busy until undici lets go of the connection. */
  carry(exchange: Exchange): void {
    this.exchange = exchange;
  }

  private readonly release = (): void => {
    if (!this.exchange) return;
    // An aborted request goes back into undici's queue when its connection closes, and undici connects
    // again for it (the exchange refuses, which ends it): the client is free only once nothing is queued.
    if (this.client.stats.size > 0) return;
    this.exchange = null;
    this.pool.give(this);
  };
}

export class ExchangeClients {
  private readonly idle: ExchangeClient[] = [];

  /** An idle client (or a new one) that carries `exchange`. */
  take(exchange: Exchange): Client {
    const entry = this.idle.pop() ?? new ExchangeClient(this);
    entry.carry(exchange);
    return entry.client;
  }

  give(entry: ExchangeClient): void {
    if (!entry.client.destroyed && this.idle.length < MAX_IDLE) this.idle.push(entry);
  }

  /** Clients waiting for an exchange (for tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}

/** The clients every http runner of this process shares. */
export const exchangeClients = new ExchangeClients();
