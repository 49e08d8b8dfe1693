// The haproxy provider against a real HAProxy in front of real HTTP backends, checked through the admin
// socket and by sending requests through HAProxy's frontend.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/helpers/io.js';
import { run } from '../../../cli/main.js';
import { silentLogger } from '../../../lib/logger.js';
import { type ProviderContext, ProviderError, type Weights } from '../provider.js';
import { HaproxyProvider } from './haproxy.js';
import { afterCommands, commandLine, emptiesBackend, planApply } from './plan.js';
import { haproxyProviderSchema } from './schema.js';
import type { ServerState } from './servers-state.js';
import { adminCommand, type Backend, type Haproxy, requestsThrough, serversState, startBackend, startHaproxy } from './testing/haproxy.js';

const REGION_SERVERS = { 'eu-west1': ['eu1', 'eu2'], 'us-central1': ['us1'], 'asia-east1': ['asia1'] };
const ALL_SERVERS = Object.values(REGION_SERVERS).flat();
const FULL: Weights = { 'eu-west1': 100, 'us-central1': 100, 'asia-east1': 100 };
const DRAIN = 0x08;
const MAINT = 0x01;

const context: ProviderContext = {
  regions: {
    'eu-west1': { weight: 100, capacity: 60, targets: [] },
    'us-central1': { weight: 100, capacity: 60, targets: [] },
    'asia-east1': { weight: 100, capacity: 50, targets: [] },
  },
  root: '/nonexistent',
  logger: silentLogger(),
};

const signal = () => AbortSignal.timeout(20_000);

