import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/app.js';
import { browserUnavailable, launchChromium, screenshotPath } from '../harness/browser.js';

/** The review UI shell used like a person would: real server, real browser, clicks and typing. */
describe.skipIf(browserUnavailable())('review UI: sign-in, role navigation, admin', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) consoleErrors.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the login page and the server’s message for a wrong password', async () => {
    await page.goto(`${server.url}/admin/users`);
    await page.waitForURL('**/login');
    await page.screenshot({ path: await screenshotPath('01-login') });
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password.');
    await page.screenshot({ path: await screenshotPath('02-login-error') });
  });

  it('signs an admin in and shows admin navigation', async () => {
    await page.getByLabel('Password').fill('welcome-to-duet');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('current-user-name').textContent()).toBe('Ada Okafor');
    for (const item of ['Users', 'Teams', 'Recorder tokens', 'Audit log', 'System']) {
      expect(await page.getByRole('navigation').getByRole('link', { name: item }).count(), item).toBe(1);
    }
    await page.screenshot({ path: await screenshotPath('03-admin-home') });
  });

  it('lists users and creates a recorder token that is shown once', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'blair', exact: true }).count()).toBe(1);
    await page.screenshot({ path: await screenshotPath('04-users'), fullPage: true });

    await page.getByRole('navigation').getByRole('link', { name: 'Recorder tokens' }).click();
    await page.getByLabel('Agent').selectOption({ label: 'Alex Kim (alex)' });
    await page.getByLabel('Label').fill('Desk 14, Chrome');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByTestId('created-token').inputValue();
    expect(shown).toMatch(/^duet_rt_/);
    await page.screenshot({ path: await screenshotPath('05-token-created') });
    await page.getByRole('button', { name: 'Done' }).click();
    const tokens = page.getByRole('region', { name: 'Recorder tokens' });
    await expect.poll(() => tokens.getByRole('row').allInnerTexts()).toEqual([expect.stringMatching(/AGENT/i), expect.stringMatching(/Alex Kim\s+Desk 14, Chrome/)]);
    expect(await page.content()).not.toContain(shown);
    const audit = await server.core.db.selectFrom('audit_log').select('action').where('action', '=', 'recorder_token.create').execute();
    expect(audit).toHaveLength(1);
  });

  it('shows the audit log and the system page', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.getByTitle('recorder_token.create').count()).toBeGreaterThan(0);
    await page.screenshot({ path: await screenshotPath('06-audit') });
    await page.getByRole('navigation').getByRole('link', { name: 'System' }).click();
    await expect.poll(() => page.getByText('pglite', { exact: false }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: await screenshotPath('07-system') });
  });

  it('signs out, and an agent sees no admin area on a phone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${server.url}/login`);
    await phone.getByLabel('Username').fill('alex');
    await phone.getByLabel('Password').fill('welcome-to-duet');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => phone.getByTestId('current-user-name').textContent()).toBe('Alex Kim');
    await phone.screenshot({ path: await screenshotPath('08-agent-home-phone') });
    await phone.goto(`${server.url}/admin/users`);
    await expect.poll(() => phone.getByRole('heading', { level: 1 }).first().textContent()).toMatch(/permission|not allowed|forbidden/i);
    expect(await phone.getByRole('cell', { name: 'blair', exact: true }).count()).toBe(0);
    await phone.close();
    expect(consoleErrors).toEqual([]);
  });
});
