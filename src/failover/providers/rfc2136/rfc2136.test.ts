// The rfc2136 provider against a real BIND 9 started on a free 127.0.0.1 port, checked with dig.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import { type ProviderContext, ProviderError } from '../provider.js';
import { Rfc2136Provider } from './rfc2136.js';
import { rfc2136ProviderSchema } from './schema.js';
import { dig, type Named, nsupdate, startNamed } from './testing/bind.js';

const SECRET = randomBytes(32).toString('base64');
const SECRET_ENV = 'VIGIL_TEST_TSIG_SECRET';
const KEY = { name: 'vigil-key', secret: SECRET };
const READER = { name: 'reader-key', secret: randomBytes(32).toString('base64') };

const context: ProviderContext = {
  regions: {
    'eu-west1': { weight: 100, capacity: 60, targets: ['203.0.113.10', '203.0.113.11'] },
    'us-central1': { weight: 50, capacity: 60, targets: ['198.51.100.10', '2001:db8::10'] },
  },
  root: '/nonexistent',
  logger: silentLogger(),
};

const ZONE = `$TTL 300
@ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
@ IN NS ns1.example.com.
ns1 IN A 127.0.0.1
app IN A 203.0.113.10
app IN A 203.0.113.11
app IN A 198.51.100.10
app IN AAAA 2001:db8::10
`;

const signal = () => AbortSignal.timeout(10_000);

