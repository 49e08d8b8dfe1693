// A probe type built in tests: its runner answers after a chosen delay with a chosen outcome, on virtual
// or real time, and records every start, abort and close, so scheduler behaviour can be checked exactly.
import { z } from 'zod';
import { defineProbeKind, type ProbeKind, type ProbeType } from '../../src/prober/kinds/kind.js';
import type { ProbeDefinition } from '../../src/prober/model.js';
import { failure, type Outcome, success } from '../../src/prober/outcome.js';
import { realTimers, type Timers } from '../../src/prober/timers.js';

export interface Behaviour {
  /** How long the attempt takes. */
  delayMs: number;
  outcome?: Outcome;
  /** Keep running after the abort signal (a runner that breaks the contract). */
  ignoreAbort?: boolean;
}

export interface FakeLog {
  starts: Array<{ target: string; at: number; runner: number }>;
  aborts: string[];
  closed: Array<{ target: string; runner: number }>;
  created: Array<{ target: string; runner: number }>;
  running: Map<string, number>;
  maxConcurrent: Map<string, number>;
}

export function fakeKind(
  behave: (target: string) => Behaviour,
  options: { timers?: Timers; type?: ProbeType } = {},
): { kind: ProbeKind; log: FakeLog } {
  const timers = options.timers ?? realTimers;
  const log: FakeLog = { starts: [], aborts: [], closed: [], created: [], running: new Map(), maxConcurrent: new Map() };
  let runners = 0;
  const kind = defineProbeKind({
    type: options.type ?? 'tcp',
    settingsSchema: z.object({ version: z.number().optional() }),
    targetSchema: z.object({ name: z.string() }),
    targetLabel: (target) => target.name,
    create: ({ target }) => {
      const id = ++runners;
      log.created.push({ target: target.name, runner: id });
      return {
        probe(signal) {
          const startedAt = timers.now();
          log.starts.push({ target: target.name, at: startedAt, runner: id });
          const now = (log.running.get(target.name) ?? 0) + 1;
          log.running.set(target.name, now);
          log.maxConcurrent.set(target.name, Math.max(now, log.maxConcurrent.get(target.name) ?? 0));
          const { delayMs, outcome, ignoreAbort } = behave(target.name);
          return new Promise<Outcome>((resolve) => {
            let done = false;
            const onAbort = () => {
              log.aborts.push(target.name);
              finish(failure('timeout', timers.now() - startedAt));
            };
            const finish = (value: Outcome) => {
              if (done) return;
              done = true;
              // The signal may serve the target's next attempt (ProbeRunner's contract).
              signal.removeEventListener('abort', onAbort);
              log.running.set(target.name, (log.running.get(target.name) ?? 1) - 1);
              resolve(value);
            };
            timers.setTimer(delayMs, () => finish(outcome ?? success(delayMs)));
            if (!ignoreAbort) signal.addEventListener('abort', onAbort);
          });
        },
        async close() {
          log.closed.push({ target: target.name, runner: id });
        },
      };
    },
  });
  return { kind, log };
}

export function fakeProbe(input: {
  name?: string;
  targets: Array<string | { name: string; region: string }>;
  intervalMs?: number;
  timeoutMs?: number;
  vantages?: 'all' | string[];
  version?: number;
  type?: ProbeType;
}): ProbeDefinition {
  return {
    name: input.name ?? 'fake',
    type: input.type ?? 'tcp',
    intervalMs: input.intervalMs ?? 1000,
    timeoutMs: input.timeoutMs ?? 500,
    vantages: input.vantages ?? 'all',
    targets: input.targets.map((t) => {
      const { name, region } = typeof t === 'string' ? { name: t, region: 'eu-west1' } : t;
      return { region, label: name, fields: { name } };
    }),
    settings: input.version === undefined ? {} : { version: input.version },
    source: { file: 'test.yaml', line: 1, col: 1 },
  };
}
