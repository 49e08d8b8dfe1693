// Compiles src/ and the benchmark's child scripts with the project's tsc into a cache folder, so that the
// children run as plain JavaScript, as the installed `vigil` does: under tsx a child carries tsx's loader
// thread (about 40 MiB of RSS) and its transform adds work to hot paths (a name-setting call for every
// closure it creates). Inside node_modules so that packages resolve.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The child scripts, as paths under the project root; each is compiled with what it imports. */
const CHILDREN = ['bench/prober/vigil-child.ts', 'bench/prober/floor-child.ts'] as const;

export interface CompiledBench {
  /** Root of the compiled src/ tree (what vigil-child loads Vigil from). */
  src: string;
  /** The compiled child script for a source path in CHILDREN. */
  child(script: (typeof CHILDREN)[number]): string;
}

export function compileVigil(): CompiledBench {
  const outDir = join(ROOT, 'node_modules', '.cache', 'vigil-bench-prober');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const project = join(outDir, 'tsconfig.json');
  writeFileSync(
    project,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: false, outDir, rootDir: ROOT, sourceMap: false, declaration: false },
      files: CHILDREN.map((script) => join(ROOT, script)),
      include: [join(ROOT, 'src')],
      exclude: [join(ROOT, 'src/**/*.test.ts'), join(ROOT, 'src/**/testing/**'), join(ROOT, 'src/client')],
    }),
  );
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const run = spawnSync(tsc, ['-p', project], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  const child = (script: string) => join(outDir, script.replace(/\.ts$/, '.js'));
  // Type errors elsewhere in the tree (work in progress) do not stop tsc from emitting; a missing file does.
  const needed = [join(outDir, 'src', 'prober', 'scheduler.js'), ...CHILDREN.map(child)];
  if (!needed.every((file) => existsSync(file))) {
    throw new Error(`tsc did not produce the prober: ${run.error?.message ?? ''}${run.stdout}${run.stderr}`.slice(0, 2000));
  }
  if (run.status !== 0) console.log(`note: tsc reported errors (${run.stdout.split('\n').filter((l) => l.includes('error')).length} lines); the prober files were emitted and are used`);
  // Under node_modules no package scope applies, so say that these files are ES modules.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return { src: join(outDir, 'src'), child };
}
