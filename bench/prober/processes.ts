// Child processes of the prober benchmark: spawned with a JSON line as their only answer, and all of them
// killed when the benchmark ends, fails or is interrupted, so no exporter or target outlives a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** The lines the child prints on stdout, in order; resolves each as it arrives. */
  nextLine(timeoutMs: number): Promise<string>;
  /** Kills the child (SIGTERM, then SIGKILL after a second) and waits for it to go. */
  stop(): Promise<void>;
}

/** Spawns `command`; stderr goes to ours. A child script is expected to exit when its stdin closes. */
export function spawnChild(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Spawned {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env: options.env ?? process.env });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  live.add(child);
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exitedPromise.then(() => {
    exited = true;
    live.delete(child);
    for (const wake of waiting.splice(0)) wake(null);
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const wake = waiting.shift();
      if (wake) wake(line);
      else lines.push(line);
    });
  }
  child.stdin?.on('error', () => undefined);
  return {
    child,
    pid: child.pid,
    nextLine(timeoutMs) {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (exited) return Promise.reject(new Error(`${command} exited (code ${child.exitCode}) before answering`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command} did not answer within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((line) => {
          clearTimeout(timer);
          if (line === null) reject(new Error(`${command} exited (code ${child.exitCode}) before answering`));
          else resolve(line);
        });
      });
    },
    async stop() {
      if (exited) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exitedPromise;
      clearTimeout(force);
    },
  };
}

/** `node --import tsx <script> <json>`: a TypeScript child script given its settings as one argument. */
export function spawnScript(script: URL, settings: unknown, nodeFlags: string[] = []): Spawned {
  return spawnChild(process.execPath, [...nodeFlags, '--import', 'tsx', script.pathname, JSON.stringify(settings)]);
}

/** Exits this (child) process when the parent closes our stdin or goes away. */
export function exitWithParent(): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
