import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { makeFailoverProject, REGIONS, waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { getSlo, postJson } from './helpers/http.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

const FULL = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };

/**
 * A minute of probe-like counts seen from every vantage: `burning` fails for every vantage listed in
 * `seenFailingFrom`, everything else succeeds.
 */
function events(burning: string, seenFailingFrom: readonly string[], batchId: string) {
  const ts = new Date(Date.now() - 20_000).toISOString();
  const list = REGIONS.flatMap((region) =>
    REGIONS.map((vantage) => {
      const failing = region === burning && seenFailingFrom.includes(vantage);
      return { slo: 'api', ts, good: failing ? 0 : 60, total: 60, region, vantage };
    }),
  );
  return { batchId, events: list };
}

async function start(steps?: string, mode: 'auto' | 'manual' | 'dry-run' = 'auto') {
  const { dir, weightsFile } = makeFailoverProject({ mode, ...(steps ? { steps } : {}) });
  const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
  running.push(server);
  return { url: server.url, weightsFile };
}

interface Status {
  paused: boolean;
  regions: Record<string, { phase: string; weight: number; origin?: string; proposedAt?: string }>;
}
interface Audit {
  entries: Array<{ actor: string; action: string; region: string | null; outcome: string; reason: string }>;
}
const status = async (url: string) => (await (await fetch(`${url}/api/v1/failover`)).json()) as Status;
const audit = async (url: string) => (await (await fetch(`${url}/api/v1/failover/audit`)).json()) as Audit;

/** Waits until the page alert of `region` fires in the served report, then for two more evaluations. */
async function waitForBurnAndTwoRounds(url: string, region: string): Promise<void> {
  const firing = await waitFor(
    () => getSlo(url, 'api'),
    (slo) => slo.regions[region]?.alerts.some((a) => a.severity === 'page' && a.firing) === true,
  );
  expect(firing.regions[region]?.alerts.some((a) => a.severity === 'page' && a.firing)).toBe(true);
  const seenAt = Date.parse((await (await fetch(`${url}/api/v1/slos`)).json() as { at: string }).at);
  await waitFor(
    async () => Date.parse(((await (await fetch(`${url}/api/v1/slos`)).json()) as { at: string }).at),
    (at) => at >= seenAt + 2000,
  );
}

describe('failover end to end: pushed events → SLO engine → policy → provider', () => {
  it('drains a region burning from 2 vantages after the next evaluation, stepping down through the bake', async () => {
    const { url, weightsFile } = await start('[ { weightPercent: 50, bake: 1s }, { weightPercent: 0 } ]');
    expect((await postJson(`${url}/api/v1/events`, events('eu-west1', ['us-central1', 'asia-east1'], 'b1'))).status).toBe(200);
    const halfway = await waitFor(
      () => weightsOnDisk(weightsFile),
      (w) => w !== null,
    );
    // The first step may already have been followed by the second when we look; never anything else.
    expect([{ ...FULL, 'eu-west1': 50 }, { ...FULL, 'eu-west1': 0 }]).toContainEqual(halfway);
    const drained = await waitFor(
      () => weightsOnDisk(weightsFile),
      (w) => w?.['eu-west1'] === 0,
    );
    expect(drained).toEqual({ ...FULL, 'eu-west1': 0 });
    expect((await status(url)).regions['eu-west1']).toMatchObject({ phase: 'drained', weight: 0, origin: 'auto' });
    const drain = (await audit(url)).entries.find((e) => e.action === 'drain' && e.outcome === 'executed');
    expect(drain).toMatchObject({ actor: 'vigil', region: 'eu-west1' });
    expect(drain?.reason).toMatch(/page alert of api fires for eu-west1 from asia-east1, us-central1 \(quorum 2\)/);
  });

  it('does not drain on one vantage alone (quorum 2)', async () => {
    const { url, weightsFile } = await start();
    expect((await postJson(`${url}/api/v1/events`, events('eu-west1', ['us-central1'], 'b1'))).status).toBe(200);
    await waitForBurnAndTwoRounds(url, 'eu-west1');
    expect(weightsOnDisk(weightsFile)).toBeNull();
    expect((await status(url)).regions['eu-west1']?.phase).toBe('serving');
  });

  it('while paused, decides nothing on a burning region; on resume, drains it', async () => {
    const { url, weightsFile } = await start();
    expect((await postJson(`${url}/api/v1/failover/pause`, { reason: 'game day', actor: 'carol' })).status).toBe(200);
    expect((await postJson(`${url}/api/v1/events`, events('eu-west1', ['us-central1', 'asia-east1'], 'b1'))).status).toBe(200);
    await waitForBurnAndTwoRounds(url, 'eu-west1');
    expect(weightsOnDisk(weightsFile)).toBeNull();
    expect((await status(url)).regions['eu-west1']?.phase).toBe('serving');
    expect((await audit(url)).entries.map((e) => e.action)).toEqual(['pause']);

    const resume = await postJson<{ decisions: Array<{ action: string; region: string | null; outcome: string }> }>(`${url}/api/v1/failover/resume`, {
      reason: 'over',
      actor: 'carol',
    });
    expect(resume.status).toBe(200);
    // The round that carries the resume already sees the burn.
    expect(resume.body.decisions).toEqual([
      expect.objectContaining({ action: 'resume', outcome: 'executed' }),
      expect.objectContaining({ action: 'drain', region: 'eu-west1', outcome: 'executed' }),
    ]);
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });
  });

  it('in manual mode, proposes the drain and waits for the IMOC, whose drain then goes through', async () => {
    const { url, weightsFile } = await start(undefined, 'manual');
    expect((await postJson(`${url}/api/v1/events`, events('eu-west1', ['us-central1', 'asia-east1'], 'b1'))).status).toBe(200);
    const proposed = await waitFor(
      () => status(url),
      (s) => s.regions['eu-west1']?.proposedAt !== undefined,
    );
    expect(proposed.regions['eu-west1']).toMatchObject({ phase: 'serving', weight: 100, proposedAt: expect.any(String) });
    expect((await audit(url)).entries[0]).toMatchObject({ action: 'drain', region: 'eu-west1', outcome: 'proposed', actor: 'vigil' });
    await waitForBurnAndTwoRounds(url, 'eu-west1');
    expect(weightsOnDisk(weightsFile)).toBeNull();

    const drain = await postJson<{ decisions: Array<{ outcome: string; actor: string }> }>(`${url}/api/v1/failover/drain`, {
      region: 'eu-west1',
      reason: 'confirmed the proposal',
      onBehalfOf: 'dave',
    });
    expect(drain.status).toBe(200);
    expect(drain.body.decisions[0]).toMatchObject({ outcome: 'executed', actor: 'anonymous', onBehalfOf: 'dave' });
    expect(weightsOnDisk(weightsFile)).toEqual({ ...FULL, 'eu-west1': 0 });
    expect((await status(url)).regions['eu-west1']).toMatchObject({ phase: 'drained', origin: 'manual' });
  });
});