describe('haproxy provider against a real HAProxy', () => {
  const backends = new Map<string, Backend>();
  let haproxy: Haproxy;

  beforeAll(async () => {
    for (const name of ALL_SERVERS) backends.set(name, await startBackend(name));
    const servers = (prefix: string) => ALL_SERVERS.map((name) => ({ name: `${prefix}${name}`, port: backends.get(name)?.port ?? 0, weight: 100 }));
    haproxy = await startHaproxy({
      be_app: { balance: 'roundrobin', servers: servers('') },
      // A static algorithm: HAProxy only accepts weights 0 % and 100 % here.
      be_static: { balance: 'source', servers: servers('st_') },
    });
  }, 30_000);
  afterAll(async () => {
    await haproxy?.stop();
    await Promise.all([...backends.values()].map((b) => b.stop()));
  });

  /** Every server back to weight 100 and ready, through the admin socket (independent of the provider). */
  beforeEach(async () => {
    for (const backend of ['be_app', 'be_static']) {
      for (const server of await serversState(haproxy.socket, backend)) {
        expect(await adminCommand(haproxy.socket, `set weight ${backend}/${server.name} 100`)).toBe('\n');
        expect(await adminCommand(haproxy.socket, `set server ${backend}/${server.name} state ready`)).toBe('\n');
      }
    }
  });

  function provider(overrides: Record<string, unknown> = {}): HaproxyProvider {
    const config = haproxyProviderSchema.parse({ kind: 'haproxy', socket: haproxy.socket, backend: 'be_app', servers: REGION_SERVERS, ...overrides });
    return new HaproxyProvider(config, context);
  }

  const rows = async (backend = 'be_app') => Object.fromEntries((await serversState(haproxy.socket, backend)).map((s) => [s.name, s]));
  const countByServer = (names: string[]) => Object.fromEntries(ALL_SERVERS.map((server) => [server, names.filter((n) => n === server).length]));

  it('reads every region at its servers weight, over the unix socket and over TCP alike', async () => {
    await expect(provider().read(signal())).resolves.toEqual(FULL);
    const overTcp = provider({ socket: undefined, address: `127.0.0.1:${haproxy.adminPort}` });
    await expect(overTcp.read(signal())).resolves.toEqual(FULL);
  });

  it('drains a region: its servers go to weight 0 in drain state and no request reaches them', async () => {
    const drained = { ...FULL, 'eu-west1': 0 };
    await provider().apply(drained, signal());

    const state = await rows();
    for (const name of ['eu1', 'eu2']) {
      expect(state[name]?.weight).toBe(0);
      expect((state[name]?.adminState ?? 0) & DRAIN).toBe(DRAIN);
    }
    for (const name of ['us1', 'asia1']) expect(state[name]).toMatchObject({ weight: 100, adminState: 0, opState: 2 });
    await expect(provider().read(signal())).resolves.toEqual(drained);

    const hits = countByServer(await requestsThrough(haproxy.frontendPort, 40));
    expect(hits).toMatchObject({ eu1: 0, eu2: 0 });
    expect(hits.us1).toBeGreaterThan(0);
    expect(hits.asia1).toBeGreaterThan(0);
    expect((hits.us1 ?? 0) + (hits.asia1 ?? 0)).toBe(40);
  });

  it('restores a drained region: weight back, drain state cleared, traffic back', async () => {
    await provider().apply({ ...FULL, 'eu-west1': 0 }, signal());
    await provider().apply(FULL, signal());

    for (const server of Object.values(await rows())) expect(server).toMatchObject({ weight: 100, adminState: 0 });
    await expect(provider().read(signal())).resolves.toEqual(FULL);
    const hits = countByServer(await requestsThrough(haproxy.frontendPort, 40));
    for (const name of ALL_SERVERS) expect(hits[name]).toBe(10);
  });

  it('applies a 50 % step: the region keeps serving with half the weight, and a third of the traffic instead of half', async () => {
    const half = { ...FULL, 'eu-west1': 50 };
    await provider().apply(half, signal());

    const state = await rows();
    expect([state.eu1?.weight, state.eu2?.weight, state.us1?.weight, state.asia1?.weight]).toEqual([50, 50, 100, 100]);
    expect(Object.values(state).every((s) => s.adminState === 0)).toBe(true);
    await expect(provider().read(signal())).resolves.toEqual(half);

    // Round robin over weights 50+50 / 100 / 100: eu gets 1/3 of 60 requests (before: 1/2).
    const hits = countByServer(await requestsThrough(haproxy.frontendPort, 60));
    expect((hits.eu1 ?? 0) + (hits.eu2 ?? 0)).toBe(20);
    expect([hits.us1, hits.asia1]).toEqual([20, 20]);
  });

  it('reads servers of one region that disagree as their mean, so the orchestrator sees neither old nor new', async () => {
    expect(await adminCommand(haproxy.socket, 'set weight be_app/eu1 30')).toBe('\n');
    await expect(provider().read(signal())).resolves.toEqual({ ...FULL, 'eu-west1': 65 });
    await provider().apply(FULL, signal());
    await expect(provider().read(signal())).resolves.toEqual(FULL);
  });

  it('leaves servers someone put in maintenance out of the weight and in maintenance after a restore', async () => {
    await provider().apply({ ...FULL, 'eu-west1': 0 }, signal());
    expect(await adminCommand(haproxy.socket, 'set server be_app/eu2 state maint')).toBe('\n');
    await provider().apply(FULL, signal());

    const state = await rows();
    expect(state.eu1).toMatchObject({ weight: 100, adminState: 0 });
    expect(state.eu2?.weight).toBe(100);
    expect((state.eu2?.adminState ?? 0) & MAINT).toBe(MAINT);
    await expect(provider().read(signal())).resolves.toEqual(FULL);
  });

  it('refuses a drain that would leave the backend with no server taking traffic, changing nothing', async () => {
    for (const name of ['us1', 'asia1']) expect(await adminCommand(haproxy.socket, `set server be_app/${name} state maint`)).toBe('\n');
    const error = await provider()
      .apply({ ...FULL, 'eu-west1': 0 }, signal())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/backend be_app would be left with no server taking traffic; nothing was changed/);
    const state = await rows();
    expect([state.eu1, state.eu2]).toMatchObject([
      { weight: 100, adminState: 0 },
      { weight: 100, adminState: 0 },
    ]);
  });

  it('refuses all-zero, unknown-region and fractional weights without sending a command', async () => {
    const p = provider();
    await expect(p.apply({ 'eu-west1': 0, 'us-central1': 0, 'asia-east1': 0 }, signal())).rejects.toThrow(/refusing to set every region to weight 0/);
    await expect(p.apply({ ...FULL, mars: 100 }, signal())).rejects.toThrow(/unknown region\(s\) mars/);
    await expect(p.apply({ ...FULL, 'eu-west1': 37.5 }, signal())).rejects.toThrow(/weight of eu-west1 is 37.5: HAProxy server weights are whole numbers from 0 to 256/);
    await expect(p.apply({ ...FULL, 'eu-west1': 300 }, signal())).rejects.toThrow(ProviderError);
    for (const server of Object.values(await rows())) expect(server).toMatchObject({ weight: 100, adminState: 0 });
  });

  it("passes on HAProxy's own error text: unknown backend, and a weight a static algorithm refuses", async () => {
    await expect(provider({ backend: 'be_nope' }).read(signal())).rejects.toThrow(/"show servers state be_nope" failed: Can't find backend\./);

    const onStatic = provider({ backend: 'be_static', servers: { 'eu-west1': ['st_eu1', 'st_eu2'], 'us-central1': ['st_us1'], 'asia-east1': ['st_asia1'] } });
    const error = await onStatic.apply({ ...FULL, 'eu-west1': 50 }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/"set weight be_static\/st_eu1 50" failed: Backend is using a static LB algorithm and only accepts weights '0%' and '100%'\. \(0 of 2 commands/);
    // A static backend still takes a whole drain.
    await onStatic.apply({ ...FULL, 'eu-west1': 0 }, signal());
    expect((await rows('be_static')).st_eu1).toMatchObject({ weight: 0, adminState: DRAIN });
  });

  it('names the configured servers the backend does not have, before changing anything', async () => {
    const p = provider({ servers: { ...REGION_SERVERS, 'asia-east1': ['asia1', 'asia9'] } });
    await expect(p.read(signal())).rejects.toThrow(/backend be_app at .* has no server asia9 \(its servers: eu1, eu2, us1, asia1\)/);
    await expect(p.apply({ ...FULL, 'eu-west1': 0 }, signal())).rejects.toThrow(ProviderError);
    for (const server of Object.values(await rows())) expect(server).toMatchObject({ weight: 100, adminState: 0 });
  });

  it('says when the socket does not exist', async () => {
    const missing = path.join(path.dirname(haproxy.socket), 'no-such.sock');
    const error = await provider({ socket: missing })
      .read(signal())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain(`haproxy: ${missing}: cannot talk to the runtime API: connect ENOENT`);
  });

  it('gives up with the signal reason when aborted, before or while waiting for an answer', async () => {
    const reason = new Error('shutting down');
    await expect(provider().apply({ ...FULL, 'eu-west1': 0 }, AbortSignal.abort(reason))).rejects.toBe(reason);
    for (const server of Object.values(await rows())) expect(server).toMatchObject({ weight: 100, adminState: 0 });

    await withSilentSocket(async (socket, connected) => {
      const controller = new AbortController();
      const reading = provider({ socket }).read(controller.signal);
      await connected;
      controller.abort(reason);
      await expect(reading).rejects.toBe(reason);
    });
  });

  it('times out a runtime API command that gets no answer', async () => {
    await withSilentSocket(async (socket) => {
      await expect(provider({ socket, timeout: '300ms' }).read(signal())).rejects.toThrow(/no answer within 300 ms to "show servers state be_app"/);
    });
  });
});

/** A unix socket that accepts connections and never answers, as a hung HAProxy would. */
async function withSilentSocket(body: (socket: string, connected: Promise<void>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-silent-'));
  const socket = path.join(dir, 'silent.sock');
  const clients: Socket[] = [];
  let onConnection = () => {};
  const connected = new Promise<void>((resolve) => {
    onConnection = resolve;
  });
  const server = createServer((client) => {
    clients.push(client);
    onConnection();
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    await body(socket, connected);
  } finally {
    for (const client of clients) client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}

describe('haproxy apply plan', () => {
  const server = (name: string, userWeight: number, flags: Partial<ServerState> = {}): [string, ServerState] => [
    name,
    { name, userWeight, drained: false, maintenance: false, ...flags },
  ];
  const servers = (...entries: [string, ServerState][]) => new Map(entries);

  it('raises the receiving regions before lowering the drained one', () => {
    const before = servers(server('eu1', 100), server('eu2', 100), server('us1', 0, { drained: true }), server('asia1', 100));
    const commands = planApply(before, REGION_SERVERS, { 'eu-west1': 0, 'us-central1': 100, 'asia-east1': 100 });
    expect(commands.map((c) => commandLine('be', c))).toEqual([
      'set weight be/us1 100',
      'set server be/us1 state ready',
      'set server be/eu1 state drain',
      'set weight be/eu1 0',
      'set server be/eu2 state drain',
      'set weight be/eu2 0',
    ]);
    expect(emptiesBackend(before, commands)).toBe(false);
    expect(afterCommands(before, commands).get('us1')).toMatchObject({ userWeight: 100, drained: false });
  });

  it('sends nothing for servers already at their weight', () => {
    const before = servers(server('eu1', 50), server('eu2', 50), server('us1', 100), server('asia1', 100));
    expect(planApply(before, REGION_SERVERS, { 'eu-west1': 50, 'us-central1': 100, 'asia-east1': 100 })).toEqual([]);
  });

  it('counts a backend left only with servers in maintenance, or at weight 0, as emptied', () => {
    const before = servers(server('eu1', 100), server('eu2', 100), server('us1', 100, { maintenance: true }), server('asia1', 0));
    const commands = planApply(before, REGION_SERVERS, { 'eu-west1': 0, 'us-central1': 100, 'asia-east1': 0 });
    expect(emptiesBackend(before, commands)).toBe(true);
  });

  it('refuses a config without the servers of a configured region, or with servers of an unknown one', () => {
    const config = (servers: Record<string, string[]>) => haproxyProviderSchema.parse({ kind: 'haproxy', socket: '/run/h.sock', backend: 'be', servers });
    expect(() => new HaproxyProvider(config({ 'eu-west1': ['eu1'], 'us-central1': ['us1'] }), context)).toThrow(/no servers for region\(s\) asia-east1/);
    expect(() => new HaproxyProvider(config({ ...REGION_SERVERS, mars: ['m1'] }), context)).toThrow(/spec\.failover\.provider\.servers\.mars: is not a configured region/);
    const heavy = { ...context, regions: { ...context.regions, 'eu-west1': { weight: 1000, capacity: 60, targets: [] } } };
    expect(() => new HaproxyProvider(config(REGION_SERVERS), heavy)).toThrow(/spec\.regions\.eu-west1\.weight: is 1000: HAProxy server weights are whole numbers/);
  });
});

describe('haproxy provider config in vigil validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-haproxy-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function validate(provider: string): Promise<{ code: number; out: string }> {
    const file = path.join(dir, 'vigil.yaml');
    await writeFile(
      file,
      `apiVersion: vigil/v1
kind: Config
spec:
  regions:
    eu-west1: { weight: 100, capacity: 60 }
    us-central1: { weight: 100, capacity: 60 }
  failover:
    triggers: { slos: [playback-availability] }
    provider: ${provider}
`,
    );
    const io = captureIo();
    const code = await run(['validate', file], io);
    return { code, out: io.stdout().replaceAll(`${file}:`, 'vigil.yaml:') };
  }

  it('accepts a socket, a backend and servers per region', async () => {
    const { code, out } = await validate('{ kind: haproxy, socket: /run/haproxy/admin.sock, backend: be_app, servers: { eu-west1: [eu1, eu2], us-central1: [us1] } }');
    expect(out).toMatch(/^valid: 1 file/);
    expect(code).toBe(0);
  });

  it('points at each bad field', async () => {
    const { code, out } = await validate(
      '{ kind: haproxy, socket: /run/h.sock, address: "127.0.0.1", backend: "be app", servers: { eu-west1: [eu1], us-central1: [eu1, ""] }, timeout: soon }',
    );
    expect(out).toContain('"127.0.0.1" is not host:port, e.g. 127.0.0.1:9999');
    expect(out).toContain('must be an HAProxy name');
    expect(out).toContain('cannot parse duration "soon"');
    expect(out).toMatch(/vigil\.yaml:\d+:\d+: /);
    expect(code).toBe(1);
  });
});
