import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCS_CLIENT_ID, allowClientOrigin } from '@invoicing/stack';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../testing/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEMO_USER = { username: 'acme-admin', password: 'demo' };

/** A loopback port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('the docs site in a browser', () => {
  let t: TestApi;
  let origin: string;
  let releaseOrigin: (() => Promise<void>) | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium: apt-get install chromium (or set CHROMIUM_PATH).`);
    // A port of its own, so that an `npm start` on :3000 or another run does not stand in the way. The realm's docs
    // client redirects only to the origins it lists, comparing ports even on loopback: this run's origin is listed
    // for as long as the run lasts.
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await startTestApi('docs_browser', { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: origin });
    releaseOrigin = await allowClientOrigin(t.realm, DOCS_CLIENT_ID, origin);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await (await browser.newContext()).newPage();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await releaseOrigin?.();
    await t?.close();
  });

  it('signs in through Keycloak, calls GET /v1/partners from the reference, and moves between reference and guide', async () => {
    await page.goto(`${origin}/docs`);
    await page.locator('.swagger-ui .info .title', { hasText: 'Invoicing API' }).waitFor();

    // Authorize: the realm's single sign-on, in the pop-up window Swagger UI opens.
    await page.locator('.swagger-ui .auth-wrapper button.authorize').click();
    const oauth = page.locator('.auth-container', { hasText: 'keycloak' });
    await oauth.locator('input[type="checkbox"][data-value="openid"]').check();
    const [login] = await Promise.all([page.waitForEvent('popup'), oauth.locator('button.authorize').click()]);
    await login.locator('#username').fill(DEMO_USER.username);
    await login.locator('#password').fill(DEMO_USER.password);
    await login.locator('#kc-login').click();
    // Back from Keycloak, the pop-up hands the code to Swagger UI, which trades it for a token (PKCE) and says so.
    await oauth.locator('button', { hasText: 'Logout' }).waitFor();
    await page.locator('.modal-ux button.close-modal').click();

    const operation = page.locator('#operations-Partners-listPartners');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    expect((await status.first().innerText()).trim()).toBe('200');
    expect(await operation.locator('.live-responses-table .response .response-col_description').first().innerText()).toContain('"items"');

    // From the reference to a business page, through the site's navigation.
    await page.locator('.docs-site-header a', { hasText: 'Business guide' }).click();
    await page.locator('nav.guide-nav a', { hasText: 'Invoice lifecycle' }).click();
    await page.waitForURL(`${origin}/docs/guide/invoice-lifecycle`);
    expect(await page.locator('main h1').innerText()).toBe('Invoice lifecycle');
    expect(await page.locator('figure.state-diagram table').isVisible()).toBe(true);

    // And back: the page's link to an operation opens it in the reference.
    await page.locator('#issue + .api-operations a').first().click();
    await page.waitForURL(`${origin}/docs#/Invoices/issueInvoice`);
    await page.locator('#operations-Invoices-issueInvoice.is-open').waitFor();
  }, 120_000);
});
