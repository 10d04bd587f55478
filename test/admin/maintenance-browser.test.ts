import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { describeBrowser, launchChromium } from '../support/browser';
import { startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { staffLogin, type StaffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The maintenance pages in Chromium, checked by axe-core (WCAG 2.1 AA): the console page in each
 * state, and the login's maintenance page in Dutch and English. The console's forms are used as
 * staff use them: schedule, start now, end.
 */
describeBrowser('the maintenance pages in Chromium', () => {
  let gateway: ConformanceGateway;
  let chromium: Chromium;
  let admin: StaffLogin;

  beforeAll(async () => {
    gateway = await startConformanceGateway({
      clients: [
        {
          id: 'app',
          name: 'App',
          type: 'public',
          redirectUris: ['http://127.0.0.1:7799/callback'],
          scopes: 'openid fhirUser launch/patient patient/*.rs',
        },
      ],
    });
    chromium = await launchChromium();
    admin = await staffLogin(gateway.running.store, 'functional-administrator', { name: 'Fenna Beheer' });
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await gateway?.close();
  });

  async function audit(page: Page, name: string, language: 'nl' | 'en'): Promise<void> {
    expect([name, await page.getAttribute('html', 'lang')]).toEqual([name, language]);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async (tags) => {
      const scope = globalThis as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
        document: unknown;
      };
      return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } })).violations;
    }, TAGS);
    expect([name, language, violations]).toEqual([name, language, []]);
  }

  it('ADMIN-MAINT-14 (M-8): the console page and the login maintenance page pass axe-core, in Dutch and English; the forms schedule, start and end', async () => {
    const context = await chromium.newContext({ bypassCSP: true });
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: gateway.base }]);
    const page = await context.newPage();
    try {
      await page.goto(`${gateway.base}/admin/console/maintenance`);
      await audit(page, 'console, off', 'nl');
      await page.fill('#schedule-from', '2099-07-01T22:00');
      await page.fill('#schedule-until', '2099-07-02T01:00');
      await page.fill('#schedule-message-nl', 'Gepland onderhoud');
      await page.fill('#schedule-reason', 'yearly upgrade');
      await Promise.all([page.waitForURL(/\/maintenance$/), page.click('text=Onderhoud inplannen')]);
      expect(await page.textContent('main')).toContain('Ingepland');
      await audit(page, 'console, scheduled', 'nl');

      await page.fill('#start-reason', 'urgent fix');
      await Promise.all([page.waitForURL(/\/maintenance$/), page.click('text=Onderhoud nu starten')]);
      expect(await page.textContent('main')).toContain('Onderhoud is gestart.');
      await audit(page, 'console, active', 'nl');
      await page.goto(`${gateway.base}/admin/console/maintenance?lang=en`);
      await audit(page, 'console, active', 'en');

      const login = await page.goto(`${gateway.base}/auth/interaction/whatever`);
      expect(login?.status()).toBe(503);
      await audit(page, 'login maintenance page', 'nl');
      await page.goto(`${gateway.base}/auth/interaction/whatever?lang=en`);
      await audit(page, 'login maintenance page', 'en');

      await page.goto(`${gateway.base}/admin/console/maintenance?lang=nl`);
      await page.fill('#end-reason', 'fixed');
      await Promise.all([page.waitForURL(/\/maintenance$/), page.click('text=Onderhoud beëindigen')]);
      expect(await page.textContent('main')).toContain('Onderhoud is beëindigd.');
      expect((await page.goto(`${gateway.base}/auth/interaction/whatever`))?.status()).not.toBe(503);
    } finally {
      await context.close();
    }
  }, 60_000);
});
