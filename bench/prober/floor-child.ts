// The floors of the prober benchmark, in their own process, at the requested rate, with no timings, checks,
// scheduler, metrics or shipping: `socket` is a bare net.connect + GET + read + close; `undici` is the
// same exchange through an undici Client per target with a new connection per request, closed by the
// client as the response ends (what Vigil's http kind does): the cost of the HTTP library alone.
// Prints one WindowReport line after the window.
import { connect, type Socket } from 'node:net';
import { Client } from 'undici';
import { z } from 'zod';
import { Pacer } from './pacer.js';
import { exitWithParent } from './processes.js';
import { addFailure, type WindowReport } from './report.js';

const settingsSchema = z.object({
  ports: z.array(z.number().int().positive()).min(1),
  rate: z.number().positive().max(20_000),
  timeoutMs: z.number().int().positive(),
  warmupMs: z.number().int().min(0).max(60_000),
  measureMs: z.number().int().positive().max(300_000),
  client: z.enum(['socket', 'undici']).default('socket'),
});

const settings = settingsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
exitWithParent();

const window = { measuring: false, probes: 0, ok: 0, failures: {} as Record<string, number> };
let next = 0;

function count(failure: string | null, ok: boolean): void {
  if (!window.measuring) return;
  window.probes++;
  if (failure === null && ok) window.ok++;
  else addFailure(window.failures, failure ?? 'http_status');
}

function bareGet(): Promise<void> {
  const port = settings.ports[next++ % settings.ports.length] ?? 0;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    let failure: string | null = null;
    socket.setEncoding('latin1');
    socket.setTimeout(settings.timeoutMs, () => {
      failure = 'timeout';
      socket.destroy();
    });
    socket.once('connect', () => socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? 'error';
    });
    socket.once('close', () => {
      count(failure, reply.startsWith('HTTP/1.1 200'));
      resolve();
    });
  });
}

const OVER = new Error('response over: connection not reused');
// One Client per target, as Vigil has: rate × 5 targets, each probed every 5 s.
const clients: Array<{ client: Client; socket: Socket | null }> = [];
let nextTarget = 0;
function undiciClient(): { client: Client; socket: Socket | null } {
  const index = nextTarget++ % Math.max(1, Math.round(settings.rate * 5));
  const known = clients[index];
  if (known) return known;
  const port = settings.ports[index % settings.ports.length] ?? 0;
  const slot: { socket: Socket | null } = { socket: null };
  const client = new Client(`http://127.0.0.1:${port}`, {
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: (_options, callback) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        slot.socket = socket;
        callback(null, socket);
      });
      socket.once('error', (error) => callback(error, null));
    },
  });
  const entry = Object.assign(slot, { client });
  clients[index] = entry;
  return entry;
}

function undiciGet(): Promise<void> {
  const entry = undiciClient();
  return new Promise((resolve) => {
    let status = 0;
    const timer = setTimeout(() => {
      entry.socket?.destroy(OVER);
    }, settings.timeoutMs);
    entry.client.dispatch(
      { path: '/healthz', method: 'GET', headers: ['user-agent', 'floor'], reset: false },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData() {},
        onResponseEnd() {
          clearTimeout(timer);
          entry.socket?.destroy(OVER);
          entry.socket = null;
          count(null, status === 200);
          resolve();
        },
        onResponseError(_controller, error) {
          clearTimeout(timer);
          count((error as NodeJS.ErrnoException).code ?? 'error', false);
          resolve();
        },
      },
    );
  });
}

const pacer = new Pacer({
  ratePerSecond: settings.rate,
  maxInFlight: Math.max(64, settings.rate),
  start: settings.client === 'undici' ? undiciGet : bareGet,
});
pacer.run();
await new Promise((resolve) => setTimeout(resolve, settings.warmupMs));
const skippedBefore = pacer.counts().skipped;
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
window.measuring = true;
await new Promise((resolve) => setTimeout(resolve, settings.measureMs));
window.measuring = false;
const cpu = process.cpuUsage(cpuStart);
const report: WindowReport = {
  probes: window.probes,
  ok: window.ok,
  failures: window.failures,
  skipped: pacer.counts().skipped - skippedBefore,
  cpuMicros: cpu.user + cpu.system,
  wallMs: performance.now() - wallStart,
  jitter: null,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
await pacer.stop(settings.timeoutMs);
process.exit(0);
