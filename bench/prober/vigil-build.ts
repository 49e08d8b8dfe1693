// Compiles src/ with the project's tsc into a cache folder for the benchmark's Vigil process, so that it
// runs the same JavaScript the installed `vigil` runs. Inside node_modules so that packages resolve.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function compileVigil(): string {
  const outDir = join(ROOT, 'node_modules', '.cache', 'vigil-bench-prober');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const run = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  // Type errors elsewhere in the tree (work in progress) do not stop tsc from emitting; a missing file does.
  if (!existsSync(join(outDir, 'prober', 'scheduler.js'))) {
    throw new Error(`tsc did not produce the prober: ${run.error?.message ?? ''}${run.stdout}${run.stderr}`.slice(0, 2000));
  }
  if (run.status !== 0) console.log(`note: tsc reported errors (${run.stdout.split('\n').filter((l) => l.includes('error')).length} lines); the prober files were emitted and are used`);
  // Under node_modules no package scope applies, so say that these files are ES modules.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return outDir;
}
