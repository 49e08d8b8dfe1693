// The runbooks a server shows at /runbooks/NAME: Markdown files in the project's runbooks/ folder, rendered
// with markdown-it with raw HTML off (so a runbook cannot inject markup or script) and its link checks on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class Runbooks {
  private readonly folder: string;
  private readonly markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

  constructor(private readonly root: string) {
    this.folder = path.resolve(root, 'runbooks');
  }

  /** The page name of a runbook path as SLOs and drills write it (runbooks/x.md → x), or null outside runbooks/. */
  nameOf(runbookPath: string): string | null {
    const resolved = path.resolve(this.root, runbookPath);
    if (path.dirname(resolved) !== this.folder || !resolved.endsWith('.md')) return null;
    const name = path.basename(resolved, '.md');
    return NAME.test(name) ? name : null;
  }

  /** The runbook's Markdown, or null when there is no such runbook. Names cannot leave the folder. */
  read(name: string): { file: string; markdown: string } | null {
    if (!NAME.test(name) || name.includes('..')) return null;
    const file = path.join(this.folder, `${name}.md`);
    try {
      return { file: path.relative(path.dirname(this.folder), file), markdown: readFileSync(file, 'utf8') };
    } catch {
      return null;
    }
  }

  render(markdown: string): string {
    return this.markdown.render(markdown);
  }
}
