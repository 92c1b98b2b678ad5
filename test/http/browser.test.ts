// The pages in a real browser: Debian's Chromium driven by playwright-core (no browser download).
// The captcha flow with a referrer allow-list, end to end, with a stand-in widget served locally;
// axe-core on every page; a screenshot of each under test/http/screenshots/ (git-ignored) so
// anyone can look at what a visitor sees. Under CI=true a missing Chromium fails the suite.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import express from 'express';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createMemoryStores, parseCastConfig } from 'castgate';
import { castgateExpress } from 'castgate/express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCaptchaVerifier } from '../../examples/shared/demo-captcha.js';
import { demoWidgetScript } from '../../examples/shared/demo-widget.js';
import { listenOnLoopback } from './listen.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(chromiumPath);
if (!available && process.env.CI === 'true') throw new Error(`Chromium is required under CI=true and was not found at ${chromiumPath} (apt-get install chromium)`);
const screenshots = join(import.meta.dirname, 'screenshots');

const stateSecret = 'browser-test-state-secret-0123456789abcdef';
const config = (input: Record<string, unknown>) => parseCastConfig({ imageId: 'kasmweb/chrome:1.15.0', allowAnonymous: true, ...input });
const links = {
  captcha: config({ name: 'Captcha on the portal', key: 'captcha-oUXAttKSAsMq5yKEbr', requireCaptcha: true, allowedReferrers: ['portal.example.com'] }),
  portal: config({ name: 'Portal only', key: 'portal-TJkeRD8ELiQjMkdj8S', allowedReferrers: ['portal.example.com'] }),
  members: config({ name: 'Members', key: 'members-SjSukD86Gr2YhWH8BS', allowAnonymous: false }),
  excel: config({
    name: 'Excel',
    key: 'excel-W5nYSY2wG3YU4JLLtq',
    imageId: 'rds-pool-excel',
    remoteApp: { remoteAppName: '||Microsoft Excel', args: [{ urlParamName: 'file', valuePattern: '[A-Za-z]:\\\\[^"%]+\\.xlsx', required: true }] },
  }),
  plainCaptcha: config({ name: 'Captcha', key: 'plaincaptcha-Jq7Rk2Vb9Xn4Lm', requireCaptcha: true }),
};

describe.skipIf(!available)('the pages in Chromium (playwright-core, axe-core)', () => {
  let castServer: { origin: string; port: number; close(): Promise<void> } | undefined;
  let portalServer: { origin: string; port: number; close(): Promise<void> } | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let castOrigin = '';
  let portalOrigin = '';

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The portal: a marketing page linking to the cast link, and the host of the widget script.
    const portal = express();
    portal.get('/', (_req, res) => {
      res.type('html').send(`<!doctype html><html lang="en"><title>Portal</title><main><h1>Portal</h1><a id="open" href="${castOrigin}/cast/${links.captcha.key}?lang=en">Open the demo desktop</a></main></html>`);
    });
    portal.get('/widget.js', (_req, res) => {
      res.type('text/javascript').send(demoWidgetScript);
    });
    portalServer = await listenOnLoopback(createServer(portal));
    const portalPort = portalServer.port;
    portalOrigin = `http://portal.example.com:${portalPort}`;

    const stores = { ...createMemoryStores(), captcha: demoCaptchaVerifier() };
    const app = express();
    app.set('trust proxy', false);
    // A second mount whose widget script cannot load (404), to see what the visitor is told.
    app.use('/unloadable', castgateExpress({
      configs: [links.plainCaptcha], stores, stateSecret,
      captcha: { provider: 'turnstile', siteKey: 'demo', scriptUrl: `http://widgets.example.com:${portalPort}/missing.js` },
    }));
    app.use(castgateExpress({
      configs: Object.values(links), stores, stateSecret,
      captcha: { provider: 'turnstile', siteKey: 'demo', scriptUrl: `http://widgets.example.com:${portalPort}/widget.js` },
    }));
    castServer = await listenOnLoopback(createServer(app));
    castOrigin = `http://cast.example.com:${castServer.port}`;

    profile = mkdtempSync(join(tmpdir(), 'castgate-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run',
        // Real host names for the test servers on 127.0.0.1: the portal, the cast host, the widget host.
        '--host-resolver-rules=MAP portal.example.com 127.0.0.1, MAP cast.example.com 127.0.0.1, MAP widgets.example.com 127.0.0.1',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await castServer?.close();
    await portalServer?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  /** Runs axe-core on the page: no serious or critical violation. Saves a screenshot. */
  async function check(page: Page, name: string): Promise<void> {
    await page.evaluate(axe.source);
    const violations = await page.evaluate<{ id: string; impact: string | null }[]>('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))');
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), name).toEqual([]);
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    if (context === undefined) throw new Error('Chromium did not start');
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return { page, problems };
  }

  it('passes a visitor from the portal through the captcha page to the launch page (referrer allow-list, state carried)', async () => {
    const { page, problems } = await newPage();
    try {
      await page.goto(`${portalOrigin}/`);
      const [captchaAnswer] = await Promise.all([page.waitForResponse((r) => r.url().includes('/cast/')), page.click('#open')]);
      expect(captchaAnswer.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('One quick check');
      const box = page.getByLabel('I am a human (offline demo check)');
      await box.waitFor();
      expect(await page.locator('#castgate-captcha-problem').isHidden()).toBe(true);
      await check(page, 'captcha');
      await box.check();
      const [launch] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Continue' }).click()]);
      expect(launch.status()).toBe(200);
      await page.waitForLoadState();
      expect(await page.locator('h1').textContent()).toBe('Your session is ready');
      await check(page, 'launch');
      // The page's CSP let the widget's origin and the nonce-carrying loader run, and nothing was
      // blocked (the only errors are statuses: the 403 of the check page itself, a missing favicon).
      expect(problems.filter((p) => !p.startsWith('Failed to load resource'))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('tells the visitor when the check cannot load, instead of a page that never shows one', async () => {
    const { page } = await newPage();
    try {
      const answer = await page.goto(`${castOrigin}/unloadable/cast/${links.plainCaptcha.key}`);
      expect(answer?.status()).toBe(403);
      const problem = page.locator('#castgate-captcha-problem');
      await problem.waitFor({ state: 'visible' });
      expect(await problem.textContent()).toContain('could not be loaded');
      await check(page, 'captcha-unloadable');
    } finally {
      await page.close();
    }
  });

  for (const [name, path, status, heading] of [
    ['error-referrer', `/cast/${links.portal.key}`, 403, 'This link cannot be opened'],
    ['error-parameter', `/cast/${links.excel.key}`, 400, 'This link cannot be opened'],
    ['sign-in', `/cast/${links.members.key}`, 401, 'Sign in to open this link'],
    ['not-found', '/cast/no-such-link-0123456789', 404, 'Link not found'],
  ] as const) {
    it(`shows the ${name} page (${status}) accessibly`, async () => {
      const { page, problems } = await newPage();
      try {
        const answer = await page.goto(`${castOrigin}${path}`);
        expect(answer?.status()).toBe(status);
        expect(await page.locator('h1').textContent()).toBe(heading);
        expect(await page.getAttribute('html', 'lang')).toBe('en');
        await check(page, name);
        expect(problems.filter((p) => !p.startsWith('Failed to load resource'))).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
