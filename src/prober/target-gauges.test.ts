// The per-target gauges written without prom-client read exactly as prom-client's own gauges would: same
// families, label escaping and numbers, for many targets and awkward label values, in chunks of bounded size.
import fc from 'fast-check';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Outcome } from './outcome.js';
import type { TargetLabels } from './scheduler.js';
import { TargetGauges } from './target-gauges.js';

const PHASES = [
  ['dns', 'resolve'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['ttfb', 'processing'],
  ['transfer', 'transfer'],
] as const;

/** The same last attempts, through prom-client's labelled gauges (what Vigil used before). */
async function promClientText(attempts: ReadonlyArray<[TargetLabels, Outcome]>): Promise<string> {
  const registry = new Registry();
  const labelNames = ['probe', 'target', 'target_region', 'vantage'];
  const registers = [registry];
  const success = new Gauge({ name: 'probe_success', help: 'Whether the last probe was a success', labelNames, registers });
  const duration = new Gauge({ name: 'probe_duration_seconds', help: 'How long the last probe took to complete in seconds', labelNames, registers });
  const status = new Gauge({ name: 'probe_http_status_code', help: 'Response HTTP status code of the last probe (0 when no response arrived)', labelNames, registers });
  const phase = new Gauge({
    name: 'probe_http_duration_seconds',
    help: 'Duration of the last HTTP probe by phase, summed over all redirects',
    labelNames: [...labelNames, 'phase'],
    registers,
  });
  const expiry = new Gauge({ name: 'probe_ssl_earliest_cert_expiry', help: 'Unix time of the earliest expiring certificate in the chain of the last probe', labelNames, registers });
  for (const [l, o] of attempts) {
    const labels = { probe: l.probe, target: l.target, target_region: l.targetRegion, vantage: l.vantage };
    success.set(labels, o.ok ? 1 : 0);
    duration.set(labels, Math.max(0, Math.round(o.latencyMs * 1000) / 1000) / 1000);
    if (l.type === 'http') {
      status.set(labels, o.status ?? 0);
      for (const [ours, theirs] of PHASES) phase.set({ ...labels, phase: theirs }, (o.phases?.[ours] ?? 0) / 1000);
    }
    if (o.certExpiresAt !== undefined) expiry.set(labels, o.certExpiresAt / 1000);
  }
  return registry.metrics();
}

function ourText(gauges: TargetGauges): { text: string; chunks: string[] } {
  const chunks = [...gauges.exposition()];
  return { text: chunks.join(''), chunks };
}

/** The sample lines of a text, each family's lines sorted (prom-client orders label sets its own way). */
function samplesByFamily(text: string): string[] {
  const families = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const name = line.startsWith('#') ? (line.split(' ')[2] ?? '') : (/^[a-z_]+/.exec(line)?.[0] ?? '');
    const lines = families.get(name) ?? [];
    lines.push(line);
    families.set(name, lines);
  }
  return [...families.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, lines]) => lines.sort());
}

const label = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).map((s) => s.replace(/[a]/g, '"').replace(/[b]/g, '\\').replace(/[c]/g, '\n'));
const ms = fc.double({ min: 0, max: 1e5, noNaN: true });
const attempt = fc.tuple(
  fc.record({ probe: label, type: fc.constantFrom('http' as const, 'tcp' as const), target: label, targetRegion: label, vantage: label }),
  fc.record(
    {
      ok: fc.boolean(),
      latencyMs: ms,
      failure: fc.constant(null),
      status: fc.integer({ min: 100, max: 599 }),
      phases: fc.record({ dns: ms, connect: ms, tls: ms, ttfb: ms, transfer: ms }, { requiredKeys: [] }),
      certExpiresAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    },
    { requiredKeys: ['ok', 'latencyMs', 'failure'] },
  ),
);

describe('TargetGauges', () => {
  it('writes what prom-client writes for the same last attempts, label escaping included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { maxLength: 30 }), async (attempts) => {
        // One labels object per label set, as the scheduler has one per target.
        const byText = new Map<string, TargetLabels>();
        const unique = attempts.map(([l, o]): [TargetLabels, Outcome] => {
          const key = JSON.stringify([l.probe, l.target, l.targetRegion, l.vantage]);
          const known = byText.get(key) ?? l;
          byText.set(key, known);
          return [known, o];
        });
        const gauges = new TargetGauges();
        for (const [l, o] of unique) gauges.set(l, o);
        expect(samplesByFamily(ourText(gauges).text)).toEqual(samplesByFamily(await promClientText(unique)));
      }),
      { numRuns: 200 },
    );
  });

  it('writes 10,000 targets in chunks of at most about a thousand lines, every target once per family', () => {
    const gauges = new TargetGauges();
    for (let i = 0; i < 10_000; i++) {
      const labels: TargetLabels = { probe: 'web', type: 'http', target: `http://t${i}.test/`, targetRegion: 'eu', vantage: 'us' };
      gauges.set(labels, { ok: i % 7 !== 0, latencyMs: i / 10, failure: null, status: 200, phases: { connect: 1 } });
    }
    const { text, chunks } = ourText(gauges);
    expect(Math.max(...chunks.map((c) => c.split('\n').length))).toBeLessThanOrEqual(1010);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('probe_success{'))).toHaveLength(10_000);
    expect(lines.filter((l) => l.startsWith('probe_success{') && l.endsWith(' 0'))).toHaveLength(1429);
    expect(lines.filter((l) => l.startsWith('probe_http_duration_seconds{'))).toHaveLength(50_000);
    expect(lines.filter((l) => l.startsWith('probe_ssl_earliest_cert_expiry{'))).toHaveLength(0);
  });

  it('reuses the row of a removed target for a new one, which starts with no certificate expiry', () => {
    const gauges = new TargetGauges();
    const a: TargetLabels = { probe: 'web', type: 'http', target: 'a', targetRegion: 'eu', vantage: 'us' };
    const b: TargetLabels = { ...a, target: 'b' };
    expect(gauges.set(a, { ok: true, latencyMs: 1, failure: null, certExpiresAt: 1_800_000_000_000 })).toBe(true);
    expect(gauges.set(a, { ok: true, latencyMs: 2, failure: null })).toBe(false);
    expect(gauges.remove(a)).toBe(true);
    expect(gauges.remove(a)).toBe(false);
    expect(gauges.set(b, { ok: false, latencyMs: 3, failure: null })).toBe(true);
    const { text } = ourText(gauges);
    expect(text).not.toContain('target="a"');
    expect(text).toContain('probe_duration_seconds{probe="web",target="b",target_region="eu",vantage="us"} 0.003');
    expect(text).not.toContain('probe_ssl_earliest_cert_expiry{');
  });
});
