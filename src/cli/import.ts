// `vigil import sloth | openslo FILE...`: other tools' SLO specs as native vigil/v1 YAML, on stdout or one
// file per SLO into --out DIR. What cannot be mapped is reported as file:line:col and the exit code is 1;
// everything else is still written.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readYamlFiles } from '../config/load.js';
import { countErrors, formatProblem, type Problem, sortProblems } from '../config/problems.js';
import { importOpenSloDocuments } from '../interchange/openslo-import.js';
import { importSlothDocument } from '../interchange/sloth-import.js';
import { formatVigilSlos } from '../interchange/vigil-yaml.js';
import type { SourcePosition } from '../slo/model.js';
import type { Cli, ExitCode, Io } from './io.js';

export interface ImportOptions {
  out?: string;
  squad?: string;
}

export interface ImportedDocument {
  name: string;
  doc: Record<string, unknown>;
  at: SourcePosition;
  origin: string;
}

async function writeImported(slos: ImportedDocument[], problems: Problem[], options: ImportOptions, io: Io): Promise<ExitCode> {
  const seen = new Set<string>();
  for (const slo of slos) {
    if (seen.has(slo.name)) problems.push({ ...slo.at, severity: 'error', message: `a second SLO named ${slo.name}: rename one` });
    seen.add(slo.name);
  }
  for (const problem of sortProblems(problems)) io.err(`${formatProblem(problem)}\n`);
  if (options.out === undefined) {
    if (slos.length > 0) io.out(formatVigilSlos(slos));
  } else {
    await mkdir(options.out, { recursive: true });
    for (const slo of slos) await writeFile(path.join(options.out, `${slo.name}.yaml`), formatVigilSlos([slo]));
  }
  const refused = countErrors(problems);
  io.err(`${slos.length} SLO${slos.length === 1 ? '' : 's'} imported${refused ? `, ${refused} error${refused === 1 ? '' : 's'}` : ''}\n`);
  return refused > 0 ? 1 : 0;
}

export async function importSlothCommand(files: string[], options: ImportOptions, io: Io): Promise<ExitCode> {
  const problems: Problem[] = [];
  const slos: ImportedDocument[] = [];
  for (const doc of await readYamlFiles(files, problems)) {
    const result = importSlothDocument(doc, { squad: options.squad });
    slos.push(...result.slos);
    problems.push(...result.problems);
  }
  return writeImported(slos, problems, options, io);
}

export async function importOpenSloCommand(files: string[], options: ImportOptions, io: Io): Promise<ExitCode> {
  const problems: Problem[] = [];
  const documents = await readYamlFiles(files, problems);
  const result = importOpenSloDocuments(documents);
  problems.push(...result.problems);
  return writeImported(result.slos, problems, options, io);
}

export function registerImport(program: Command, { io, setExit }: Cli): void {
  const command = program.command('import').description('convert other tools\' SLO specs to vigil/v1 YAML');
  command
    .command('sloth')
    .description('Sloth prometheus/v1 specs and PrometheusServiceLevel objects, one vigil/v1 SLO per Sloth SLO')
    .argument('<files...>', 'Sloth YAML files')
    .option('--out <dir>', 'write one FILE.yaml per SLO into DIR instead of stdout')
    .option('--squad <name>', 'owning squad for specs whose labels name none (owner, team or squad)')
    .action(async (files: string[], opts: ImportOptions) => setExit(await importSlothCommand(files, opts, io)));
  command
    .command('openslo')
    .description('OpenSLO v1 SLO, SLI, DataSource and AlertPolicy documents, references resolved')
    .argument('<files...>', 'OpenSLO YAML files')
    .option('--out <dir>', 'write one FILE.yaml per SLO into DIR instead of stdout')
    .action(async (files: string[], opts: ImportOptions) => setExit(await importOpenSloCommand(files, opts, io)));
}
