// The agent's own small HTTP endpoint: GET /metrics (Prometheus text, streamed) and GET /healthz.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { closeHttpServer } from '../lib/http-server.js';
import { writeText } from '../lib/http-stream.js';

export interface MetricsServerOptions {
  /** The Prometheus text, in chunks. */
  exposition: () => AsyncIterable<string>;
  host: string;
  port: number;
  /** The body of GET /healthz. */
  health: () => Record<string, unknown>;
}

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export async function serveMetrics(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'method_not_allowed', message: 'only GET' } });
      return;
    }
    if (path === '/metrics') {
      writeText(res, Registry.PROMETHEUS_CONTENT_TYPE, options.exposition()).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: error instanceof Error ? error.message : 'metrics failed' } });
        else res.destroy();
      });
      return;
    }
    if (path === '/healthz') {
      json(res, 200, { status: 'ok', ...options.health() });
      return;
    }
    json(res, 404, { error: { code: 'not_found', message: 'try /metrics or /healthz' } });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => closeHttpServer(server),
  };
}
