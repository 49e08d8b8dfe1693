// Builds dist/ once before the tests (the server and the pages' scripts), so tests that spawn the real
// `vigil` binary, and the pages the browser tests load, run today's code.
// VIGIL_TEST_NO_BUILD=1 reuses the current dist/ (while other work in the tree does not compile yet).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.VIGIL_TEST_NO_BUILD === '1') return;
  for (const project of ['tsconfig.build.json', 'tsconfig.client.json']) {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  }
}
