// An agent's probe definitions pulled from a real Vigil server while its probes/ folder is edited.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpProbeYaml } from '../../test/helpers/probe-yaml.js';
import { makeProject } from '../../test/helpers/project.js';
import { waitFor } from '../../test/helpers/wait.js';
import { silentLogger } from '../lib/logger.js';
import { type RunningServer, startServer } from '../server/start.js';
import type { ProbeDefinition } from './model.js';
import { ProbeFeed } from './probe-feed.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverWithProbes(files: Record<string, string>): Promise<{ server: RunningServer; dir: string }> {
  const dir = makeProject();
  mkdirSync(path.join(dir, 'probes'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'probes', name), text);
  const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
  cleanups.push(() => server.close());
  return { server, dir };
}

const targetsOf = (definitions: readonly ProbeDefinition[]) => definitions.flatMap((d) => d.targets.map((t) => `${d.name} ${t.label}`)).sort();

describe('probe definitions pulled from the server', () => {
  it('follows edits on the server: added and removed targets arrive at the next poll, unchanged polls are 304s', async () => {
    const { server, dir } = await serverWithProbes({ 'web.yaml': httpProbeYaml('web', [['eu-west1', 'http://127.0.0.1:9/a']]) });
    const feed = new ProbeFeed({ server: server.url, vantage: 'eu-west1', pollMs: 100, cacheFile: null, logger: silentLogger() });
    cleanups.push(() => feed.close());
    const seen: ProbeDefinition[][] = [];
    const first = await feed.start((definitions) => seen.push(definitions));
    expect(targetsOf(first)).toEqual(['web http://127.0.0.1:9/a']);

    // A rename-style save, as editors do, then a second probe only for another vantage.
    const file = path.join(dir, 'probes', 'web.yaml');
    writeFileSync(`${file}.tmp`, httpProbeYaml('web', [['eu-west1', 'http://127.0.0.1:9/b'], ['eu-west1', 'http://127.0.0.1:9/c']]));
    renameSync(`${file}.tmp`, file);
    writeFileSync(path.join(dir, 'probes', 'asia.yaml'), httpProbeYaml('asia-only', [['eu-west1', 'http://127.0.0.1:9/x']], '[asia-east1]'));
    await waitFor(() => targetsOf(seen.at(-1) ?? []).includes('web http://127.0.0.1:9/c'), 'the edited targets to arrive');
    expect(targetsOf(seen.at(-1) ?? [])).toEqual(['web http://127.0.0.1:9/b', 'web http://127.0.0.1:9/c']);
    const updates = seen.length;
    // Nothing changed since: polls answer 304 and do not call back.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.length).toBe(updates);
    expect(await feed.pull()).toEqual({ kind: 'unchanged' });
  }, 20_000);

  it('keeps the current set when the server is away, and a restarted agent runs from the cache meanwhile', async () => {
    const { server, dir } = await serverWithProbes({ 'web.yaml': httpProbeYaml('web', [['eu-west1', 'http://127.0.0.1:9/a']]) });
    const cacheFile = path.join(dir, 'agent', 'probes.json');
    const feed = new ProbeFeed({ server: server.url, vantage: 'eu-west1', pollMs: 60_000, cacheFile, logger: silentLogger() });
    expect(targetsOf(await feed.start(() => {}))).toEqual(['web http://127.0.0.1:9/a']);
    feed.close();
    const url = server.url;
    await server.close();
    cleanups.splice(0);

    const restarted = new ProbeFeed({ server: url, vantage: 'eu-west1', pollMs: 60_000, cacheFile, logger: silentLogger() });
    cleanups.push(() => restarted.close());
    expect(targetsOf(await restarted.start(() => {}))).toEqual(['web http://127.0.0.1:9/a']);
    expect(await restarted.pull()).toMatchObject({ kind: 'failed' });
  }, 20_000);
});
