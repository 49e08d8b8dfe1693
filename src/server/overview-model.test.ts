import { describe, expect, it } from 'vitest';
import { defineSlo, loadSlo } from '../../test/helpers/definitions.js';
import { failedStatus } from '../slo/evaluate.js';
import { EventReport } from '../slo/event-report.js';
import { overviewJson, overviewOf } from './overview-model.js';
import { renderOverview } from './pages/overview.js';

const T = Date.parse('2026-11-30T12:00:00Z');
const viewer = { name: 'vera', roles: ['viewer'] as const, csrfToken: null };

function fixture() {
  const burning = defineSlo({ name: 'burning', objective: 99.9, window: '28d', regions: ['eu-west1'] });
  const healthy = defineSlo({ name: 'healthy', objective: 99, window: '7d' });
  const quiet = defineSlo({ name: 'quiet', objective: 99 });
  const broken = loadSlo(`apiVersion: vigil/v1
kind: SLO
metadata: { name: broken, squad: web }
spec:
  service: "<script>alert(1)</script>"
  objective: 99
  window: 7d
  indicator: { events: {} }
`);
  const report = new EventReport([burning, healthy, quiet], T);
  // Half the last hour failing in eu-west1: every page window burns.
  for (let m = 1; m <= 60; m++) {
    report.add({ slo: 'burning', ts: T - m * 60_000, good: 50, total: 100, targetRegion: 'eu-west1', vantage: 'us-central1' });
    report.add({ slo: 'healthy', ts: T - m * 60_000, good: 100, total: 100, targetRegion: '', vantage: '' });
  }
  const statuses = [...report.statuses(), failedStatus(broken, new Error('window sums are inconsistent'))];
  return { defs: [burning, healthy, quiet, broken], slos: statuses };
}

describe('the overview', () => {
  const { defs, slos } = fixture();
  const overview = overviewOf({ at: new Date(T).toISOString(), slos }, defs, null, { 'eu-west1': { weight: 100 } });

  it('gives each SLO its state: page firing, ok, no data, and the error of one that failed', () => {
    expect(overview.slos.map((s) => [s.name, s.state])).toEqual([
      ['burning', 'page'],
      ['healthy', 'ok'],
      ['quiet', 'no_data'],
      ['broken', 'error'],
    ]);
    expect(overview.slos[0]?.firing).toContain('page 1h/5m in eu-west1');
    expect(overview.slos[3]?.error).toBe('window sums are inconsistent');
    expect(overviewJson.parse(overview)).toEqual(overview);
  });

  it('renders every row, the failed one with its error, and escapes what came from YAML', () => {
    const html = renderOverview(overview, viewer);
    expect(html.match(/<tr data-name=/g)).toHaveLength(4);
    expect(html).toContain('Could not evaluate: window sums are inconsistent');
    expect(html).toContain('data-service="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('weight 100 of 100');
  });
});
