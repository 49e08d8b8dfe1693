// The floor of the prober benchmark, in its own process: a bare net.connect + GET + read + close at the
// requested rate, with no HTTP library, timings or checks. Prints one WindowReport line after the window.
import { connect } from 'node:net';
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
});

const settings = settingsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
exitWithParent();

const window = { measuring: false, probes: 0, ok: 0, failures: {} as Record<string, number> };
let next = 0;

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
      if (window.measuring) {
        window.probes++;
        if (failure === null && reply.startsWith('HTTP/1.1 200')) window.ok++;
        else addFailure(window.failures, failure ?? 'http_status');
      }
      resolve();
    });
  });
}

const pacer = new Pacer({ ratePerSecond: settings.rate, maxInFlight: Math.max(64, settings.rate), start: bareGet });
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
