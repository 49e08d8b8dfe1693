// Test support: tiny HTTP backends on 127.0.0.1 and a real HAProxy in front of them with an admin socket.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request } from 'node:http';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, stopPeer } from '../../../../../test/helpers/peer-process.js';
import { closeHttpServer } from '../../../../lib/http-server.js';

export const HAPROXY = '/usr/sbin/haproxy';

/** An HTTP server that answers every request with its own name. */
export interface Backend {
  name: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  const server = createHttpServer((_request, res) => {
    res.setHeader('connection', 'close');
    res.end(name);
  });
  const port = await listen(server);
  return {
    name,
    port,
    stop: () => closeHttpServer(server),
  };
}

export interface BackendSpec {
  /** HAProxy's `balance` algorithm. */
  balance: string;
  servers: { name: string; port: number; weight: number }[];
}

export interface Haproxy {
  /** Unix path of the admin stats socket. */
  socket: string;
  /** Loopback port of a second admin stats socket over TCP. */
  adminPort: number;
  /** Port of the HTTP frontend, which sends everything to the first backend. */
  frontendPort: number;
  output(): string;
  stop(): Promise<void>;
}

function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

export async function startHaproxy(backends: Record<string, BackendSpec>): Promise<Haproxy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-haproxy-'));
  const socket = path.join(dir, 'admin.sock');
  const [adminPort, frontendPort] = [await freePort(), await freePort()];
  const sections = Object.entries(backends).map(
    ([name, spec]) =>
      `backend ${name}\n  balance ${spec.balance}\n${spec.servers
        .map((s) => `  server ${s.name} 127.0.0.1:${s.port} weight ${s.weight} check inter 200ms`)
        .join('\n')}\n`,
  );
  const conf = path.join(dir, 'haproxy.cfg');
  await writeFile(
    conf,
    `global
  nbthread 1
  stats socket ${socket} level admin
  stats socket ipv4@127.0.0.1:${adminPort} level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${frontendPort}
  default_backend ${Object.keys(backends)[0]}
${sections.join('')}`,
  );
  const child = spawn(HAPROXY, ['-f', conf, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const haproxy: Haproxy = { socket, adminPort, frontendPort, output: () => output, stop: () => stopPeer(child, dir) };
  try {
    await waitUntilUp(child, socket, backends, () => output);
  } catch (error) {
    await haproxy.stop();
    throw error;
  }
  return haproxy;
}

/** Polls every 100 ms for at most 15 s until every server of every backend passes its health check. */
async function waitUntilUp(child: ChildProcess, socket: string, backends: Record<string, BackendSpec>, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output()}`);
    const states = await Promise.all(Object.keys(backends).map((backend) => serversState(socket, backend).catch(() => [])));
    const expected = Object.values(backends).reduce((n, spec) => n + spec.servers.length, 0);
    const running = states.flat().filter((server) => server.opState === 2);
    if (running.length === expected) return;
    await sleep(100);
  }
  throw new Error(`haproxy's servers did not all come up within 15 s:\n${output()}`);
}


/** One runtime API command over the unix socket, written apart from the provider so tests check it independently. */
export function adminCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect({ path: socket }, () => client.end(`${command}\n`));
    let answer = '';
    client.setTimeout(10_000, () => client.destroy(new Error(`no answer to ${command} within 10 s`)));
    client.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    client.on('error', reject);
    client.on('close', () => resolve(answer));
  });
}

export interface ServerRow {
  name: string;
  /** srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** srv_admin_state bits: 0x01 forced maintenance, 0x08 forced drain. */
  adminState: number;
  weight: number;
}

/** `show servers state BACKEND`, by column name. */
export async function serversState(socket: string, backend: string): Promise<ServerRow[]> {
  const lines = (await adminCommand(socket, `show servers state ${backend}`)).split('\n').filter(Boolean);
  if (lines[0] !== '1' || !lines[1]?.startsWith('# ')) throw new Error(`unexpected answer: ${lines.join('\n')}`);
  const columns = lines[1].slice(2).split(' ');
  return lines.slice(2).map((line) => {
    const fields = line.split(' ');
    const field = (name: string) => fields[columns.indexOf(name)] ?? '';
    return { name: field('srv_name'), opState: Number(field('srv_op_state')), adminState: Number(field('srv_admin_state')), weight: Number(field('srv_uweight')) };
  });
}

/** Sends `count` GET requests through the frontend, one connection each, and returns the answering backends' names. */
export async function requestsThrough(port: number, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(await get(port));
  return names;
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}: ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error('no answer through haproxy within 10 s')));
    req.on('error', reject);
    req.end();
  });
}
