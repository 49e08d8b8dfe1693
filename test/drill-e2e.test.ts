// A drill end to end: `vigil serve` (the real binary) with the file provider and spec.auth; the IMOC plans,
// starts and aborts a drill with the CLI, and reads its report.
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { AUTH_ENV, AUTH_YAML, DRILL_YAML, IDENTITIES } from './helpers/auth-project.js';
import { makeFailoverProject, waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { captureIo } from './helpers/io.js';
import { startVigil, type VigilProcess } from './helpers/processes.js';

const running: VigilProcess[] = [];
afterEach(async () => {
  for (const vigil of running.splice(0)) {
    vigil.child.kill('SIGTERM');
    await vigil.exited;
  }
});

async function drill(url: string, token: string, ...args: string[]) {
  const io = captureIo();
  const code = await run(['drill', ...args, '--server', url, '--token', token], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const FULL = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };

describe('vigil drill against a running server', () => {
  it('lists, plans, refuses a viewer, starts, aborts and reports a drill', async () => {
    const { dir, weightsFile } = makeFailoverProject({ auth: AUTH_YAML, extra: DRILL_YAML });
    const vigil = await startVigil(['serve', '--port', '0'], { cwd: dir, env: AUTH_ENV });
    running.push(vigil);
    const imoc = IDENTITIES.imoc.token;

    const list = await drill(vigil.url, IDENTITIES.viewer.token, 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/eu-evacuation\s+eu-west1\s+on demand\s+-/);
    const plan = await drill(vigil.url, IDENTITIES.viewer.token, 'plan', 'eu-evacuation');
    expect(plan).toMatchObject({ code: 0 });
    expect(plan.stdout).toContain('drill eu-evacuation of eu-west1: can start now');
    expect(plan.stdout).toContain('drain step 1: 0% (bake 0 s) -> eu-west1=0 us-central1=100 asia-east1=100');

    const refused = await drill(vigil.url, IDENTITIES.viewer.token, 'start', 'eu-evacuation', '--reason', 'weekly');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('it needs role imoc or admin (HTTP 403 forbidden)');
    expect(await drill(vigil.url, imoc, 'start', 'no-such-drill', '--reason', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('no drill named "no-such-drill"') });

    const started = await drill(vigil.url, imoc, 'start', 'eu-evacuation', '--reason', 'weekly evacuation');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^eu-evacuation r-\S+ {2}draining/);
    const runId = started.stdout.split(' ')[1] ?? '';
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });
    await waitFor(
      async () => (await drill(vigil.url, imoc, 'runs', 'eu-evacuation')).stdout,
      (out) => out.includes('holding'),
    );
    // A second start while one runs is refused: exit 1, with why.
    const second = await drill(vigil.url, imoc, 'start', 'eu-evacuation', '--reason', 'again');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/not started: .*is holding/);

    const aborted = await drill(vigil.url, imoc, 'abort', 'eu-evacuation', '--reason', 'end of the test');
    expect(aborted.code).toBe(0);
    const report = await waitFor(
      async () => JSON.parse((await drill(vigil.url, IDENTITIES.viewer.token, 'report', 'eu-evacuation', '--run', runId, '--format', 'json')).stdout) as { outcome: string | null },
      (r) => r.outcome !== null,
    );
    expect(report).toMatchObject({ drill: 'eu-evacuation', region: 'eu-west1', outcome: 'aborted', reason: 'aborted by ida: end of the test', requestedBy: 'ida', approvedBy: 'ida', drainSeconds: expect.any(Number), runbook: 'runbooks/api.md' });
    expect((report as unknown as { audit: Array<{ actor: string; action: string }> }).audit.map((a) => [a.actor, a.action])).toEqual([
      ['ida', 'drain'],
      ['ida', 'restore'],
    ]);
    expect(weightsOnDisk(weightsFile)).toEqual(FULL);
    const markdown = await drill(vigil.url, IDENTITIES.viewer.token, 'report', 'eu-evacuation', '--run', runId, '--format', 'markdown');
    expect(markdown.stdout).toContain('# Drill eu-evacuation, run r-');
    expect(markdown.stdout).toContain('- **Outcome:** aborted (aborted by ida: end of the test)');
    // The two runs: the aborted one and the refused second start.
    expect((await drill(vigil.url, imoc, 'runs', 'eu-evacuation')).stdout.trim().split('\n').map((l) => l.split(/\s+/)[1])).toEqual(['skipped', 'aborted']);
  }, 60_000);
});
