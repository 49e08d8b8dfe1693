// A protocol-level fake of the Cloud DNS REST API v1 for tests: managed zones, record sets and atomic
// Changes whose deletions must match the current record sets exactly, on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { closeHttpServer } from '../../../../lib/http-server.js';

const recordSet = z.looseObject({
  kind: z.string().optional(),
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().nonnegative(),
  rrdatas: z.array(z.string()).optional(),
  signatureRrdatas: z.array(z.string()).optional(),
  routingPolicy: z.looseObject({}).optional(),
});
export type FakeRecordSet = z.output<typeof recordSet>;

const changeBody = z.looseObject({
  additions: z.array(recordSet).default([]),
  deletions: z.array(recordSet).default([]),
});

interface FakeZone {
  name: string;
  dnsName: string;
  rrsets: FakeRecordSet[];
  changes: Array<{ id: string; additions: FakeRecordSet[]; deletions: FakeRecordSet[]; startTime: string }>;
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function canonical(rrset: FakeRecordSet): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'kind')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  };
  return JSON.stringify(sortKeys(rrset));
}

const label = (rrset: FakeRecordSet) => `${rrset.name} (${rrset.type})`;

export class FakeCloudDns {
  /** Method and path of every request, in order. */
  readonly requests: string[] = [];
  private readonly zones = new Map<string, FakeZone>();
  /** Runs once, just before the next Change is checked: another client's edit landing first. */
  private interleaved: (() => void) | null = null;

  private constructor(
    private readonly server: Server,
    readonly project: string,
  ) {}

  static async start(project: string, zones: ReadonlyArray<{ name: string; dnsName: string }>): Promise<FakeCloudDns> {
    let fake: FakeCloudDns | null = null;
    const server = createServer((req, res) => {
      if (fake) void fake.handle(req, res);
    });
    fake = new FakeCloudDns(server, project);
    for (const zone of zones) fake.zones.set(zone.name, { ...zone, rrsets: [], changes: [] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The zone's record sets, as copies. */
  recordSets(zone: string): FakeRecordSet[] {
    return structuredClone(this.zone(zone).rrsets);
  }

  /** Replaces (or adds) a record set directly, as someone editing in the console would. */
  put(zone: string, rrset: FakeRecordSet): void {
    const z1 = this.zone(zone);
    z1.rrsets = [...z1.rrsets.filter((r) => r.name !== rrset.name || r.type !== rrset.type), { kind: 'dns#resourceRecordSet', ...rrset }];
  }

  beforeNextChange(edit: () => void): void {
    this.interleaved = edit;
  }

  changeCount(zone: string): number {
    return this.zone(zone).changes.length;
  }

  close(): Promise<void> {
    return closeHttpServer(this.server);
  }

  private zone(name: string): FakeZone {
    const zone = this.zones.get(name);
    if (!zone) throw new ApiFailure(404, 'notFound', `The 'parameters.managedZone' resource named '${name}' does not exist.`);
    return zone;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}`);
    try {
      const body = await readBody(req);
      const answer = this.route(req.method ?? 'GET', url, body);
      send(res, 200, answer);
    } catch (error) {
      if (!(error instanceof ApiFailure)) {
        send(res, 500, { error: { code: 500, message: String(error), errors: [{ domain: 'global', reason: 'backendError', message: String(error) }] } });
        return;
      }
      send(res, error.status, {
        error: { code: error.status, message: error.message, errors: [{ domain: 'global', reason: error.reason, message: error.message }] },
      });
    }
  }

  private route(method: string, url: URL, body: string): unknown {
    const prefix = `/dns/v1/projects/${this.project}/managedZones`;
    if (!url.pathname.startsWith(prefix)) throw new ApiFailure(404, 'notFound', `no such resource ${url.pathname}`);
    const parts = url.pathname.slice(prefix.length).split('/').filter(Boolean);
    const [zoneName, collection, id] = parts;
    if (method === 'GET' && parts.length === 0) {
      return { kind: 'dns#managedZonesListResponse', managedZones: [...this.zones.values()].map(zoneJson) };
    }
    if (zoneName === undefined) throw new ApiFailure(404, 'notFound', 'no such resource');
    const zone = this.zone(zoneName);
    if (method === 'GET' && parts.length === 1) return zoneJson(zone);
    if (method === 'GET' && collection === 'rrsets' && parts.length === 2) {
      const name = url.searchParams.get('name');
      const type = url.searchParams.get('type');
      const rrsets = zone.rrsets.filter((r) => (name === null || r.name === name) && (type === null || r.type === type));
      return { kind: 'dns#resourceRecordSetsListResponse', rrsets };
    }
    if (method === 'POST' && collection === 'changes' && parts.length === 2) return this.createChange(zone, body);
    if (method === 'GET' && collection === 'changes' && id !== undefined && parts.length === 3) {
      const change = zone.changes.find((c) => c.id === id);
      if (!change) throw new ApiFailure(404, 'notFound', `The 'parameters.changeId' resource named '${id}' does not exist.`);
      return { kind: 'dns#change', ...change, status: 'done' };
    }
    throw new ApiFailure(404, 'notFound', `no such resource ${method} ${url.pathname}`);
  }

  /** All or nothing: every deletion must match a current record set exactly, every addition be new. */
  private createChange(zone: FakeZone, body: string): unknown {
    const edit = this.interleaved;
    this.interleaved = null;
    edit?.();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ApiFailure(400, 'parseError', 'Parse Error');
    }
    const parsed = changeBody.safeParse(json);
    if (!parsed.success) throw new ApiFailure(400, 'invalid', `Invalid value for 'entity.change': ${parsed.error.message}`);
    const { additions, deletions } = parsed.data;
    if (additions.length === 0 && deletions.length === 0) throw new ApiFailure(400, 'required', "Required field 'entity.change' not specified");
    let next = [...zone.rrsets];
    deletions.forEach((deletion, i) => {
      const current = next.find((r) => r.name === deletion.name && r.type === deletion.type);
      if (!current) throw new ApiFailure(404, 'notFound', `The 'entity.change.deletions[${i}]' resource named '${label(deletion)}' does not exist.`);
      if (canonical(current) !== canonical(deletion)) {
        throw new ApiFailure(412, 'conditionNotMet', `Precondition not met for 'entity.change.deletions[${i}]'`);
      }
      next = next.filter((r) => r !== current);
    });
    additions.forEach((addition, i) => {
      if (!addition.name.endsWith(zone.dnsName)) {
        throw new ApiFailure(400, 'invalid', `Invalid value for 'entity.change.additions[${i}].name': '${addition.name}'`);
      }
      if ((addition.rrdatas === undefined) === (addition.routingPolicy === undefined)) {
        throw new ApiFailure(400, 'invalid', `'entity.change.additions[${i}]' must have exactly one of rrdatas and routingPolicy`);
      }
      if (next.some((r) => r.name === addition.name && r.type === addition.type)) {
        throw new ApiFailure(409, 'alreadyExists', `The resource 'entity.change.additions[${i}]' named '${label(addition)}' already exists`);
      }
      next.push({ ...addition, kind: 'dns#resourceRecordSet' });
    });
    zone.rrsets = next;
    const change = { id: String(zone.changes.length + 1), additions, deletions, startTime: new Date().toISOString() };
    zone.changes.push(change);
    return { kind: 'dns#change', ...change, status: 'pending' };
  }
}

function zoneJson(zone: FakeZone): unknown {
  return { kind: 'dns#managedZone', name: zone.name, dnsName: zone.dnsName, id: '1', visibility: 'public', nameServers: ['ns-cloud-a1.googledomains.com.'] };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
