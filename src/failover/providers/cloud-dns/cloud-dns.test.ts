// The cloud-dns provider through the real @google-cloud/dns client against a fake Cloud DNS API v1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vigilConfigSchema } from '../../../config/kinds/vigil-config.js';
import { ManualClock } from '../../../lib/clock.js';
import { silentLogger } from '../../../lib/logger.js';
import { openDatabase } from '../../../store/database.js';
import { FailoverStore } from '../../../store/failover-store.js';
import { Orchestrator } from '../../orchestrator.js';
import { initialState } from '../../policy/types.js';
import { type ProviderContext, ProviderError } from '../provider.js';
import { CloudDnsProvider } from './cloud-dns.js';
import { cloudDnsProviderSchema } from './schema.js';
import { FakeCloudDns, type FakeRecordSet } from './testing/fake-cloud-dns.js';

const context: ProviderContext = {
  regions: {
    'eu-west1': { weight: 100, capacity: 60, targets: ['203.0.113.10', '203.0.113.11'] },
    'us-central1': { weight: 50, capacity: 60, targets: ['198.51.100.10'] },
  },
  root: '/nonexistent',
  logger: silentLogger(),
};

const NAME = 'app.example.com.';

function wrr(eu: number, us: number): FakeRecordSet {
  return {
    name: NAME,
    type: 'A',
    ttl: 30,
    routingPolicy: {
      wrr: {
        items: [
          { weight: eu, rrdatas: ['203.0.113.10', '203.0.113.11'] },
          { weight: us, rrdatas: ['198.51.100.10'] },
        ],
      },
    },
  };
}

const signal = () => AbortSignal.timeout(10_000);

