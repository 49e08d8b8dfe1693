// Test support shared by the real peers tests start (BIND, HAProxy, restarted Vigil servers): free loopback
// ports and stopping a peer process with its scratch folder.
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address on 127.0.0.1');
  return address.port;
}

async function udpPortFree(port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const free = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, '127.0.0.1', () => resolve(true));
  });
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  return free;
}

/**
 * A 127.0.0.1 port that was free a moment ago, for peers that cannot report a port they picked themselves
 * (or a server restarted on the same port); with `udp`, free for both TCP and UDP (DNS servers).
 */
export async function freePort(options: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort();
    if (!options.udp || (await udpPortFree(port))) return port;
  }
  throw new Error('no port free for both TCP and UDP in 20 attempts');
}

/** Stops a peer (SIGTERM, SIGKILL after 5 s) and removes its scratch folder. */
export async function stopPeer(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}
