// Runbooks that SLOs, drills and notifiers point at: each must exist, and should read like a runbook, with
// the sections an on-call engineer looks for (## Summary, ## Signals, ## Steps, ## Rollback). A missing
// file is an error; a missing section a warning (it fails `vigil validate --strict`, not the server's start).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedItem } from './kinds/index.js';
import type { Problem } from './problems.js';
import type { Path, YamlDocument } from './yaml-document.js';

export const RUNBOOK_SECTIONS = ['Summary', 'Signals', 'Steps', 'Rollback'] as const;

/** The sections of RUNBOOK_SECTIONS a Markdown text has no `## ` heading for. */
export function missingSections(markdown: string): string[] {
  const headings = new Set(
    markdown
      .split(/\r?\n/)
      .map((line) => /^##\s+(.+?)\s*#*\s*$/.exec(line)?.[1]?.toLowerCase())
      .filter((h): h is string => h !== undefined),
  );
  return RUNBOOK_SECTIONS.filter((s) => !headings.has(s.toLowerCase()));
}

interface RunbookRef {
  doc: YamlDocument;
  at: Path;
  runbook: string;
  what: string;
}

function references(items: readonly LoadedItem[]): RunbookRef[] {
  const refs: RunbookRef[] = [];
  for (const item of items) {
    if (item.type === 'slo' && item.definition.runbook !== null) refs.push({ doc: item.doc, at: item.runbookPath, runbook: item.definition.runbook, what: `SLO ${item.definition.name}` });
    if (item.type !== 'config') continue;
    item.config.drills.forEach((drill, i) => {
      if (drill.runbook) refs.push({ doc: item.doc, at: ['spec', 'drills', i, 'runbook'], runbook: drill.runbook, what: `drill ${drill.name}` });
    });
    item.config.notify.forEach((entry, i) => {
      const runbook = (entry.config as { runbook?: unknown }).runbook;
      if (typeof runbook === 'string') refs.push({ doc: item.doc, at: ['spec', 'notify', i, 'runbook'], runbook, what: `notifier ${entry.kind}` });
    });
  }
  return refs;
}

export async function runbookProblems(items: readonly LoadedItem[], root: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const texts = new Map<string, Promise<string | null>>();
  for (const ref of references(items)) {
    const resolved = path.resolve(root, ref.runbook);
    const pending = texts.get(resolved) ?? readFile(resolved, 'utf8').catch(() => null);
    texts.set(resolved, pending);
    const text = await pending;
    if (text === null) {
      const shown = path.relative(process.cwd(), resolved) || resolved;
      problems.push(ref.doc.problem(ref.at, `runbook "${ref.runbook}" does not exist (looked for ${shown})`));
      continue;
    }
    const missing = missingSections(text);
    if (missing.length > 0) {
      const needed = RUNBOOK_SECTIONS.map((s) => `## ${s}`);
      problems.push(
        ref.doc.problem(ref.at, `runbook "${ref.runbook}" of ${ref.what} lacks ${missing.map((s) => `## ${s}`).join(', ')}: a runbook has ${needed.slice(0, -1).join(', ')} and ${needed.at(-1)}`, {
          severity: 'warning',
        }),
      );
    }
  }
  return problems;
}
