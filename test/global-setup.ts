// Builds dist/ once before the tests, so tests that spawn the real `vigil` binary run today's code.
// VIGIL_TEST_NO_BUILD=1 reuses the current dist/ (while other work in the tree does not compile yet).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.VIGIL_TEST_NO_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
