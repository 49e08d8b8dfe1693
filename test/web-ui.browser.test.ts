// The web UI in Debian's Chromium: a viewer signs in and works the overview of 1,000 SLOs (search, filters,
// sort), drills down to an SLO's charts and zooms; an IMOC drains a region from the failover page with a
// confirmation and a reason, and the audit log shows it; a viewer sees no command buttons and a command
// forged from their session is refused; a report downloaded as CSV holds the API's numbers; drills, probes
// and reports pages render. Every test saves screenshots under test-results/.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server/start.js';
import { bearer, IDENTITIES, type IdentityKey, startAuthServer } from './helpers/auth-project.js';
import { launchBrowser, screenshot } from './helpers/browser.js';
import { waitFor, weightsOnDisk } from './helpers/failover-project.js';
import { startUiServer } from './helpers/ui-project.js';

let browser: Browser;
let server: RunningServer;
let weightsFile: string;

interface OverviewJson {
  slos: Array<{ name: string; squad: string; state: string; budgetRemaining: number }>;
}

const api = async <T>(path: string, who: IdentityKey = 'viewer', init: RequestInit = {}): Promise<T> => {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...bearer(who), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  expect(res.status, `${path}: ${res.status}`).toBeLessThan(300);
  return (await res.json()) as T;
};

