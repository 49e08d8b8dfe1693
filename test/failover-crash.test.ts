import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeFailoverProject, waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { startVigil } from './helpers/processes.js';

interface Status {
  regions: Record<string, { phase: string }>;
  weights: Record<string, number>;
  pending?: Array<{ id: number; after: Record<string, number> }>;
}
interface Audit {
  entries: Array<{ action: string; outcome: string; reason: string }>;
}

const FULL = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };

describe('failover survives a crash mid-drain', () => {
  it('after SIGKILL between journal and provider, the restarted server rolls the drain back and audits it', async () => {
    const { dir, weightsFile } = makeFailoverProject();
    const first = await startVigil(['serve'], { cwd: dir });
    // The file provider's first write goes to `weights.json.<pid>.1.tmp`: as a FIFO nobody reads, opening it
    // blocks, so the server is stopped exactly after journaling the change and before it reaches the provider.
    const fifo = `${weightsFile}.${first.child.pid}.1.tmp`;
    execFileSync('mkfifo', [fifo]);
    const drain = fetch(`${first.url}/api/v1/failover/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ region: 'eu-west1', reason: 'crash test' }),
    }).catch(() => null);
    const status = async (url: string) => (await (await fetch(`${url}/api/v1/failover`)).json()) as Status;
    const inFlight = await waitFor(
      () => status(first.url),
      (s) => (s.pending?.length ?? 0) > 0,
    );
    expect(inFlight.pending?.[0]?.after).toEqual({ ...FULL, 'eu-west1': 0 });
    expect(inFlight.regions['eu-west1']?.phase).toBe('drained');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await drain).toBeNull();
    rmSync(fifo);
    expect(weightsOnDisk(weightsFile)).toBeNull();

    const second = await startVigil(['serve'], { cwd: dir });
    try {
      const after = await waitFor(
        () => status(second.url),
        (s) => s.pending === undefined,
      );
      expect(after.pending).toBeUndefined();
      expect(after.regions['eu-west1']?.phase).toBe('serving');
      expect(after.weights).toEqual(FULL);
      const audit = (await (await fetch(`${second.url}/api/v1/failover/audit`)).json()) as Audit;
      expect(audit.entries[0]).toMatchObject({ action: 'recover', outcome: 'executed', reason: expect.stringContaining('rolled back') });
      expect(audit.entries.find((e) => e.action === 'drain')).toMatchObject({ outcome: 'executed', reason: 'crash test' });
      // The policy is free to decide again: the drain goes through this time.
      const again = await fetch(`${second.url}/api/v1/failover/drain`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ region: 'eu-west1', reason: 'after the crash' }),
      });
      expect(again.status).toBe(200);
      expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });
    } finally {
      second.child.kill('SIGINT');
      await second.exited;
    }
  });
});
