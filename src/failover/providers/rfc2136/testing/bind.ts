// Test support: a real BIND 9 (`named`) serving one zone on a free 127.0.0.1 port, plus dig and nsupdate.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, stopPeer } from '../../../../../test/helpers/peer-process.js';

export const NAMED = '/usr/sbin/named';
export const DIG = '/usr/bin/dig';
export const NSUPDATE = '/usr/bin/nsupdate';

export interface Named {
  port: number;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

export interface NamedOptions {
  zone: string;
  /** Zone file contents. */
  records: string;
  keyName: string;
  secret: string;
  /** A second key the server knows but does not allow to update the zone. */
  readOnlyKey?: { name: string; secret: string };
}

export async function startNamed(options: NamedOptions): Promise<Named> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-named-'));
  const port = await freePort({ udp: true });
  const zoneFile = path.join(dir, `${options.zone}.zone`);
  await writeFile(zoneFile, options.records);
  await writeFile(
    path.join(dir, 'named.conf'),
    `options {
  directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  recursion no;
  dnssec-validation no;
  allow-query { any; };
  notify no;
};
controls { };
key "${options.keyName}" { algorithm hmac-sha256; secret "${options.secret}"; };
${options.readOnlyKey ? `key "${options.readOnlyKey.name}" { algorithm hmac-sha256; secret "${options.readOnlyKey.secret}"; };` : ''}
zone "${options.zone}" { type primary; file "${zoneFile}"; allow-update { key "${options.keyName}"; }; };
`,
  );
  const child = spawn(NAMED, ['-g', '-c', path.join(dir, 'named.conf'), '-n', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const named: Named = { port, dir, output: () => output, stop: () => stopPeer(child, dir) };
  try {
    await waitUntilServing(child, port, options.zone, () => output);
  } catch (error) {
    await named.stop();
    throw error;
  }
  return named;
}

/** Polls the zone's SOA with dig, every 100 ms for at most 10 s. */
async function waitUntilServing(child: ChildProcess, port: number, zone: string, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`named exited with ${child.exitCode}:\n${output()}`);
    const soa = await dig(port, zone, 'SOA').catch(() => []);
    if (soa.length > 0) return;
    await sleep(100);
  }
  throw new Error(`named did not serve ${zone} within 10 s:\n${output()}`);
}

/** `dig +short` over TCP: the RRset's data, sorted. */
export function dig(port: number, name: string, type: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(DIG, ['-p', String(port), '@127.0.0.1', '+tcp', '+short', '+time=2', '+tries=1', name, type], { timeout: 10_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.split('\n').filter(Boolean).sort());
    });
  });
}

/** Runs nsupdate with `script` on stdin, signing with hmac-sha256 NAME:SECRET, over TCP. */
export function nsupdate(script: string, key: { name: string; secret: string }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(NSUPDATE, ['-v', '-t', '5', '-y', `hmac-sha256:${key.name}:${key.secret}`], { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(script);
  });
}
