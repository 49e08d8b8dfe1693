// `vigil validate [paths...]`: checks definitions and prints one `file:line:col: message` line per problem.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDefinitions } from '../config/load.js';
import { countErrors, formatProblem } from '../config/problems.js';
import type { Cli, ExitCode, Io } from './io.js';

export const DEFAULT_VALIDATE_PATHS = ['slo-definitions/', 'probes/', 'runbooks/'];

export interface ValidateOptions {
  root?: string;
  strict?: boolean;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export async function validateCommand(paths: string[], options: ValidateOptions, io: Io): Promise<ExitCode> {
  const defaults = paths.length === 0;
  const targets = defaults ? [...DEFAULT_VALIDATE_PATHS, ...(existsSync('vigil.yaml') ? ['vigil.yaml'] : [])] : paths;
  const result = await loadDefinitions(targets, { root: options.root, optional: defaults });
  for (const problem of result.problems) io.out(`${formatProblem(problem)}\n`);
  const errors = countErrors(result.problems);
  const warnings = result.problems.length - errors;
  const failed = errors > 0 || (options.strict === true && warnings > 0);
  const scope = `${plural(result.files.length, 'file')}, ${plural(result.slos.length, 'SLO')}`;
  if (failed) io.out(`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${scope}\n`);
  else io.out(`valid: ${scope}${warnings ? `, ${plural(warnings, 'warning')}` : ''}\n`);
  return failed ? 1 : 0;
}

export function registerValidate(program: Command, { io, setExit }: Cli): void {
  program
    .command('validate')
    .description('check SLO, probe and config YAML; print file:line:col: message per problem')
    .argument('[paths...]', 'files or folders (default: slo-definitions/ probes/ runbooks/ and vigil.yaml)')
    .option('--root <dir>', 'directory runbook paths are relative to', process.cwd())
    .option('--strict', 'fail on warnings too')
    .action(async (paths: string[], opts: { root: string; strict?: boolean }) => {
      setExit(await validateCommand(paths, opts, io));
    });
}
