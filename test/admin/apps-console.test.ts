import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { STAFF_SESSION_COOKIE } from '../../src/admin';
import { startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { clientKey } from '../support/backend-clients';
import { describeBrowser, launchChromium } from '../support/browser';
import { staffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The console's portal app pages (issue 12, items 7 and 11), in Chromium with axe-core. */
describeBrowser('the portal apps pages of the console', () => {
  let gateway: ConformanceGateway;
  let chromium: Chromium;

  beforeAll(async () => {
    gateway = await startConformanceGateway({
      clients: [
        {
          id: 'portal-app',
          name: 'Portal app',
          type: 'public',
          redirectUris: ['http://127.0.0.1:7799/callback'],
          scopes: 'openid fhirUser launch/patient patient/*.rs',
        },
      ],
    });
    chromium = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await chromium?.close();
    await gateway?.close();
  });

  async function pageAs(role: 'functional-administrator' | 'support-desk'): Promise<Page> {
    const login = await staffLogin(gateway.running.store, role);
    const context = await chromium.newContext({ bypassCSP: true });
    await context.addCookies([
      { name: STAFF_SESSION_COOKIE, value: login.cookie.split('=')[1]!, url: gateway.base },
    ]);
    return context.newPage();
  }

  async function audit(page: Page, name: string): Promise<void> {
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async (tags) => {
      const scope = globalThis as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
        document: unknown;
      };
      return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } })).violations;
    }, TAGS);
    expect([name, violations]).toEqual([name, []]);
  }

  it('ADMIN-APPS-7: a functional administrator registers an app, sees its secret once with a warning, rotates it and disables the app; every page passes axe', async () => {
    const page = await pageAs('functional-administrator');
    await page.goto(`${gateway.base}/admin/console/apps`);
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await page.textContent('nav')).toContain('Portal-apps');
    expect(await page.textContent('main')).toContain('portal-app');
    await audit(page, 'list');

    await page.fill('#name', 'Leverancier server-app');
    await page.fill('#id', 'console-server');
    await page.selectOption('#type', 'confidential-symmetric');
    await page.fill('#redirectUris', 'https://vendor.example.org/callback\nhttps://vendor.example.org/other');
    await page.fill('#reason', 'contract met de leverancier');
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['cache-control']).toBe('no-store');
    expect(await page.textContent('.warning')).toContain('maar één keer');
    const secret = await page.inputValue('#secret');
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    await audit(page, 'registered');

    await page.click('text=Naar de app');
    expect(page.url()).toBe(`${gateway.base}/admin/console/apps/console-server`);
    const detail = await page.content();
    expect(detail).not.toContain(secret);
    expect(detail).not.toContain('scrypt$');
    expect(await page.textContent('main')).toContain('https://vendor.example.org/other');
    await audit(page, 'detail');

    await page.fill('#rotate-reason', 'geheim gelekt');
    await Promise.all([page.waitForNavigation(), page.click('text=Nieuw geheim maken')]);
    const rotated = await page.inputValue('#secret');
    expect(rotated).not.toBe(secret);
    await page.click('text=Naar de app');

    await page.fill('#disable-reason', 'contract beëindigd');
    await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
    expect(await page.textContent('.notice')).toContain('uitgeschakeld');
    expect(await page.textContent('main')).toContain('Weer inschakelen');
    await page.goto(`${gateway.base}/admin/console/apps/console-server?lang=en`);
    await audit(page, 'detail-en');

    // Keys as JSON text in the form (the same way in as the command line's --jwks).
    const key = await clientKey('ES384', 'console-key');
    await page.goto(`${gateway.base}/admin/console/apps`);
    await page.fill('#name', 'Vendor with keys');
    await page.fill('#id', 'console-keys');
    await page.selectOption('#type', 'confidential-asymmetric');
    await page.fill('#redirectUris', 'https://keys.example.org/callback');
    await page.fill('#jwks', JSON.stringify({ keys: [key.publicJwk] }));
    await page.fill('#reason', 'contract met de leverancier');
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    expect(await page.textContent('main')).toContain('console-key');
    expect(await page.$('#secret')).toBeNull();

    // A refused registration is a page naming the field.
    await page.goto(`${gateway.base}/admin/console/apps`);
    await page.fill('#name', 'Onveilig');
    await page.fill('#redirectUris', 'http://vendor.example.org/callback');
    await page.fill('#reason', 'proberen');
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    expect(refused?.status()).toBe(400);
    expect(await page.textContent('.error')).toContain('redirectUris[0]');
    await audit(page, 'refused');
  }, 90_000);

  it('ADMIN-APPS-8: the support desk has no portal apps in its menu and is refused the page', async () => {
    const page = await pageAs('support-desk');
    await page.goto(`${gateway.base}/admin/console`);
    expect(await page.textContent('nav')).not.toContain('Portal-apps');
    const res = await page.goto(`${gateway.base}/admin/console/apps`);
    expect(res?.status()).toBe(403);
  });
});
