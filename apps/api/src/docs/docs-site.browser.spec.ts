import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../testing/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * The realm's docs client (tools/stack/keycloak/invoicing-realm.json) accepts only redirects to
 * http://localhost:3000/* and http://127.0.0.1:3000/*, and Keycloak 26 compares the port even for loopback addresses:
 * the API must run on port 3000 for Keycloak to send the browser back to the docs page.
 */
const PORT = 3000;
const ORIGIN = `http://localhost:${PORT}`;
const DEMO_USER = { username: 'acme-admin', password: 'demo' };

/** Whether the port can be listened on now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: 'localhost' }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Starts the API on the docs port. Another test run's browser test may hold it for a few seconds: wait for it a
 * while, then say what to do, rather than fail on a busy port without a word.
 */
async function startOnDocsPort(): Promise<TestApi> {
  const deadline = Date.now() + 45_000;
  while (!(await isFree(PORT))) {
    if (Date.now() > deadline) {
      throw new Error(`Port ${PORT} is in use. The realm's docs client only redirects back to ${ORIGIN}, so this test runs the API there: stop what listens on it (an \`npm start\`?) and run the test again.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return startTestApi('docs_browser', { PORT: String(PORT), HOST: 'localhost', PUBLIC_URL: ORIGIN });
}

describe('the docs site in a browser', () => {
  let t: TestApi;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium: apt-get install chromium (or set CHROMIUM_PATH).`);
    t = await startOnDocsPort();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await (await browser.newContext()).newPage();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in through Keycloak, calls GET /v1/partners from the reference, and moves between reference and guide', async () => {
    await page.goto(`${ORIGIN}/docs`);
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
    await page.waitForURL(`${ORIGIN}/docs/guide/invoice-lifecycle`);
    expect(await page.locator('main h1').innerText()).toBe('Invoice lifecycle');
    expect(await page.locator('figure.state-diagram table').isVisible()).toBe(true);

    // And back: the page's link to an operation opens it in the reference.
    await page.locator('#issue + .api-operations a').first().click();
    await page.waitForURL(`${ORIGIN}/docs#/Invoices/issueInvoice`);
    await page.locator('#operations-Invoices-issueInvoice.is-open').waitFor();
  }, 120_000);
});
