import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { captureIo } from './helpers/io.js';

const FIXTURES = 'test/fixtures/validate';
const badFiles = readdirSync(path.join(FIXTURES, 'bad')).filter((f) => f.endsWith('.yaml'));

async function validate(...args: string[]) {
  const io = captureIo();
  const code = await run(['validate', '--root', FIXTURES, ...args], io);
  return { code, out: io.stdout() };
}

describe('vigil validate golden files', () => {
  it.each(badFiles)('reports exactly the expected problems for bad/%s', async (file) => {
    const target = path.join(FIXTURES, 'bad', file);
    const expected = readFileSync(target.replace(/\.yaml$/, '.expected'), 'utf8');
    const { code, out } = await validate(target);
    expect(out).toBe(expected);
    const hasErrors = expected.split('\n').some((line) => /^\S+:\d+:\d+: (?!warning:)/.test(line));
    expect(code).toBe(hasErrors ? 1 : 0);
  });

  it('accepts every file in good/ without a problem', async () => {
    const { code, out } = await validate(path.join(FIXTURES, 'good'));
    expect(out).toBe('valid: 6 files, 5 SLOs\n');
    expect(code).toBe(0);
  });

  it('fails on warnings with --strict', async () => {
    const { code } = await validate('--strict', path.join(FIXTURES, 'bad', 'impossible-alerts.yaml'));
    expect(code).toBe(1);
  });

  it('reports a path that does not exist instead of crashing', async () => {
    const { code, out } = await validate('no/such/dir');
    expect(out).toContain('no/such/dir:1:1: no such file or directory');
    expect(code).toBe(1);
  });
});

describe("the repository's own definitions", () => {
  it('ship real runbooks: evacuation, failback, fast and slow burn, prober fleet, credential rotation, each with the four sections', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { missingSections } = await import('../src/config/runbook-checks.js');
    const runbooks = readdirSync('runbooks').filter((f) => f.endsWith('.md'));
    for (const name of ['regional-evacuation', 'failback', 'slo-fast-burn', 'slo-slow-burn', 'prober-fleet-health', 'provider-credential-rotation']) {
      expect(runbooks).toContain(`${name}.md`);
    }
    for (const file of runbooks) expect([file, missingSections(readFileSync(`runbooks/${file}`, 'utf8'))]).toEqual([file, []]);
    expect(missingSections('# x\n## Summary\n## signals ##\n## Steps\n')).toEqual(['Rollback']);
  });

  it('pass vigil validate with the default paths, without warnings', async () => {
    const io = captureIo();
    const code = await run(['validate', '--strict'], io);
    expect(io.stdout()).toMatch(/^valid: \d+ files, \d+ SLOs\n$/);
    expect(code).toBe(0);
  });

  it('cover three squads, a probe SLO with a latency threshold, a Prometheus ratio, a calendar month and OpenSLO', async () => {
    const { loadDefinitions } = await import('../src/config/load.js');
    const { slos } = await loadDefinitions(['slo-definitions']);
    expect(new Set(slos.map((s) => s.squad))).toEqual(new Set(['playback', 'checkout', 'search']));
    expect(slos.some((s) => s.indicator.kind === 'probe' && s.indicator.latencyThresholdMs === 300)).toBe(true);
    expect(slos.some((s) => s.indicator.kind === 'ratio' && s.indicator.source === 'prometheus')).toBe(true);
    expect(slos.some((s) => s.window.kind === 'calendar' && s.window.unit === 'month')).toBe(true);
    expect(slos.some((s) => s.source.file.endsWith('search-openslo.yaml'))).toBe(true);
  });
});
