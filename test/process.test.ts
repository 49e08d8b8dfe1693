import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { getReport, type IngestBody } from './helpers/http.js';
import { startVigil } from './helpers/processes.js';
import { makeProject } from './helpers/project.js';

describe('vigil up (the npm start command)', () => {
  it('prints its URL, serves /healthz, /api/v1/slos and /, and stops cleanly on Ctrl-C', async () => {
    const dir = makeProject();
    const vigil = await startVigil(['up'], { cwd: dir });
    expect(vigil.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${vigil.url}/healthz`)).status).toBe(200);
    expect((await getReport(vigil.url)).slos).toHaveLength(1);
    expect(await (await fetch(`${vigil.url}/`)).text()).toContain('SLO overview');
    vigil.child.kill('SIGINT');
    expect(await vigil.exited).toBe(0);
  });

  it('refuses to start on invalid definitions, printing file:line:col', async () => {
    const dir = makeProject({ slos: 'apiVersion: vigil/v1\nkind: SLO\nmetadata: { name: x, squad: y }\nspec: { objective: 120 }\n' });
    await expect(startVigil(['up'], { cwd: dir })).rejects.toThrow(/slo-definitions\/api\.yaml:4:\d+: /);
  });
});

describe('acknowledged events survive a crash', () => {
  it('keeps every acknowledged batch after SIGKILL, and a retried batch is counted once', async () => {
    const dir = makeProject();
    const dataDir = path.join(dir, 'crash-data');
    const first = await startVigil(['serve', '--data-dir', dataDir], { cwd: dir });
    const batch = (i: number) => ({
      batchId: `batch-${i}`,
      events: Array.from({ length: 10 }, (_, k) => ({
        slo: 'api',
        ts: new Date(Date.now() - k * 1000).toISOString(),
        good: 1,
        total: 1,
        region: 'eu-west1',
      })),
    });
    const send = (url: string, i: number) =>
      fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch(i)) });

    let acknowledged = 0;
    for (; acknowledged < 150; acknowledged++) {
      const res = await send(first.url, acknowledged);
      expect(res.status).toBe(200);
    }
    // Kill while the next batch is in flight: it may or may not have committed, but must not be half-stored.
    const inFlight = send(first.url, acknowledged).catch(() => null);
    first.child.kill('SIGKILL');
    await inFlight;
    await first.exited;

    const stored = () => {
      const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
      try {
        return db.prepare('SELECT COALESCE(SUM(total), 0) AS total FROM blocks').get() as { total: number };
      } finally {
        db.close();
      }
    };
    const afterCrash = stored().total;
    expect([acknowledged * 10, (acknowledged + 1) * 10]).toContain(afterCrash);

    const second = await startVigil(['serve', '--data-dir', dataDir], { cwd: dir });
    const retry = (await (await send(second.url, acknowledged)).json()) as IngestBody;
    expect(retry.duplicate).toBe(afterCrash === (acknowledged + 1) * 10);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(stored().total).toBe((acknowledged + 1) * 10);
  });
});
