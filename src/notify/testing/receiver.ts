// A loopback HTTP server that records the POSTs a notifier sends and answers them as scripted, for tests.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../lib/http-server.js';

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** How the receiver answers one request: a status, or holding the request open until released. */
export type Answer = number | 'hang';

export class Receiver {
  readonly posts: ReceivedPost[] = [];
  /** Statuses for the next requests, in order; once used up every request gets `fallback`. */
  script: Answer[] = [];
  fallback: Answer = 200;
  /** Requests seen, including those answered with an error. */
  attempts = 0;
  private readonly held: Array<() => void> = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => receiver?.answer(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new Receiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  /** Resolves once `condition` holds (checked on every request and answer), or rejects after `timeoutMs`. */
  async until(condition: (receiver: Receiver) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this)) {
      if (Date.now() > deadline) throw new Error(`waited for ${what}; got ${this.attempts} requests, ${this.posts.length} accepted`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Lets the requests held open go on (answered 200). */
  release(): void {
    for (const resume of this.held.splice(0)) resume();
  }

  close(): Promise<void> {
    this.release();
    return closeHttpServer(this.server);
  }

  private wake(): void {
    for (const resume of this.waiters.splice(0)) resume();
  }

  private answer(path: string, headers: IncomingHttpHeaders, text: string, res: ServerResponse): void {
    this.attempts++;
    this.wake();
    const answer = this.script.shift() ?? this.fallback;
    const finish = (status: number) => {
      if (status >= 200 && status < 300) this.posts.push({ path, headers, body: text === '' ? null : JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      this.wake();
    };
    if (answer === 'hang') this.held.push(() => finish(200));
    else finish(answer);
  }
}