describe('rfc2136 provider against BIND 9', () => {
  let named: Named;

  beforeAll(async () => {
    named = await startNamed({ zone: 'example.com', records: ZONE, keyName: KEY.name, secret: SECRET, readOnlyKey: READER });
    process.env[SECRET_ENV] = SECRET;
  });
  afterAll(async () => {
    delete process.env[SECRET_ENV];
    await named?.stop();
  });

  function provider(key: Record<string, string> = { name: 'vigil-key', secretEnv: SECRET_ENV }): Rfc2136Provider {
    const config = rfc2136ProviderSchema.parse({
      kind: 'rfc2136',
      server: `127.0.0.1:${named.port}`,
      zone: 'example.com.',
      name: 'app.example.com',
      ttl: 30,
      key,
    });
    return new Rfc2136Provider(config, context);
  }

  const serial = async () => Number((await dig(named.port, 'example.com', 'SOA'))[0]?.split(' ')[2]);
  const published = async () => [...(await dig(named.port, 'app.example.com', 'A')), ...(await dig(named.port, 'app.example.com', 'AAAA'))].sort();
  const weightsTxt = () => dig(named.port, '_vigil-weights.app.example.com', 'TXT');

  /** Back to the zone file's addresses and no weights TXT, through nsupdate (independent of the provider). */
  async function reset(): Promise<void> {
    const result = await nsupdate(
      `server 127.0.0.1 ${named.port}\nzone example.com\nupdate delete app.example.com A\nupdate delete app.example.com AAAA\n` +
        'update delete _vigil-weights.app.example.com TXT\n' +
        'update add app.example.com 300 A 203.0.113.10\nupdate add app.example.com 300 A 203.0.113.11\n' +
        'update add app.example.com 300 A 198.51.100.10\nupdate add app.example.com 300 AAAA 2001:db8::10\nsend\n',
      KEY,
    );
    expect(result.code, result.output).toBe(0);
  }

  beforeEach(reset);

  it('derives the weights from the published addresses while there is no weights TXT', async () => {
    expect(await weightsTxt()).toEqual([]);
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 100, 'us-central1': 50 });
  });

  it('drains a region in one UPDATE: its addresses leave, the TXT records the weights, the serial moves once', async () => {
    const before = await serial();
    await provider().apply({ 'eu-west1': 0, 'us-central1': 50 }, signal());
    expect(await published()).toEqual(['198.51.100.10', '2001:db8::10']);
    expect(await weightsTxt()).toEqual(['"eu-west1=0" "us-central1=50"']);
    expect(await serial()).toBe(before + 1);
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 0, 'us-central1': 50 });
  });

  it('publishes a share of a region\'s addresses of each family for a partial weight, and the exact weights in the TXT', async () => {
    // eu-west1 has two IPv4 targets: at half its weight, one of them is published.
    await provider().apply({ 'eu-west1': 50, 'us-central1': 50 }, signal());
    expect(await published()).toEqual(['198.51.100.10', '2001:db8::10', '203.0.113.10']);
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 50, 'us-central1': 50 });
    // us-central1 has one address per family: every weight above 0 publishes both.
    await provider().apply({ 'eu-west1': 100, 'us-central1': 12.5 }, signal());
    expect(await published()).toEqual(['198.51.100.10', '2001:db8::10', '203.0.113.10', '203.0.113.11'].sort());
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 100, 'us-central1': 12.5 });
    await provider().apply({ 'eu-west1': 25, 'us-central1': 0 }, signal());
    expect(await published()).toEqual(['203.0.113.10']);
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 25, 'us-central1': 0 });
  });

  it.each([
    ['a wrong secret', { name: 'vigil-key', secret: randomBytes(32).toString('base64') }, /rejected key vigil-key\.: BADSIG \(NOTAUTH/],
    ['an unknown key', { name: 'other-key', secret: SECRET }, /rejected key other-key\.: BADKEY \(NOTAUTH/],
  ])('is refused with %s, and nothing changes', async (_, key, message) => {
    const before = await serial();
    const error = await provider(key)
      .apply({ 'eu-west1': 0, 'us-central1': 50 }, signal())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(message);
    expect(await serial()).toBe(before);
    expect(await published()).toHaveLength(4);
    expect(await weightsTxt()).toEqual([]);
  });

  it('is REFUSED with a key the zone does not allow to update, which may still read', async () => {
    const before = await serial();
    const reader = provider(READER);
    await expect(reader.read(signal())).resolves.toEqual({ 'eu-west1': 100, 'us-central1': 50 });
    const error = await reader.apply({ 'eu-west1': 0, 'us-central1': 50 }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/refused the update of app\.example\.com\.: REFUSED \(the key may not update this zone/);
    expect(await serial()).toBe(before);
  });

  it('refuses a weights TXT that disagrees with the published addresses (someone edited the zone)', async () => {
    const result = await nsupdate(
      `server 127.0.0.1 ${named.port}\nzone example.com\nupdate add _vigil-weights.app.example.com 30 TXT "eu-west1=0" "us-central1=50"\nsend\n`,
      KEY,
    );
    expect(result.code, result.output).toBe(0);
    await expect(provider().read(signal())).rejects.toThrow(/disagree \(eu-west1=0 but 2 of its 2 addresses published\)/);
  });

  it('refuses addresses that belong to no region; without a TXT, reads a region published in part as that share of its weight', async () => {
    const stray = await nsupdate(`server 127.0.0.1 ${named.port}\nzone example.com\nupdate add app.example.com 30 A 192.0.2.99\nsend\n`, KEY);
    expect(stray.code, stray.output).toBe(0);
    await expect(provider().read(signal())).rejects.toThrow(/publishes 192\.0\.2\.99, which is no configured region's target/);
    const partial = await nsupdate(
      `server 127.0.0.1 ${named.port}\nzone example.com\nupdate delete app.example.com A 192.0.2.99\nupdate delete app.example.com A 203.0.113.11\nsend\n`,
      KEY,
    );
    expect(partial.code, partial.output).toBe(0);
    await expect(provider().read(signal())).resolves.toEqual({ 'eu-west1': 50, 'us-central1': 50 });
  });

  it('refuses all-zero and unknown-region weights without sending an update', async () => {
    const before = await serial();
    await expect(provider().apply({ 'eu-west1': 0, 'us-central1': 0 }, signal())).rejects.toThrow(/every region to weight 0/);
    await expect(provider().apply({ 'eu-west1': 100, 'us-central1': 50, mars: 1 }, signal())).rejects.toBeInstanceOf(ProviderError);
    expect(await serial()).toBe(before);
  });

  it('says when the secret environment variable is not set', async () => {
    await expect(provider({ name: 'vigil-key', secretEnv: 'VIGIL_TEST_UNSET_SECRET' }).read(signal())).rejects.toThrow(
      /VIGIL_TEST_UNSET_SECRET \(the TSIG secret of vigil-key\.\) is not set/,
    );
  });

  it('is refused with NOTAUTH when the server does not serve the zone', async () => {
    const config = rfc2136ProviderSchema.parse({
      kind: 'rfc2136',
      server: `127.0.0.1:${named.port}`,
      zone: 'example.net.',
      name: 'app.example.net.',
      key: { name: 'vigil-key', secret: SECRET },
    });
    const error = await new Rfc2136Provider(config, context).apply({ 'eu-west1': 100, 'us-central1': 50 }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/refused the update of app\.example\.net\.: NOTAUTH \(the server is not authoritative/);
  });

  it('gives up with the signal reason when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await expect(provider().apply({ 'eu-west1': 0, 'us-central1': 50 }, controller.signal)).rejects.toThrow('deadline');
    expect(await published()).toHaveLength(4);
  });
});
