// Signing in from a real browser: the sign-in page, a wrong token, the overview after signing in with a token,
// signing out; and a prober's token, which may not see the pages.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server/start.js';
import { IDENTITIES, startAuthServer } from './helpers/auth-project.js';
import { launchBrowser, screenshot } from './helpers/browser.js';

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  ({ server } = await startAuthServer());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('signing in from a browser', () => {
  it('shows the sign-in page, refuses a wrong token, signs in to the overview, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    const first = await page.goto(`${server.url}/`);
    expect(first?.status()).toBe(401);
    await expect(page.title()).resolves.toBe('Sign in — Vigil');
    await screenshot(page, 'sign-in');

    await page.fill('#token', 'not-the-right-token-0000');
    await page.click('button[type=submit]');
    await page.locator('#sign-in-message', { hasText: 'unknown token' }).waitFor();
    await screenshot(page, 'sign-in-refused');

    await page.fill('#token', IDENTITIES.imoc.token);
    await Promise.all([page.waitForURL(`${server.url}/`), page.waitForSelector('h1:text("SLO overview")'), page.click('button[type=submit]')]);
    await expect(page.textContent('.who')).resolves.toContain('ida · imoc');
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'vigil_session', httpOnly: true, sameSite: 'Strict' })]);
    // The page's script cannot read the session cookie.
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
    await screenshot(page, 'overview-signed-in');

    await Promise.all([page.waitForSelector('#sign-in'), page.click('#sign-out')]);
    expect((await page.reload())?.status()).toBe(401);
    // Only the wrong token's refused sign-in (a 401 the page asked for) reached the console.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await context.close();
  });

  it('a prober token signs in but may not see the pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('#token', IDENTITIES.prober.token);
    await Promise.all([page.waitForSelector('h1:text("Not allowed")'), page.click('button[type=submit]')]);
    await expect(page.textContent('main')).resolves.toContain('it needs role viewer');
    await screenshot(page, 'not-allowed');
    await context.close();
  });
});
