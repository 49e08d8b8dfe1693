// `vigil token new` and `vigil token hash`: the line printed goes into spec.auth as it is, and the server then
// knows the token by its hash alone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../src/cli/main.js';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { makeFailoverProject } from './helpers/failover-project.js';
import { captureIo } from './helpers/io.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function tokenNew(...args: string[]) {
  const io = captureIo();
  const code = await run(['token', 'new', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('vigil token', () => {
  it('new prints a fresh 32-byte base64url token and a spec.auth line holding only its SHA-256, which the server accepts', async () => {
    const first = await tokenNew('alice', '--role', 'imoc');
    expect(first.code).toBe(0);
    const token = /^token: {2}(\S+)$/m.exec(first.stdout)?.[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect((await tokenNew('alice', '--role', 'imoc')).stdout).not.toContain(token);
    const line = first.stdout.split('\n').find((l) => l.trimStart().startsWith('- {')) ?? '';
    const entry = (parse(line) as Array<{ name: string; role: string; sha256: string }>)[0];
    expect(entry).toEqual({ name: 'alice', role: 'imoc', sha256: createHash('sha256').update(token).digest('hex') });
    expect(line).not.toContain(token);

    const { dir } = makeFailoverProject({ auth: `    tokens:\n    ${line}` });
    const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), env: {} });
    running.push(server);
    const who = await fetch(`${server.url}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await who.json()).toMatchObject({ identity: 'alice', roles: ['imoc'], via: 'token' });
  });

  it('new takes squads for role squad only, and checks the name', async () => {
    const squad = await tokenNew('play-bot', '--role', 'squad', '--squads', 'playback,search');
    expect(squad.code).toBe(0);
    expect(squad.stdout).toMatch(/- \{ name: play-bot, role: squad, squads: \[playback, search\], sha256: "[0-9a-f]{64}" \}/);
    expect(await tokenNew('play-bot', '--role', 'squad')).toMatchObject({ code: 2, stderr: expect.stringContaining('role squad needs --squads') });
    expect(await tokenNew('ida', '--role', 'imoc', '--squads', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('only role squad takes --squads') });
    expect((await tokenNew('vigil', '--role', 'admin')).code).toBe(2);
    expect((await tokenNew('ida', '--role', 'root')).code).toBe(2);
  });

  it('hash prints the SHA-256 of the token on stdin', () => {
    const cli = `${process.cwd()}/dist/cli/main.js`;
    const hashed = spawnSync(process.execPath, [cli, 'token', 'hash'], { input: 'test\n', encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    expect(hashed.stdout).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n');
    const empty = spawnSync(process.execPath, [cli, 'token', 'hash'], { input: '', encoding: 'utf8' });
    expect(empty.status).toBe(2);
  });
});
