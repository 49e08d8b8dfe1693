// A stand-in for the server's POST /api/v1/results that tests can switch between answering, failing
// with 503, refusing connections (stopped) and refusing chosen batches as invalid (400).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpServer } from '../../src/lib/http-server.js';

export type StubMode = 'ok' | '503';

export interface ReceivedBatch {
  batchId: string;
  status: number;
  results: Array<{ ts: string; probe: string; target: string }>;
  authorization: string | undefined;
}

export class ResultsStub {
  mode: StubMode = 'ok';
  /** Batch ids answered with 400. */
  readonly poison = new Set<string>();
  readonly received: ReceivedBatch[] = [];
  private server: Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Batches answered with 2xx, in arrival order. */
  committed(): ReceivedBatch[] {
    return this.received.filter((b) => b.status === 200);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        const body = JSON.parse(text) as { batchId: string; results: ReceivedBatch['results'] };
        const status = this.mode === '503' ? 503 : this.poison.has(body.batchId) ? 400 : 200;
        this.received.push({ batchId: body.batchId, status, results: body.results, authorization: req.headers.authorization });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"accepted":1,"duplicate":false}' : '{"error":{"code":"x","message":"no"}}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: connections are refused until start() again (on the same port). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await closeHttpServer(server);
  }
}
