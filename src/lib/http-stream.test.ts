// A streamed answer arrives whole through a slow reader, waits for the socket between chunks without piling
// up listeners, and stops producing once the client has gone.
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeText } from './http-stream.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: (res: ServerResponse) => Promise<void>): Promise<number> {
  const server = createServer((_req, res) => void handler(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const CHUNK = 'x'.repeat(64 * 1024);

describe('writeText', () => {
  it('delivers every chunk to a slow reader, with at most one drain listener waiting at a time', async () => {
    let maxDrainListeners = 0;
    let produced = 0;
    const port = await serve((res) =>
      writeText(
        res,
        'text/plain',
        (async function* () {
          for (let i = 0; i < 200; i++) {
            maxDrainListeners = Math.max(maxDrainListeners, res.listenerCount('drain'), res.listenerCount('close') - 1);
            produced++;
            yield CHUNK;
          }
        })(),
      ),
    );
    const received = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Read in bursts, so the server meets a full socket again and again.
          res.pause();
          setTimeout(() => res.resume(), 1);
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    expect(received).toBe(200 * CHUNK.length);
    expect(produced).toBe(200);
    expect(maxDrainListeners).toBeLessThanOrEqual(1);
  });

  it('stops asking for chunks once the client has closed the connection', async () => {
    let produced = 0;
    let finished: Promise<void> = Promise.resolve();
    const port = await serve((res) => {
      finished = writeText(
        res,
        'text/plain',
        (async function* () {
          for (let i = 0; i < 100_000; i++) {
            produced++;
            yield CHUNK;
          }
        })(),
      );
      return finished;
    });
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.end();
    });
    await finished;
    expect(produced).toBeLessThan(1000);
  });
});
