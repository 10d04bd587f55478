// Every login page in Chromium, in Dutch and in English, checked by axe-core against WCAG 2.0 and
// 2.1 A and AA: zero violations (issue 9, item 7). A second test drives the pages without bypassing
// the CSP, to show that the last form's redirect reaches the app (form-action).
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { describeBrowser, launchChromium } from '../../support/browser';
import {
  PASSWORD,
  REDIRECT,
  startPagesGateway,
  totpCode,
  type PagesGateway,
  type TestAccount,
} from './gateway';

const AXE = join(__dirname, '../../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

describeBrowser('the login pages in Chromium', () => {
  let env: PagesGateway;
  let chromium: Chromium;
  let parent: TestAccount;
  const checked: string[] = [];

  beforeAll(async () => {
    env = await startPagesGateway();
    chromium = await launchChromium();
    parent = await env.account('ouder-a11y@example.org', '0614141414', [
      env.relationBinding(1, 'ah-c009', 1),
      env.relationBinding(1, 'ah-c010', 0),
    ]);
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await env?.close();
  });

  function authorizeUrl(): string {
    const verifier = randomBytes(32).toString('base64url');
    return `${env.base}/auth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: REDIRECT,
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
      state: 's',
      aud: `${env.base}/fhir`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })}`;
  }

  /** axe on the current page: no violations, and the page is in the language asked. */
  async function audit(page: Page, name: string, language: 'nl' | 'en'): Promise<void> {
    expect([name, await page.getAttribute('html', 'lang')]).toEqual([name, language]);
    await page.addScriptTag({ path: AXE });
    // Runs in the page (no DOM types here): axe-core's global and the document.
    const violations = await page.evaluate(async (tags) => {
      const scope = globalThis as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
        document: unknown;
      };
      const result = await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } });
      return result.violations;
    }, TAGS);
    expect([name, language, violations as Violation[]]).toEqual([name, language, []]);
    checked.push(`${language}:${name}`);
  }

  async function submit(
    page: Page,
    fields: Record<string, string>,
    button = 'button[type=submit]',
  ): Promise<void> {
    for (const [name, value] of Object.entries(fields)) await page.fill(`[name="${name}"]`, value);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click(button)]);
    await page.waitForLoadState('domcontentloaded');
  }

  for (const language of ['nl', 'en'] as const) {
    it(`A11Y-1 (${language}): login, registration steps, second factor, picker, terms and the error pages have no WCAG 2.1 AA violations`, async () => {
      const context = await chromium.newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        await page.goto(authorizeUrl());
        if (language === 'en') {
          await Promise.all([page.waitForURL(/lang=en/), page.click('header nav a')]);
        }
        await audit(page, 'login', language);
        await submit(page, { email: 'nobody@example.org', password: 'wrong password here' });
        await audit(page, 'login with error', language);

        // Registration: link code → e-mail code → SMS code → factor → TOTP setup → back at login.
        await Promise.all([page.waitForURL(/\/register/), page.click('a[href$="/register"]')]);
        await audit(page, 'registration', language);
        const email = `a11y-${language}@example.org`;
        const mobile = language === 'nl' ? '0615151515' : '0616161616';
        await submit(page, {
          linkCode: await env.issue(env.selfBinding(0, 0)),
          email,
          mobile,
          password: PASSWORD,
          password2: PASSWORD,
        });
        await audit(page, 'verify e-mail', language);
        await submit(page, { code: env.lastCode(email) });
        await audit(page, 'verify mobile', language);
        await submit(page, { code: env.lastCode(`+31${mobile.slice(1)}`) });
        await audit(page, 'choose second factor', language);
        await submit(page, {});
        await audit(page, 'TOTP setup', language);
        const secret = await page.textContent('code.secret');
        await submit(page, { code: totpCode(secret!) });
        await audit(page, 'login after registration', language);

        // A parent with two children: SMS code, picker, terms.
        await submit(page, { email: parent.email, password: PASSWORD });
        await audit(page, 'second factor (SMS)', language);
        await submit(page, { code: env.lastCode(parent.mobile) });
        await audit(page, 'patient picker', language);
        await submit(page, {});
        await audit(page, 'terms', language);
        // A forged CSRF token: the 403 page.
        await page.$eval(
          'input[name="csrf"]',
          (input) => ((input as unknown as { value: string }).value = 'forged'),
        );
        await submit(page, {}, 'button[value="yes"]');
        await audit(page, 'CSRF refusal', language);

        await page.goto(`${env.base}/auth/interaction/unknown${language === 'en' ? '?lang=en' : ''}`);
        await audit(page, 'login expired', language);
        await page.goto(`${env.base}/auth/authorize?client_id=nobody&response_type=code`);
        await audit(page, 'authorization error', language);
      } finally {
        await context.close();
      }
    }, 120_000);
  }

  it('A11Y-2: the TOTP second-factor page has no violations either, in both languages', async () => {
    for (const language of ['nl', 'en'] as const) {
      const account = await env.account(
        `totp-a11y-${language}@example.org`,
        '0617171717',
        [env.selfBinding(0, 0)],
        true,
      );
      const context = await chromium.newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        await page.goto(`${authorizeUrl()}${language === 'en' ? '&lang=en' : ''}`);
        if (language === 'en') await page.goto(`${page.url()}?lang=en`);
        await submit(page, { email: account.email, password: PASSWORD });
        await audit(page, 'second factor (TOTP)', language);
      } finally {
        await context.close();
      }
    }
  });

  it('A11Y-3: with the CSP in force, the last form of the login redirects to the app (form-action)', async () => {
    const context = await chromium.newContext();
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
    });
    try {
      await page.goto(authorizeUrl());
      await submit(page, { email: parent.email, password: PASSWORD });
      await submit(page, { code: env.lastCode(parent.mobile) });
      await submit(page, {});
      // Nothing listens at the app's address: the browser's request for it is what counts.
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.url().startsWith(REDIRECT)),
        page.click('button[value="yes"]'),
      ]);
      expect(request.url()).toMatch(/^http:\/\/127\.0\.0\.1:7777\/cb\?code=/);
      expect(refusals).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
