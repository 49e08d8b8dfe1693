// How the Prometheus API client turns what goes wrong into SourceError reasons, against loopback servers
// that misbehave on purpose (a real Prometheus is in prometheus.test.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/peer-process.js';
import { SourceError } from '../source.js';
import { PrometheusApi } from './http-api.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(answer: (body: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`);
      answer(body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function failure(url: string, timeoutMs = 5000): Promise<SourceError> {
  const api = new PrometheusApi({ url, headers: { authorization: 'Bearer t0k' }, timeoutMs });
  try {
    const error = await api.rawSamples('up', 60_000, 120_000, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    if (!(error instanceof SourceError)) throw new Error(`expected a SourceError, got ${String(error)}`);
    return error;
  } finally {
    await api.close();
  }
}

describe('the Prometheus API client', () => {
  it('asks for the raw samples of a range vector ending 1 ms before the read, with the configured headers', async () => {
    const { url, seen } = await serve((_body, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { region: 'eu' }, values: [[100.5, '3'], [115.5, '9']] }] } }));
    });
    const api = new PrometheusApi({ url, headers: { authorization: 'Bearer t0k' }, timeoutMs: 5000 });
    const series = await api.rawSamples('http_requests_total{job="api"}', 60_000, 120_000, AbortSignal.timeout(10_000));
    await api.close();
    expect(series).toEqual([{ labels: { region: 'eu' }, samples: [[100_500, 3], [115_500, 9]] }]);
    expect(seen).toEqual([`POST /api/v1/query Bearer t0k ${new URLSearchParams({ query: 'http_requests_total{job="api"}[59999ms]', time: '119.999' })}`]);
  });

  it.each([
    ['a bad_data answer is a query error', 400, { status: 'error', errorType: 'bad_data', error: 'parse error' }, 'query'],
    ['a 503 with an error body is an http error', 503, { status: 'error', errorType: 'unavailable', error: 'shutting down' }, 'http'],
    ['a query Prometheus timed out is a timeout', 503, { status: 'error', errorType: 'timeout', error: 'query timed out' }, 'timeout'],
    ['a 502 from a proxy without JSON is an http error', 502, '<html>bad gateway</html>', 'http'],
    ['a success that is not a matrix is a response error', 200, { status: 'success', data: { resultType: 'vector', result: [] } }, 'response'],
  ])('%s', async (_name, status, body, reason) => {
    const { url } = await serve((_b, res) => {
      res.statusCode = status;
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    expect(await failure(url)).toMatchObject({ source: 'prometheus', reason });
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const { url } = await serve(() => {});
    const error = await failure(url, 300);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(error.message).toContain('did not answer within 300 ms');
  });

  it('calls a refused connection unreachable', async () => {
    const port = await freePort();
    expect(await failure(`http://127.0.0.1:${port}`)).toMatchObject({ reason: 'unreachable' });
  });
});
