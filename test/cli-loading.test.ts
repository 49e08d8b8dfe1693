// What the installed `vigil` loads for a subcommand: a prober agent runs on every vantage for months, so
// `vigil probe` must not hold the server, the store or the Google Cloud client libraries it never calls;
// and help still lists every subcommand.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { captureIo } from './helpers/io.js';

/** The npm packages (CommonJS ones, as require.cache lists them) a `vigil` subcommand has loaded after its --help. */
function packagesLoadedBy(subcommand: string): string[] {
  const script = `
    const { run } = await import(${JSON.stringify(`${process.cwd()}/dist/cli/main.js`)});
    const { createRequire } = await import('node:module');
    const io = { out() {}, err() {} };
    const code = await run([${JSON.stringify(subcommand)}, '--help'], io);
    const cache = createRequire(import.meta.url).cache;
    const names = new Set();
    for (const file of Object.keys(cache)) {
      const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
      if (match) names.add(match[1]);
    }
    process.stdout.write(JSON.stringify({ code, names: [...names].sort() }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(child.stderr).toBe('');
  const answer = JSON.parse(child.stdout) as { code: number; names: string[] };
  expect(answer.code).toBe(0);
  return answer.names;
}

describe('vigil subcommand loading', () => {
  it('vigil probe loads neither the server nor the Google Cloud clients nor the terminal log formatter', () => {
    const loaded = packagesLoadedBy('probe');
    // What an agent needs is there (the check below would pass on an empty list otherwise).
    expect(loaded).toEqual(expect.arrayContaining(['undici', 'prom-client']));
    for (const name of ['express', 'better-sqlite3', '@google-cloud/monitoring', '@google-cloud/dns', 'google-auth-library', 'google-gax', 'pino-pretty']) {
      expect(loaded).not.toContain(name);
    }
  });

  it('vigil serve loads the server but not the Google Cloud clients until a provider or source uses them', () => {
    const loaded = packagesLoadedBy('serve');
    expect(loaded).toEqual(expect.arrayContaining(['express', 'better-sqlite3']));
    expect(loaded).not.toContain('@google-cloud/monitoring');
    expect(loaded).not.toContain('@google-cloud/dns');
  });

  it('vigil --help still lists every subcommand, and an unknown one is refused with a suggestion', async () => {
    const help = captureIo();
    expect(await run(['--help'], help)).toBe(0);
    for (const name of ['validate', 'report', 'simulate', 'probe', 'failover', 'drill', 'token', 'up', 'serve', 'export', 'import']) {
      expect(help.stdout()).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
    }
    const typo = captureIo();
    expect(await run(['prob', '--region', 'x'], typo)).toBe(2);
    expect(typo.stderr()).toContain('probe');
  });
});
