// The demo's stand-ins for each region's playback-api (vigil.yaml spec.demo.services, started by
// `vigil up`): tiny HTTP services on loopback that answer "ok", with faults injected over HTTP
// (POST /fault {"errorRate": 1, "latencyMs": 900}) so burn, alerts and failover can be watched locally.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { closeHttpServer } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import { describeIssues } from '../lib/zod-issues.js';

export const faultSchema = z.strictObject({
  /** Share of requests answered 503, 0–1. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Delay before every answer, in ms. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
});

export type Fault = z.output<typeof faultSchema>;

const NO_FAULT: Fault = { errorRate: 0, latencyMs: 0 };
const MAX_FAULT_BODY = 4096;

export interface StandIn {
  region: string;
  url: string;
  fault(): Fault;
  /** Sets the fault without going through the stand-in's own HTTP endpoint (the server's admin API does this). */
  setFault(fault: Fault): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

/** Starts one stand-in on 127.0.0.1:`port` (0 = any free port). */
export async function startStandIn(region: string, port: number, random: () => number = Math.random): Promise<StandIn> {
  let fault: Fault = NO_FAULT;

  const setFault = (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_FAULT_BODY) req.destroy();
    });
    req.on('end', () => {
      let value: unknown;
      try {
        value = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        sendJson(res, 400, { error: { code: 'bad_request', message: 'body is not JSON' } });
        return;
      }
      const parsed = faultSchema.safeParse(value);
      if (!parsed.success) {
        const details = describeIssues(parsed.error);
        sendJson(res, 400, { error: { code: 'invalid_input', message: 'expected {"errorRate": 0-1, "latencyMs": ms}', details } });
        return;
      }
      fault = parsed.data;
      sendJson(res, 200, { region, fault });
    });
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const { errorRate, latencyMs } = fault;
    const reply = () => {
      if (res.destroyed) return;
      if (random() < errorRate) send(res, 503, 'text/plain; charset=utf-8', `unavailable (${region}, injected fault)\n`);
      else send(res, 200, 'text/plain; charset=utf-8', `ok ${region}\n`);
    };
    if (latencyMs === 0) return reply();
    const timer = setTimeout(reply, latencyMs);
    req.socket.once('close', () => clearTimeout(timer));
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/fault') {
      if (req.method === 'GET') sendJson(res, 200, { region, fault });
      else if (req.method === 'POST' || req.method === 'PUT') setFault(req, res);
      else if (req.method === 'DELETE') {
        fault = NO_FAULT;
        sendJson(res, 200, { region, fault });
      } else sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'GET, POST or DELETE /fault' } });
      return;
    }
    answer(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    region,
    url,
    fault: () => fault,
    setFault: (next) => {
      fault = next;
    },
    close: () => closeHttpServer(server),
  };
}

/** Starts a stand-in per configured region; one whose port is taken is skipped with a warning. */
export async function startStandIns(services: Readonly<Record<string, number>>, logger: Logger): Promise<StandIn[]> {
  const started = await Promise.all(
    Object.entries(services).map(([region, port]) =>
      startStandIn(region, port).catch((error: unknown) => {
        logger.warn({ region, port, err: error }, 'cannot start the demo stand-in: its probes will fail');
        return null;
      }),
    ),
  );
  const standIns = started.filter((s): s is StandIn => s !== null);
  for (const s of standIns) logger.info({ region: s.region, url: s.url }, `demo stand-in for ${s.region} at ${s.url} (inject a fault: POST ${s.url}/fault)`);
  return standIns;
}
