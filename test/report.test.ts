import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { captureIo } from './helpers/io.js';

const ARGS = [
  'report',
  '--definitions', 'test/fixtures/report/slos.yaml',
  '--root', 'test/fixtures/report',
  '--events', 'test/fixtures/report/events.jsonl',
  '--at', '2026-11-01T12:00:00Z',
];

async function report(...extra: string[]) {
  const io = captureIo();
  const code = await run([...ARGS, ...extra], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('vigil report --events', () => {
  it('prints the JSON report with numbers as plain JSON numbers', async () => {
    const { code, out } = await report('--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.at).toBe('2026-11-01T12:00:00.000Z');
    expect(doc.slos).toHaveLength(1);
    const [slo] = doc.slos;
    expect(Object.keys(slo)).toEqual([
      'name', 'squad', 'objective', 'window', 'good', 'total', 'sli', 'errorBudget', 'burnRates', 'alerts', 'regions',
    ]);
    expect(slo).toMatchObject({ name: 'api', squad: 'core', objective: 0.99, window: '7d', good: 207, total: 210 });
    expect(slo.errorBudget.consumed).toBeCloseTo(3 / 210 / 0.01, 12);
    expect(slo.alerts.map((a: { long: string; short: string; threshold: number }) => [a.long, a.short, a.threshold])).toEqual([
      ['1h', '5m', 3.36],
      ['6h', '30m', 1.4],
      ['1d', '2h', 0.7],
      ['3d', '6h', 0.23333333333333334],
    ]);
    expect(Object.keys(slo.regions)).toEqual(['eu-west1', 'us-central1']);
    expect(Object.keys(slo.regions['eu-west1'])).toEqual([
      'objective', 'window', 'good', 'total', 'sli', 'errorBudget', 'burnRates', 'alerts',
    ]);
    expect(slo.regions['eu-west1']).toMatchObject({ good: 97, total: 100, sli: 0.97 });
  });

  it('reports each bad line on stderr with its number and still counts the good ones (a BOM on line 1 is no problem)', async () => {
    const { code, err } = await report('--format', 'json');
    expect(code).toBe(0);
    expect(err.trim().split('\n')).toEqual([
      "test/fixtures/report/events.jsonl:15: warning: region \"mars-1\" is not one of api's regions (eu-west1, us-central1): counted in the SLO's totals only",
      expect.stringMatching(/^test\/fixtures\/report\/events\.jsonl:4: not valid JSON/),
      'test/fixtures/report/events.jsonl:5: unknown SLO "nope" (line skipped)',
      expect.stringMatching(/^test\/fixtures\/report\/events\.jsonl:6: ts: "yesterday" is not an ISO 8601 time/),
      expect.stringMatching(/^test\/fixtures\/report\/events\.jsonl:7: ts: "2026-11-01T11:00:00" is not an ISO 8601 time/),
      'test/fixtures/report/events.jsonl:8: good: must not be negative (line skipped)',
      'test/fixtures/report/events.jsonl:9: good: must not exceed total (line skipped)',
      'test/fixtures/report/events.jsonl:10: good: must be a whole number (line skipped)',
      'test/fixtures/report/events.jsonl:11: unknown field "regoin" (line skipped)',
      'test/fixtures/report/events.jsonl:14: total: must be at most 9007199254740991 (line skipped)',
    ]);
  });

  it('prints a table and markdown with one row per SLO and region', async () => {
    const table = (await report('--format', 'table')).out;
    expect(table).toMatch(/^api\s+core\s+99\.000%\s+7d\s+98\.5714%\s+-42\.9%/m);
    expect(table).toMatch(/^ {2}eu-west1\s+99\.000%/m);
    const markdown = (await report('--format', 'markdown')).out;
    expect(markdown).toContain('| api | core | 99.000% | 7d | 98.5714% | -42.9% |');
    expect(markdown).toContain('| ↳ us-central1 |  | 99.000% | 7d | 100.0000% | 100.0% |');
  });

  it('rejects an --at without an offset and an unknown format', async () => {
    expect((await report('--at', '2026-11-01 12:00')).code).toBe(2);
    expect((await report('--format', 'yaml')).code).toBe(2);
  });

  it('stops with file:line:col problems when the definitions are invalid', async () => {
    const io = captureIo();
    const code = await run(
      ['report', '--definitions', 'test/fixtures/validate/bad/objective-range.yaml', '--events', 'test/fixtures/report/events.jsonl'],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr()).toContain('test/fixtures/validate/bad/objective-range.yaml:4:34: spec.objective:');
  });
});
