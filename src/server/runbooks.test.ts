import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runbooks } from './runbooks.js';

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-runbooks-'));
  mkdirSync(path.join(root, 'runbooks'));
  writeFileSync(path.join(root, 'runbooks', 'api.md'), '# API\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) and [docs](https://example.org/x)\n\n<img src=x onerror=alert(1)>\n');
  writeFileSync(path.join(root, 'secret.md'), 'outside the folder');
  return root;
}

describe('runbooks', () => {
  const root = project();
  const runbooks = new Runbooks(root);

  it('renders Markdown with raw HTML shown as text and script links dropped', () => {
    const html = runbooks.render(runbooks.read('api')?.markdown ?? '');
    expect(html).toContain('<h1>API</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<a href="https://example.org/x">docs</a>');
  });

  it.each([['../secret'], ['..'], ['a/b'], [''], ['.hidden'], ['api.md/../../secret']])('has no runbook named %j', (name) => {
    expect(runbooks.read(name)).toBeNull();
  });

  it('names the runbooks of runbooks/ by file name, and none outside it', () => {
    expect(runbooks.nameOf('runbooks/api.md')).toBe('api');
    expect(runbooks.nameOf('./runbooks/../runbooks/api.md')).toBe('api');
    expect(runbooks.nameOf('secret.md')).toBeNull();
    expect(runbooks.nameOf('runbooks/api.txt')).toBeNull();
  });
});