describe('cloud-dns provider against a fake Cloud DNS API', () => {
  let fake: FakeCloudDns;
  let provider: CloudDnsProvider;

  beforeAll(async () => {
    fake = await FakeCloudDns.start('my-project', [{ name: 'prod-zone', dnsName: 'example.com.' }]);
  });
  afterAll(async () => {
    await fake.close();
  });

  function createProvider(): CloudDnsProvider {
    const config = cloudDnsProviderSchema.parse({
      kind: 'cloud-dns',
      project: 'my-project',
      managedZone: 'prod-zone',
      name: 'App.Example.com',
      type: 'A',
      ttl: 30,
      apiEndpoint: fake.endpoint,
    });
    return new CloudDnsProvider(config, context);
  }

  afterEach(async () => {
    await provider?.close();
  });

  it('reads the weights of the WRR record set, item by item mapped to regions by their rrdatas', async () => {
    fake.put('prod-zone', wrr(100, 50));
    provider = createProvider();
    await expect(provider.read(signal())).resolves.toEqual({ 'eu-west1': 100, 'us-central1': 50 });
    expect(fake.requests).toContain('GET /dns/v1/projects/my-project/managedZones/prod-zone');
    expect(fake.requests).toContain('GET /dns/v1/projects/my-project/managedZones/prod-zone/rrsets');
  });

  it('drains a region with one Change that deletes the record set as read and adds the new one', async () => {
    fake.put('prod-zone', wrr(100, 50));
    provider = createProvider();
    await provider.read(signal());
    const changesBefore = fake.changeCount('prod-zone');
    await provider.apply({ 'eu-west1': 0, 'us-central1': 50 }, signal());
    expect(fake.changeCount('prod-zone')).toBe(changesBefore + 1);
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(0, 50) }]);
    expect(fake.requests.at(-1)).toMatch(/^GET .*\/changes\/\d+$/);
    await expect(provider.read(signal())).resolves.toEqual({ 'eu-west1': 0, 'us-central1': 50 });
    // A second apply right after starts from what the first one wrote, without reading again.
    const requests = fake.requests.length;
    await provider.apply({ 'eu-west1': 100, 'us-central1': 50 }, signal());
    expect(fake.requests.slice(requests).filter((r) => r.startsWith('POST'))).toHaveLength(1);
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(100, 50) }]);
  });

  it('creates the record set when there is none, and reads every region as 0 before that', async () => {
    const fresh = await FakeCloudDns.start('my-project', [{ name: 'prod-zone', dnsName: 'example.com.' }]);
    try {
      const config = cloudDnsProviderSchema.parse({ kind: 'cloud-dns', project: 'my-project', managedZone: 'prod-zone', name: NAME, apiEndpoint: fresh.endpoint });
      provider = new CloudDnsProvider(config, context);
      await expect(provider.read(signal())).resolves.toEqual({ 'eu-west1': 0, 'us-central1': 0 });
      await provider.apply({ 'eu-west1': 100, 'us-central1': 50 }, signal());
      expect(fresh.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(100, 50) }]);
    } finally {
      await fresh.close();
    }
  });

  it('lets the orchestrator settle a change a crash left pending before the record set ever existed, by creating it', async () => {
    const fresh = await FakeCloudDns.start('my-project', [{ name: 'prod-zone', dnsName: 'example.com.' }]);
    const db = openDatabase(':memory:');
    try {
      const config = cloudDnsProviderSchema.parse({ kind: 'cloud-dns', project: 'my-project', managedZone: 'prod-zone', name: NAME, apiEndpoint: fresh.endpoint });
      provider = new CloudDnsProvider(config, context);
      const policy = vigilConfigSchema.parse({
        apiVersion: 'vigil/v1',
        kind: 'Config',
        spec: { regions: context.regions, failover: { mode: 'auto', triggers: { slos: ['api'], quorum: 1 }, safety: { minServingRegions: 1 } } },
      }).spec;
      const store = new FailoverStore(db);
      const prior = initialState(Object.keys(context.regions));
      const drained = { ...prior, regions: { ...prior.regions, 'us-central1': { phase: 'drained' as const, since: 0, origin: 'manual' as const } } };
      const full = { 'eu-west1': 100, 'us-central1': 50 };
      // What a crash between the journal and the first Change leaves: a pending drain, no record set.
      store.record(JSON.stringify(drained), [], { before: full, after: { ...full, 'us-central1': 0 }, priorState: JSON.stringify(prior) }, 0);
      const orchestrator = new Orchestrator({
        config: { regions: policy.regions, failover: policy.failover as NonNullable<typeof policy.failover> },
        provider,
        store,
        clock: new ManualClock(0),
        logger: silentLogger(),
        retry: { attempts: 1, minTimeoutMs: 1, callTimeoutMs: 10_000 },
      });
      await orchestrator.recover();
      expect(store.pending()).toEqual([]);
      expect(orchestrator.status().state.regions['us-central1']).toEqual({ phase: 'serving' });
      expect(fresh.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(100, 50) }]);
    } finally {
      db.close();
      await fresh.close();
    }
  });

  it('refuses a change when someone else modified the record set between read and apply, applying nothing', async () => {
    fake.put('prod-zone', wrr(100, 50));
    provider = createProvider();
    await provider.read(signal());
    fake.put('prod-zone', wrr(70, 50));
    const changesBefore = fake.changeCount('prod-zone');
    const error = await provider.apply({ 'eu-west1': 0, 'us-central1': 50 }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/412|changed since it was read/);
    expect(fake.changeCount('prod-zone')).toBe(changesBefore);
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(70, 50) }]);
    // The next attempt starts from the record set as it now is.
    await provider.apply({ 'eu-west1': 0, 'us-central1': 50 }, signal());
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(0, 50) }]);
  });

  it('is rejected by the API when someone else changes the record set after it was listed, applying nothing', async () => {
    fake.put('prod-zone', wrr(100, 50));
    provider = createProvider();
    fake.beforeNextChange(() => fake.put('prod-zone', wrr(100, 10)));
    const error = await provider.apply({ 'eu-west1': 0, 'us-central1': 50 }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/changed since it was read.*Precondition not met/);
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(100, 10) }]);
  });

  it('maps WRR items back to regions and refuses items that match no region', async () => {
    provider = createProvider();
    fake.put('prod-zone', {
      name: NAME,
      type: 'A',
      ttl: 30,
      routingPolicy: { wrr: { items: [{ weight: 1, rrdatas: ['198.51.100.10'] }, { weight: 1, rrdatas: ['192.0.2.99'] }] } },
    });
    await expect(provider.read(signal())).rejects.toThrow(/WRR item 1 \(192\.0\.2\.99\) matches no configured region/);
    fake.put('prod-zone', { name: NAME, type: 'A', ttl: 30, routingPolicy: { wrr: { items: [{ weight: 2.5, rrdatas: ['203.0.113.11', '203.0.113.10'] }] } } });
    await expect(provider.read(signal())).resolves.toEqual({ 'eu-west1': 2.5, 'us-central1': 0 });
  });

  it('reads a plain record set as full weight for the regions whose addresses it lists', async () => {
    provider = createProvider();
    fake.put('prod-zone', { name: NAME, type: 'A', ttl: 300, rrdatas: ['198.51.100.10'] });
    await expect(provider.read(signal())).resolves.toEqual({ 'eu-west1': 0, 'us-central1': 50 });
    fake.put('prod-zone', { name: NAME, type: 'A', ttl: 300, rrdatas: ['198.51.100.10', '203.0.113.10'] });
    await expect(provider.read(signal())).rejects.toThrow(/only some of eu-west1's targets/);
  });

  it.each([
    ['an all-zero weights map', { 'eu-west1': 0, 'us-central1': 0 }, /every region to weight 0/],
    ['an unknown region', { 'eu-west1': 100, 'us-central1': 50, 'asia-east1': 10 }, /unknown region\(s\) asia-east1/],
    ['a missing region', { 'eu-west1': 100 }, /no weight for region\(s\) us-central1/],
    ['a negative weight', { 'eu-west1': -1, 'us-central1': 50 }, /finite number >= 0/],
  ])('refuses %s without calling the API', async (_, weights, message) => {
    provider = createProvider();
    const requests = fake.requests.length;
    await expect(provider.apply(weights, signal())).rejects.toThrow(message);
    await expect(provider.apply(weights, signal())).rejects.toBeInstanceOf(ProviderError);
    expect(fake.requests.length).toBe(requests);
  });

  it('says which managed zone is missing', async () => {
    const config = cloudDnsProviderSchema.parse({ kind: 'cloud-dns', project: 'my-project', managedZone: 'nope-zone', name: NAME, apiEndpoint: fake.endpoint });
    provider = new CloudDnsProvider(config, context);
    await expect(provider.read(signal())).rejects.toThrow(/managed zone nope-zone in project my-project not found/);
  });

  it('stops waiting when the signal aborts', async () => {
    fake.put('prod-zone', wrr(100, 50));
    provider = createProvider();
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await expect(provider.read(controller.signal)).rejects.toThrow('deadline');
    await expect(provider.apply({ 'eu-west1': 0, 'us-central1': 50 }, controller.signal)).rejects.toThrow('deadline');
    expect(fake.recordSets('prod-zone')).toEqual([{ kind: 'dns#resourceRecordSet', ...wrr(100, 50) }]);
  });
});
