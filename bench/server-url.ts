// The URL a `vigil serve` child prints once it listens, read from its output (stdout or stderr), for
// benchmarks that run the real server as its own process.
import type { ChildProcess } from 'node:child_process';

/** Resolves with the first match of `pattern`'s group 1; rejects when the child exits first or after `timeoutMs`. */
export function serverUrl(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs / 1000} s:\n${output.slice(-2000)}`)), timeoutMs);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}
