// What a squad sees when the Prometheus behind its ratio SLO stops answering: the SLO page says which
// source failed and that the minutes it could not read are no data, in Debian's Chromium.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/lib/logger.js';
import { type RunningServer, startServer } from '../src/server/start.js';
import { closedPort } from './helpers/adversarial-servers.js';
import { launchBrowser, screenshot } from './helpers/browser.js';
import { makeProject, upConfig } from './helpers/project.js';
import { waitFor } from './helpers/wait.js';

const SLO = `apiVersion: vigil/v1
kind: SLO
metadata: { name: checkout-success, squad: checkout }
spec:
  service: checkout
  objective: 99.9
  window: 28d
  regions: [eu-west1, us-central1]
  indicator:
    ratio:
      source: prometheus
      good: 'http_requests_total{job="checkout",code!~"5.."}'
      total: 'http_requests_total{job="checkout"}'
      regionLabel: region
  alerting: { runbook: runbooks/api.md }
`;

const config = (port: number) =>
  upConfig(`  sources:
    prometheus: { url: "http://127.0.0.1:${port}", timeout: 2s }
`);

let browser: Browser;
let server: RunningServer;
beforeAll(async () => {
  const dir = makeProject({ slos: SLO, config: config(await closedPort()) });
  server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('an SLO whose metric source fails, in the browser', () => {
  it('names the source and its error above the numbers, and shows no data rather than good', async () => {
    await waitFor(async () => {
      const body = (await (await fetch(`${server.url}/api/v1/slos/checkout-success`)).json()) as { source: { lastError: string | null } | null };
      return body.source?.lastError ? true : null;
    }, 'the source error in the API');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/slos/checkout-success`);
    const notice = page.locator('p.notice.error');
    await expect(notice.textContent()).resolves.toMatch(/^Reading prometheus failed at .*unreachable.*Minutes it could not read show as no data.*\(nothing read yet\)/s);
    expect(await notice.isVisible()).toBe(true);
    const wholeRow = page.locator('tr', { hasText: 'whole SLO' });
    expect(await wholeRow.locator('td').nth(2).textContent()).toBe('0');
    await screenshot(page, 'ui-slo-source-error', { fullPage: false });
    await page.close();
  });
});
