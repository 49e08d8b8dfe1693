// Starts the real `vigil` binary as a child process and waits for the URL it prints.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export interface VigilProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

export async function startVigil(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; /** What the process prints once ready; group 1 is its URL. */ ready?: RegExp } = {},
): Promise<VigilProcess> {
  const child = spawn(process.execPath, [`${process.cwd()}/dist/cli/main.js`, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...options.env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil did not print its URL in 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = (options.ready ?? /Vigil is up at (http:\/\/\S+)/).exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil exited with ${code} before printing its URL:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}
