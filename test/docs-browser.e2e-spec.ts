import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

/**
 * Swagger UI at /docs, used as a person uses it, in Debian's Chromium (`apt-get install
 * chromium`; .ci/run installs it). Playwright's own browser download is never used: the
 * machines that run this have no internet.
 */
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** CI must run this spec: there a missing browser is a failure, not a skip. */
const REQUIRED = process.env.CI === 'true';

if (!HAS_CHROMIUM && !REQUIRED) {
  console.warn(
    `SKIPPED test/docs-browser.e2e-spec.ts: ${CHROMIUM} not found, so the Swagger UI browser test does not run. ` +
      'Install it to enable the test: apt-get install -y --no-install-recommends chromium',
  );
}
const describeIfChromium = HAS_CHROMIUM || REQUIRED ? describe : describe.skip;

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');

/** Everything Chromium does in the background (updates, sync, safe browsing) stays off: no internet here. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium logs a CSP refusal as a console error itself; this makes sure of it, in the page (a
 * string: the tests compile without the DOM types).
 */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) =>
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));`;

/** The JSON body of the response Swagger UI shows after Execute, once it has a status. */
async function executedResponse(operation: Locator): Promise<{ status: number; body: any }> {
  const response = operation.locator('.live-responses-table tbody .response').first();
  await response.locator('.response-col_status').waitFor();
  const status = Number((await response.locator('.response-col_status').innerText()).trim());
  const text = await response.locator('.response-col_description pre').first().innerText();
  return { status, body: JSON.parse(text) };
}

/** Expands an operation, "Try it out", optionally types a body, Execute. */
async function tryItOut(page: Page, id: string, body?: unknown): Promise<Locator> {
  const operation = page.locator(`#${id}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  if (body !== undefined) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
  await operation.getByRole('button', { name: 'Execute' }).click();
  return operation;
}

describeIfChromium('Swagger UI at /docs in a real browser (e2e)', () => {
  let api: TestApp;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAS_CHROMIUM) {
      throw new Error(`CI=true but ${CHROMIUM} is missing; .ci/run installs it with apt-get (package "chromium")`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startTestApp();
    profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());

    // Recorded from the first byte: every request the page makes, every CSP report and error.
    context.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()}`));
    await page.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  }, 60000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await api?.close();
  });

  it('renders every operation from the app alone, under the security headers, with no error', async () => {
    const response = await page.goto(`${api.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    // One block per operation of the served document, whatever routes it has.
    const document = (await (await fetch(`${api.url}/docs-json`)).json()) as {
      paths: Record<string, object>;
      tags: { name: string }[];
    };
    const operations = Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
    await page.locator('.opblock').first().waitFor();
    expect(operations).toBeGreaterThanOrEqual(11);
    await expect(page.locator('.opblock').count()).resolves.toBe(operations);
    // One section per tag of the document, in its order.
    expect(document.tags.length).toBeGreaterThanOrEqual(4);
    const sections = (await page.locator('.opblock-tag').allInnerTexts()).map((text) => text.split('\n')[0].trim());
    expect(sections).toEqual(document.tags.map((tag) => tag.name));
    await page.screenshot({ path: join(ARTIFACTS, 'docs-overview.png'), fullPage: true });

    const origin = new URL(api.url).origin;
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(problems).toEqual([]);
  }, 30000);

  it("logs in with the admin's credentials from the page, then calls GET /v1/me and an admin route with the token", async () => {
    const login = await tryItOut(page, 'operations-Auth-AuthController_login', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    });
    const loggedIn = await executedResponse(login);
    await login.scrollIntoViewIfNeeded();
    await login.screenshot({ path: join(ARTIFACTS, 'docs-login.png') });

    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body).toMatchObject({
      challenge_name: null,
      session: null,
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      id_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
    });

    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    // The access token's form, by its description: the dialog also lists introspection's Basic
    // scheme and the admin API's key scheme, whose form has the same input.
    const bearer = dialog.locator('form').filter({ hasText: 'The access_token from /v1/login' });
    await bearer.locator('input[aria-label="auth-bearer-value"]').fill(loggedIn.body.access_token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });

    const me = await tryItOut(page, 'operations-Account-UsersController_me');
    const profileResponse = await executedResponse(me);
    await me.scrollIntoViewIfNeeded();
    await me.screenshot({ path: join(ARTIFACTS, 'docs-me.png') });

    expect(profileResponse).toMatchObject({
      status: 200,
      body: { username: 'admin', email: 'admin@example.com', status: 'ACTIVE' },
    });
    // The page sent the token it was given as the bearer header.
    await expect(me.locator('.curl-command').innerText()).resolves.toContain(
      `Authorization: Bearer ${loggedIn.body.access_token}`,
    );

    // An admin route, under its own tag, with the same token: the admin's role opens it.
    const admin = page.locator('#operations-Admin-AdminUsersController_get');
    await admin.locator('.opblock-summary').first().click();
    await admin.getByRole('button', { name: 'Try it out' }).click();
    await admin.locator('.parameters input[placeholder="username"]').fill('ADMIN');
    await admin.getByRole('button', { name: 'Execute' }).click();
    const adminResponse = await executedResponse(admin);
    await admin.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: join(ARTIFACTS, 'docs-admin-user.png') });

    expect(adminResponse).toMatchObject({
      status: 200,
      body: { username: 'admin', roles: ['admin'], status: 'ACTIVE', mfa_enabled: false },
    });
    await expect(admin.locator('.curl-command').innerText()).resolves.toContain(
      `Authorization: Bearer ${loggedIn.body.access_token}`,
    );

    const origin = new URL(api.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(problems).toEqual([]);
  }, 60000);
});
