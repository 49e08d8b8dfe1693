// The loopback target of the prober benchmark, in its own process so its CPU is charged to nobody: node:http
// answering 200 "ok" on a few ports (spreading the many short connections over more address tuples).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitWithParent } from './processes.js';

const PORTS = Math.max(1, Math.min(16, Number(JSON.parse(process.argv[2] ?? '{}').ports ?? 4)));

function listen(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const servers = await Promise.all(Array.from({ length: PORTS }, listen));
exitWithParent();
process.stdout.write(`${JSON.stringify({ ports: servers.map((s) => (s.address() as AddressInfo).port) })}\n`);
