import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/logger.js';
import { DefinitionWatcher } from './definition-watcher.js';

const watchers: DefinitionWatcher[] = [];
afterEach(async () => {
  for (const watcher of watchers.splice(0)) await watcher.close();
});

/** A watcher over a fresh folder holding probes.yaml, and a way to wait for its next change. */
async function watched() {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-watch-'));
  const file = path.join(dir, 'probes.yaml');
  writeFileSync(file, 'a: 1\n');
  let changes = 0;
  const waiters: Array<() => void> = [];
  const watcher = new DefinitionWatcher({
    paths: [dir],
    logger: silentLogger(),
    settleMs: 50,
    onChange: () => {
      changes++;
      for (const wake of waiters.splice(0)) wake();
    },
  });
  watchers.push(watcher);
  await watcher.ready();
  const nextChange = (what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no change seen after ${what}`)), 5000);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return { dir, file, nextChange, changes: () => changes };
}

describe('definition watcher', () => {
  it('sees in-place edits after a file was replaced by a rename (as sed -i and many editors save)', async () => {
    const { file, nextChange } = await watched();
    const renamed = nextChange('the rename-style save');
    writeFileSync(`${file}.tmp`, 'a: 2\n');
    renameSync(`${file}.tmp`, file);
    await renamed;
    const edited = nextChange('the in-place edit that followed');
    writeFileSync(file, 'a: 3\n');
    await edited;
    const appended = nextChange('a second in-place edit');
    writeFileSync(file, 'a: 3\nb: 4\n');
    await appended;
  });

  it('sees files in folders created while watching, and removed files', async () => {
    const { dir, file, nextChange } = await watched();
    const created = nextChange('a new file in a new folder');
    mkdirSync(path.join(dir, 'team-a'));
    writeFileSync(path.join(dir, 'team-a', 'more.yaml'), 'c: 1\n');
    await created;
    const removed = nextChange('the removal of a file');
    rmSync(file);
    await removed;
  });

  it('calls back once for a burst of writes', async () => {
    const { file, nextChange, changes } = await watched();
    const burst = nextChange('a burst of writes');
    for (let i = 0; i < 5; i++) writeFileSync(file, `a: ${i}\n`);
    await burst;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes()).toBe(1);
  });
});