/** A browser context signed in through the sign-in page, collecting the pages' script errors. */
async function signedIn(who: IdentityKey): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${server.url}/`);
  await page.fill('#token', IDENTITIES[who].token);
  await Promise.all([page.waitForSelector('h1:text("SLO overview")'), page.click('button[type=submit]')]);
  // The sign-in page itself was a 401, which the console reports: errors count from here.
  errors.length = 0;
  return { context, page, errors };
}

const shown = (page: Page) => page.$$eval('#slo-rows > tr:not([hidden])', (rows) => rows.map((r) => ({ name: r.getAttribute('data-name'), squad: r.getAttribute('data-squad'), state: r.getAttribute('data-state'), budget: Number(r.getAttribute('data-budget')) })));

beforeAll(async () => {
  ({ server, weightsFile } = await startUiServer());
  browser = await launchBrowser();
  // Something for the charts to mark and the probes page to show.
  await api('/api/v1/failover/drain', 'imoc', { method: 'POST', body: JSON.stringify({ region: 'asia-east1', reason: 'before the UI tests' }) });
  await api('/api/v1/failover/restore', 'imoc', { method: 'POST', body: JSON.stringify({ region: 'asia-east1', reason: 'before the UI tests' }) });
  const ts = new Date(Date.now() - 30_000).toISOString();
  const result = (target: string, ok: boolean, latencyMs: number, days: number) => ({
    probe: 'api-https', target, targetRegion: 'eu-west1', vantage: 'us-central1', ts, ok, latencyMs, failure: ok ? null : 'tls_error', status: ok ? 200 : null, phases: null,
    ...(ok ? { certExpiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : { detail: 'certificate has expired' }),
  });
  await api('/api/v1/results', 'prober', { method: 'POST', body: JSON.stringify({ batchId: 'ui-1', vantage: 'us-central1', results: [result('https://a.example/', true, 12, 9), result('https://b.example/', true, 30, 80), result('https://c.example/', false, 3, 0)] }) });
  // The overview must have evaluated the seeded data before the pages are looked at.
  await waitFor(() => api<OverviewJson>('/api/v1/overview'), (o) => o.slos.length === 1000 && o.slos.some((s) => s.state === 'page'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the web UI', () => {
  it('shows 1,000 SLOs in one page, least budget first, with search, squad and state filters kept in the URL', async () => {
    const { context, page, errors } = await signedIn('viewer');
    const truth = await api<OverviewJson>('/api/v1/overview');
    await expect(page.textContent('#slo-count')).resolves.toBe('1000 of 1000 SLOs shown');
    const all = await shown(page);
    expect(all).toHaveLength(1000);
    const budgets = all.map((r) => r.budget);
    expect(budgets).toEqual([...budgets].sort((a, b) => a - b));
    await expect(page.locator('.regions .region').count()).resolves.toBe(4);
    await screenshot(page, 'ui-overview', { fullPage: false });

    await page.fill('input[name=q]', 'fleet-004');
    expect((await shown(page)).map((r) => r.name)).toEqual(['fleet-0040', 'fleet-0041', 'fleet-0042', 'fleet-0043', 'fleet-0044', 'fleet-0045', 'fleet-0046', 'fleet-0047', 'fleet-0048', 'fleet-0049'].filter((n) => all.some((r) => r.name === n)).sort((a, b) => (all.find((r) => r.name === a)?.budget ?? 0) - (all.find((r) => r.name === b)?.budget ?? 0) || a.localeCompare(b)));
    await page.fill('input[name=q]', '');

    await page.selectOption('select[name=squad]', 'payments');
    await page.selectOption('select[name=state]', 'page');
    const paging = truth.slos.filter((s) => s.squad === 'payments' && s.state === 'page').map((s) => s.name).sort();
    expect(paging.length).toBeGreaterThan(0);
    expect((await shown(page)).map((r) => r.name).sort()).toEqual(paging);
    await expect(page.textContent('#slo-count')).resolves.toBe(`${paging.length} of 1000 SLOs shown`);
    expect(new URL(page.url()).search).toBe('?squad=payments&state=page');
    await page.reload();
    expect((await shown(page)).map((r) => r.name).sort()).toEqual(paging);
    await screenshot(page, 'ui-overview-filtered');

    await page.selectOption('select[name=sort]', 'name');
    const names = (await shown(page)).map((r) => r.name as string);
    expect(names).toEqual([...names].sort());
    expect(errors).toEqual([]);
    await context.close();
  });

  it("drills down from the overview to an SLO's charts, with the failover marked, and zooms all charts together", async () => {
    const { context, page, errors } = await signedIn('viewer');
    await page.fill('input[name=q]', 'api');
    await Promise.all([page.waitForURL(`${server.url}/slos/api`), page.click('#slo-rows a:text-is("api")')]);
    await page.waitForSelector('#chart-status:has-text("points every")');
    await expect(page.locator('#slo-charts .uplot').count()).resolves.toBe(3);
    await expect(page.textContent('#chart-status')).resolves.toMatch(/[2-9] events marked/);
    await expect(page.textContent('#history-warning')).resolves.toMatch(/shorter than the 28d window/);
    await screenshot(page, 'ui-slo-detail');

    // Three days of data: show a week, then drag across the middle of the budget chart.
    await page.selectOption('select[name=range]', '10080');
    await page.waitForSelector('#chart-status:has-text("every 30m")');
    const over = page.locator('#chart-budget .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('no chart area');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const zoomed = await page.$eval('#slo-charts', (el) => ({ from: el.getAttribute('data-shown-from'), to: el.getAttribute('data-shown-to') }));
    const span = Date.parse(zoomed.to ?? '') - Date.parse(zoomed.from ?? '');
    expect(span).toBeGreaterThan(1.5 * 86_400_000);
    expect(span).toBeLessThan(2.5 * 86_400_000);
    // The SLI chart follows the budget chart's zoom.
    const sliAxis = await page.$eval('#chart-sli .u-axis', (el) => el.textContent);
    const budgetAxis = await page.$eval('#chart-budget .u-axis', (el) => el.textContent);
    expect(sliAxis).toBe(budgetAxis);
    await screenshot(page, 'ui-slo-detail-zoomed');

    await page.selectOption('select[name=region]', 'eu-west1');
    await page.waitForSelector('#chart-status:has-text("points every")');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an IMOC drain a region with a confirmation and a reason, and shows it in the audit log', async () => {
    const { context, page, errors } = await signedIn('imoc');
    await page.goto(`${server.url}/failover`);
    await page.click('#drain-eu-west1');
    const dialog = page.locator('dialog.confirm');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await page.click('#action-confirm');
    await page.locator('.dialog-message', { hasText: 'Give a reason' }).waitFor();
    expect(weightsOnDisk(weightsFile)?.['eu-west1']).not.toBe(0);
    await page.fill('#action-reason', 'UI test: eu-west1 evacuation');
    await screenshot(page, 'ui-failover-confirm');
    await page.click('#action-confirm');
    await page.locator('#audit-log tr', { hasText: 'UI test: eu-west1 evacuation' }).first().waitFor();
    const row = await page.locator('#audit-log tr', { hasText: 'UI test: eu-west1 evacuation' }).first().textContent();
    expect(row).toContain('drain eu-west1');
    expect(row).toContain('executed');
    expect(row).toContain('ida');
    expect(weightsOnDisk(weightsFile)?.['eu-west1']).toBe(0);
    await expect(page.locator('#restore-eu-west1').count()).resolves.toBe(1);
    await screenshot(page, 'ui-failover-drained');
    const audit = await api<{ entries: Array<{ action: string; actor: string; reason: string }> }>('/api/v1/failover/audit?limit=5');
    expect(audit.entries.find((e) => e.reason === 'UI test: eu-west1 evacuation')).toMatchObject({ action: 'drain', actor: 'ida' });
    await api('/api/v1/failover/restore', 'imoc', { method: 'POST', body: JSON.stringify({ region: 'eu-west1', reason: 'after the UI test' }) });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a viewer no command buttons, and refuses a drain forged from their session', async () => {
    const { context, page } = await signedIn('viewer');
    await page.goto(`${server.url}/failover`);
    await expect(page.locator('button[data-action]').count()).resolves.toBe(0);
    await expect(page.locator('#regions th:text("Act")').count()).resolves.toBe(0);
    const before = readFileSync(weightsFile, 'utf8');
    // The page's own session and CSRF token: only the role is missing.
    const csrf = (await page.getAttribute('meta[name="csrf-token"]', 'content')) ?? '';
    expect(csrf).not.toBe('');
    const forged = await page.evaluate(async (token) => {
      const res = await fetch('/api/v1/failover/drain', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ region: 'eu-west1', reason: 'forged' }) });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, csrf);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('forbidden');
    expect(readFileSync(weightsFile, 'utf8')).toBe(before);
    await page.goto(`${server.url}/drills`);
    await expect(page.locator('button[data-action]').count()).resolves.toBe(0);
    await screenshot(page, 'ui-failover-viewer');
    await context.close();
  });

  it('downloads a report as CSV whose numbers equal the API', async () => {
    const { context, page, errors } = await signedIn('viewer');
    await page.goto(`${server.url}/reports?period=month&squad=payments`);
    await screenshot(page, 'ui-reports', { fullPage: false });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    const report = await api<{ slos: Array<{ name: string; good: number; total: number; attainment: number | null; budgetSpentPercent: number | null }> }>('/api/v1/reports?period=month&squad=payments');
    expect(rows).toHaveLength(100);
    expect(rows.map((r) => [r.slo, Number(r.good), Number(r.total), r.budget_spent_percent])).toEqual(report.slos.map((s) => [s.name, s.good, s.total, s.budgetSpentPercent === null ? '' : String(s.budgetSpentPercent)]));
    expect(report.slos.some((s) => s.good < s.total)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the probes page: failures with their detail, certificates soonest first', async () => {
    const { context, page, errors } = await signedIn('viewer');
    await page.goto(`${server.url}/probes`);
    await expect(page.textContent('#probe-failures')).resolves.toContain('certificate has expired');
    const certificates = await page.$$eval('#probe-certificates tbody tr', (rows) => rows.map((r) => r.children[3]?.textContent));
    expect(certificates).toEqual(['https://a.example/', 'https://b.example/']);
    await screenshot(page, 'ui-probes');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a drill from the drills page, aborts it, and shows its report', async () => {
    // The fleet above pages (which rightly blocks drills): this runs on a project with nothing burning.
    const quiet = await startAuthServer();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(`${quiet.server.url}/drills`);
      await page.fill('#token', IDENTITIES.imoc.token);
      await Promise.all([page.waitForSelector('h1:text("Drills")'), page.click('button[type=submit]')]);
      await page.click('#start-eu-evacuation');
      await page.fill('#action-reason', 'UI test drill');
      await page.click('#action-confirm');
      await page.locator('#active-run', { hasText: 'eu-evacuation' }).waitFor();
      await screenshot(page, 'ui-drills-running');
      await page.click('#abort-drill');
      await page.fill('#action-reason', 'UI test abort');
      await page.click('#action-confirm');
      await page.locator('#past-runs tr', { hasText: 'aborted' }).first().waitFor({ timeout: 20_000 });
      await screenshot(page, 'ui-drills');
      await Promise.all([page.waitForURL(/\/drills\/eu-evacuation\/runs\//), page.click('#past-runs a')]);
      await expect(page.textContent('h1')).resolves.toMatch(/^Drill eu-evacuation, run /);
      await expect(page.textContent('main')).resolves.toContain('UI test abort');
      await screenshot(page, 'ui-drill-report');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await quiet.server.close();
    }
  }, 60_000);
});
