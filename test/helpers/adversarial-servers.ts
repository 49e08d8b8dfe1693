// Test support: real loopback servers that misbehave on purpose (hang, trickle, stream forever, reset,
// send garbage) plus ordinary HTTP(S) ones, each counting the connections it accepted.
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { KeyPair } from './certificates.js';

export interface LoopbackServer {
  host: string;
  port: number;
  /** host:port, with brackets for IPv6. */
  address: string;
  /** Connections accepted so far (TCP, before any TLS). */
  connections(): number;
  /** Connections still open on the server's side. */
  openConnections(): number;
  /** The SNI names TLS clients sent, in order (a ClientHello without one adds nothing). */
  serverNames(): string[];
  /** Destroys every open connection and stops listening. */
  close(): Promise<void>;
}

export interface ServerOptions {
  host?: string;
  /** Serve TLS with this key and certificate. */
  tls?: KeyPair;
}

async function listen(server: Server, host: string, serverNames: string[] = []): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('server has no port');
  return {
    host,
    port: bound.port,
    address: host.includes(':') ? `[${host}]:${bound.port}` : `${host}:${bound.port}`,
    connections: () => accepted,
    openConnections: () => sockets.size,
    serverNames: () => [...serverNames],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP (or TLS) server that hands every accepted socket to `onSocket` (after the handshake for TLS). */
export function startSocketServer(onSocket: (socket: Socket) => void, options: ServerOptions = {}): Promise<LoopbackServer> {
  const serverNames: string[] = [];
  const server = options.tls
    ? createTlsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          // Called on the ClientHello, so the name is seen even when the client hangs up right after.
          SNICallback: (name, use) => {
            serverNames.push(name);
            use(null, undefined);
          },
        },
        onSocket,
      )
    : createNetServer(onSocket);
  // A client that rejects our certificate ends the handshake; that is the test's point, not an error.
  server.on('tlsClientError', () => {});
  return listen(server, options.host ?? '127.0.0.1', serverNames);
}

/** An ordinary HTTP or HTTPS server. */
export async function startHttpServer(
  listener: RequestListener,
  options: ServerOptions = {},
): Promise<LoopbackServer & { url: string }> {
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  server.on('tlsClientError', () => {});
  server.on('clientError', (_error, socket) => socket.destroy());
  const started = await listen(server, options.host ?? '127.0.0.1');
  return { ...started, url: `${options.tls ? 'https' : 'http'}://${started.address}` };
}

/** A port that was just listening on 127.0.0.1 and no longer is: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = await startSocketServer(() => {});
  await server.close();
  return server.port;
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs` (a bound, not an expectation). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Calls `then` once the client has sent a whole request head (up to the blank line). */
export function afterRequestHead(socket: Socket, then: () => void): void {
  let head = '';
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      socket.off('data', onData);
      then();
    }
  };
  socket.on('data', onData);
}

/** Accepts and reads, never answers. */
export const hang = (socket: Socket): void => {
  socket.resume();
};

/** Answers the head of a 200 response, then one body byte a second, forever. */
export function slowLoris(socket: Socket): void {
  afterRequestHead(socket, () => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
    const timer = setInterval(() => socket.write('1\r\nx\r\n'), 1000);
    socket.once('close', () => clearInterval(timer));
  });
}

export interface EndlessBody {
  onSocket: (socket: Socket) => void;
  /** Body bytes the server managed to hand to the kernel so far. */
  written(): number;
}

/**
 * A 200 whose body never ends (the head claims `declaredLength`, e.g. 10 GB, or nothing at all). Writes
 * wait for the socket to drain, so the server itself stays small and the count is what the peer took.
 */
export function endlessBody(declaredLength?: number): EndlessBody {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return {
    written: () => written,
    onSocket: (socket) => {
      afterRequestHead(socket, () => {
        const length = declaredLength === undefined ? '' : `content-length: ${declaredLength}\r\n`;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${length}connection: close\r\n\r\n`);
        const pump = () => {
          while (!socket.destroyed) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
    },
  };
}

/** Sends the head and part of a declared body, then resets the connection (TCP RST). */
export function resetMidResponse(socket: Socket): void {
  afterRequestHead(socket, () => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial', () => {
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
  });
}

/** Sends the head and part of a declared body, then closes normally (FIN) without finishing it. */
export function closeMidResponse(socket: Socket): void {
  afterRequestHead(socket, () => {
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
  });
}

/** Resets the connection as soon as it is accepted. */
export function resetAtOnce(socket: Socket): void {
  socket.resetAndDestroy();
}

/** Answers anything with bytes that are not the protocol the client speaks. */
export function garbage(socket: Socket): void {
  socket.once('data', () => socket.end('this is not the protocol you are looking for\r\n'.repeat(4)));
}
