// A problem found in a YAML file, located at the offending node: what `vigil validate` prints.

export type ProblemSeverity = 'error' | 'warning';

export interface Problem {
  file: string;
  line: number;
  col: number;
  severity: ProblemSeverity;
  message: string;
}

export function formatProblem(p: Problem): string {
  const prefix = p.severity === 'warning' ? 'warning: ' : '';
  return `${p.file}:${p.line}:${p.col}: ${prefix}${p.message}`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}

export function countErrors(problems: readonly Problem[]): number {
  return problems.filter((p) => p.severity === 'error').length;
}

/** Thrown where a command cannot go on because its input files are invalid. */
export class ConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}
