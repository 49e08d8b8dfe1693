// What a scrape of the prober metrics shows after attempts, reloads and earlier scrapes: blackbox_exporter's
// gauges per target, the cumulative counters per (probe, target region, vantage), and nothing for removed targets.
import { describe, expect, it } from 'vitest';
import { ProberMetrics } from './metrics.js';
import { failure, type Outcome, success } from './outcome.js';
import type { TargetLabels } from './scheduler.js';

const a: TargetLabels = { probe: 'web', type: 'http', target: 'http://a.test/x', targetRegion: 'eu', vantage: 'us' };
const b: TargetLabels = { ...a, target: 'http://b.test/y' };
const c: TargetLabels = { probe: 'db', type: 'tcp', target: 'db.test:5432', targetRegion: 'eu', vantage: 'us' };

function attempt(metrics: ProberMetrics, labels: TargetLabels, outcome: Outcome): void {
  metrics.attempted(labels, outcome);
}

async function samples(metrics: ProberMetrics): Promise<string[]> {
  let text = '';
  for await (const chunk of metrics.exposition()) text += chunk;
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && /^(probe_|vigil_probe_(success_)?total)/.test(line));
}

const A = 'probe="web",target="http://a.test/x",target_region="eu",vantage="us"';
const B = 'probe="web",target="http://b.test/y",target_region="eu",vantage="us"';
const C = 'probe="db",target="db.test:5432",target_region="eu",vantage="us"';
const WEB = 'probe="web",target_region="eu",vantage="us"';
const DB = 'probe="db",target_region="eu",vantage="us"';

function httpPhases(target: string, seconds: [number, number, number, number, number]): string[] {
  return ['resolve', 'connect', 'tls', 'processing', 'transfer'].map((phase, i) => `probe_http_duration_seconds{${target},phase="${phase}"} ${seconds[i]}`);
}

describe('ProberMetrics', () => {
  it('shows the last attempt of each target and the counts of all attempts, also after an earlier scrape', async () => {
    const metrics = new ProberMetrics();
    attempt(metrics, a, success(120.5, { status: 200, phases: { dns: 0, connect: 1, tls: 0, ttfb: 2, transfer: 0.5 }, certExpiresAt: 1_800_000_000_000 }));
    expect(await samples(metrics)).toEqual([
      `probe_success{${A}} 1`,
      `probe_duration_seconds{${A}} 0.1205`,
      `probe_http_status_code{${A}} 200`,
      ...httpPhases(A, [0, 0.001, 0, 0.002, 0.0005]),
      `probe_ssl_earliest_cert_expiry{${A}} 1800000000`,
      `vigil_probe_total{${WEB},failure=""} 1`,
      `vigil_probe_success_total{${WEB},failure=""} 1`,
    ]);

    attempt(metrics, a, failure('http_status', 30, { status: 503, phases: { dns: 0, connect: 1.5, tls: 0, ttfb: 25, transfer: 0 } }));
    attempt(metrics, b, failure('connection_refused', 2, { phases: { dns: 0, connect: 2 } }));
    attempt(metrics, c, success(4));
    attempt(metrics, c, success(5));
    expect(await samples(metrics)).toEqual([
      `probe_success{${A}} 0`,
      `probe_success{${B}} 0`,
      `probe_success{${C}} 1`,
      `probe_duration_seconds{${A}} 0.03`,
      `probe_duration_seconds{${B}} 0.002`,
      `probe_duration_seconds{${C}} 0.005`,
      `probe_http_status_code{${A}} 503`,
      `probe_http_status_code{${B}} 0`,
      ...httpPhases(A, [0, 0.0015, 0, 0.025, 0]),
      ...httpPhases(B, [0, 0.002, 0, 0, 0]),
      // An attempt without a certificate (here: no response) keeps the expiry last seen.
      `probe_ssl_earliest_cert_expiry{${A}} 1800000000`,
      `vigil_probe_total{${WEB},failure=""} 1`,
      `vigil_probe_total{${WEB},failure="http_status"} 1`,
      `vigil_probe_total{${WEB},failure="connection_refused"} 1`,
      `vigil_probe_total{${DB},failure=""} 2`,
      `vigil_probe_success_total{${WEB},failure=""} 1`,
      `vigil_probe_success_total{${DB},failure=""} 2`,
    ]);
  });

  it('drops a removed target at once, and its counters when the last target of its probe in that region goes', async () => {
    const metrics = new ProberMetrics();
    attempt(metrics, a, success(10, { status: 200, phases: { dns: 0, connect: 1, tls: 0, ttfb: 2, transfer: 0 } }));
    attempt(metrics, b, failure('timeout', 2000, { phases: { dns: 0, connect: 1 } }));
    attempt(metrics, c, success(4));
    await samples(metrics);

    metrics.removed(a);
    attempt(metrics, b, failure('timeout', 2000, { phases: { dns: 0, connect: 1 } }));
    expect(await samples(metrics)).toEqual([
      `probe_success{${B}} 0`,
      `probe_success{${C}} 1`,
      `probe_duration_seconds{${B}} 2`,
      `probe_duration_seconds{${C}} 0.004`,
      `probe_http_status_code{${B}} 0`,
      ...httpPhases(B, [0, 0.001, 0, 0, 0]),
      `vigil_probe_total{${WEB},failure=""} 1`,
      `vigil_probe_total{${WEB},failure="timeout"} 2`,
      `vigil_probe_total{${DB},failure=""} 1`,
      `vigil_probe_success_total{${WEB},failure=""} 1`,
      `vigil_probe_success_total{${DB},failure=""} 1`,
    ]);

    metrics.removed(b);
    expect(await samples(metrics)).toEqual([
      `probe_success{${C}} 1`,
      `probe_duration_seconds{${C}} 0.004`,
      `vigil_probe_total{${DB},failure=""} 1`,
      `vigil_probe_success_total{${DB},failure=""} 1`,
    ]);

    // Back after a reload: counting starts again from zero, like a new series.
    attempt(metrics, a, failure('timeout', 2000));
    expect((await samples(metrics)).filter((line) => line.startsWith('vigil_probe_total{probe="web"'))).toEqual([`vigil_probe_total{${WEB},failure="timeout"} 1`]);
  });
});
