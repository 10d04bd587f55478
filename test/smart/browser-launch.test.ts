import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/commands';
import { describeBrowser, launchChromium } from '../support/browser';
import {
  accessibilityViolations,
  currentCode,
  logIn,
  printedAccounts,
  printedUrl,
  submitFormOf,
  type PrintedAccount,
} from '../support/demo-browser';

/**
 * A whole standalone launch in Chromium, as a newcomer does it from the demo's banner: open a demo
 * portal app, click "Inloggen met Inzage", log in with a printed account and the current code of its
 * printed TOTP secret, pass whatever steps the login pages show (terms, patient picker), and land
 * back in the app with a token for the right person and client. The apps run on an origin of their
 * own, so the public app's token request crosses origins as a real vendor's does.
 */

/** The code in the newest message of the demo's outbox (the one the page just sent). */
function newestOutboxCode(outboxFile: string): string {
  const lines = readFileSync(outboxFile, 'utf8').trim().split('\n');
  const { text } = JSON.parse(lines[lines.length - 1]!) as { text: string };
  const code = /\b[0-9]{6}\b/.exec(text)?.[0];
  if (!code) throw new Error(`the newest outbox message carries no code: ${text}`);
  return code;
}

/**
 * Registration with the printed fresh link code, from the login page to the app: the link code form
 * (linkCode, email, mobile, password, password2), the e-mail and SMS codes from the demo's outbox,
 * the choice of TOTP and its set-up (the secret shown on the page), then the login with the new
 * account. The same field names as `logIn`.
 */
async function registerAndLogIn(
  page: Page,
  newcomer: { linkCode: string; email: string; mobile: string; password: string },
  outboxFile: string,
  appOrigin: string,
): Promise<string[]> {
  const seen: string[] = [];
  let totpSecret: string | undefined;
  let setupStep = -1;
  await Promise.all([page.waitForEvent('load'), page.locator('a[href$="/register"]').first().click()]);
  for (let step = 0; step < 16 && !page.url().startsWith(appOrigin); step++) {
    if ((await page.locator('input[name="linkCode"]').count()) > 0) {
      seen.push('register');
      await page.fill('input[name="linkCode"]', newcomer.linkCode);
      await page.fill('input[name="email"]', newcomer.email);
      await page.fill('input[name="mobile"]', newcomer.mobile);
      await page.fill('input[name="password"]', newcomer.password);
      await page.fill('input[name="password2"]', newcomer.password);
      await submitFormOf(page, 'linkCode');
    } else if ((await page.locator('input[name="email"]').count()) > 0) {
      seen.push('login');
      await page.fill('input[name="email"]', newcomer.email);
      await page.fill('input[name="password"]', newcomer.password);
      await submitFormOf(page, 'password');
    } else if ((await page.locator('input[name="factor"]').count()) > 0) {
      seen.push('factor');
      await page.locator('input[name="factor"][value="totp"]').check();
      await submitFormOf(page, 'factor');
    } else if ((await page.locator('input[name="code"]').count()) > 0) {
      const shown = page.locator('code.secret');
      if ((await shown.count()) > 0) {
        seen.push('totp-set-up');
        totpSecret = (await shown.textContent())!.trim();
        setupStep = Math.floor(Date.now() / 30_000);
        await page.fill('input[name="code"]', currentCode(totpSecret));
      } else if (totpSecret !== undefined) {
        seen.push('second-factor');
        // A TOTP code works once: the login's code must be of a later step than the set-up's.
        while (Math.floor(Date.now() / 30_000) <= setupStep) await page.waitForTimeout(1_000);
        await page.fill('input[name="code"]', currentCode(totpSecret));
      } else {
        seen.push('verify');
        await page.fill('input[name="code"]', newestOutboxCode(outboxFile));
      }
      await submitFormOf(page, 'code');
    } else if ((await page.locator('[name="accept"]').count()) > 0) {
      seen.push('terms');
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('[name="accept"][value="yes"]').first().click(),
      ]);
    } else {
      throw new Error(`a page with no form this test knows (${page.url()}):\n${await page.content()}`);
    }
  }
  return seen;
}

describeBrowser('SMART standalone launch in a browser, from the demo portal apps', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let accounts: Map<string, PrintedAccount>;

  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      sandboxPort: 0,
      appPort: 0,
      clients: 30,
      seed: 3,
      dataDir: undefined,
      env: { LOG_LEVEL: 'warn' },
    });
    accounts = printedAccounts(demo.banner);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('SMART-B1: public app (fhirclient, another origin): a parent of two children logs in with password and TOTP, picks a child, and the app shows patient and fhirUser', async () => {
    const parent = accounts.get('parent')!;
    expect(parent.links).toHaveLength(2);
    const appUrl = printedUrl(demo.banner, /Portal apps/);
    const appOrigin = new URL(appUrl).origin;
    expect(appOrigin).not.toBe(new URL(demo.gateway.url).origin);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(appUrl);
      await Promise.all([
        page.waitForURL(/\/auth\/interaction\//),
        page.getByRole('button', { name: /Inloggen met Inzage/ }).click(),
      ]);
      const steps = await logIn(page, parent, appOrigin);
      expect(steps.slice(0, 2)).toEqual(['login', 'second-factor']);
      expect(steps).toContain('picker');
      expect(page.url()).toMatch(new RegExp(`^${appOrigin}/callback\\.html`));
      await page.locator('#facts').waitFor({ state: 'visible', timeout: 30_000 });
      // One of the two children, with the parent's relation to that child as the user.
      const patient = await page.locator('#patient').textContent();
      const chosen = parent.links.find((l) => l.patient === patient);
      expect(chosen).toBeDefined();
      expect(await page.locator('#fhir-user').textContent()).toBe(chosen!.person);
      const scopes = (await page.locator('#scopes').textContent())!.split(' ');
      expect(scopes).toEqual(
        expect.arrayContaining(['launch/patient', 'openid', 'fhirUser', 'patient/*.rs']),
      );
      expect(await page.locator('#refresh').textContent()).toBe('ja');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('SMART-B2: confidential app (openid-client with a client secret, on a server): a curator logs in and the app shows patient and fhirUser', async () => {
    const curator = accounts.get('curator')!;
    const appUrl = printedUrl(demo.banner, /openid-client on a server/);
    const appOrigin = new URL(appUrl).origin;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(appUrl);
      await Promise.all([
        page.waitForURL(/\/auth\/interaction\//),
        page.getByRole('link', { name: /Inloggen met Inzage/ }).click(),
      ]);
      const steps = await logIn(page, curator, appOrigin);
      expect(steps.slice(0, 2)).toEqual(['login', 'second-factor']);
      expect(page.url()).toMatch(new RegExp(`^${appOrigin}/server/callback\\?`));
      expect(await page.locator('#patient').textContent()).toBe(curator.links[0]!.patient);
      expect(await page.locator('#fhir-user').textContent()).toBe(curator.links[0]!.person);
      expect(await page.locator('#scopes').textContent()).toContain('patient/*.rs');
    } finally {
      await context.close();
    }
  }, 120_000);

  /** A login through the public app; the person and client the app then shows. */
  async function publicAppLogin(account: PrintedAccount): Promise<{ fhirUser: string; patient: string }> {
    const appUrl = printedUrl(demo.banner, /Portal apps/);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(appUrl);
      await Promise.all([
        page.waitForURL(/\/auth\/interaction\//),
        page.getByRole('button', { name: /Inloggen met Inzage/ }).click(),
      ]);
      await logIn(page, account, new URL(appUrl).origin);
      await page.locator('#facts').waitFor({ state: 'visible', timeout: 30_000 });
      return {
        fhirUser: (await page.locator('#fhir-user').textContent())!,
        patient: (await page.locator('#patient').textContent())!,
      };
    } finally {
      await context.close();
    }
  }

  it('SMART-B3, A-3: a relative the administrator admitted to some sections only gets a token too', async () => {
    const relative = accounts.get('relative')!;
    expect(await publicAppLogin(relative)).toEqual({
      fhirUser: relative.links[0]!.person,
      patient: relative.links[0]!.patient,
    });
  }, 120_000);

  it('SMART-B4, M-2: the client themself and their authorised first contact person get tokens for the same dossier', async () => {
    const client = accounts.get('client')!;
    const firstContact = accounts.get('first')!;
    expect(await publicAppLogin(client)).toEqual({
      fhirUser: client.links[0]!.patient,
      patient: client.links[0]!.patient,
    });
    expect(await publicAppLogin(firstContact)).toEqual({
      fhirUser: firstContact.links[0]!.person,
      patient: client.links[0]!.patient,
    });
    expect([...accounts.keys()].sort()).toEqual([
      'client',
      'curator',
      'father',
      'first',
      'mother',
      'parent',
      'relative',
    ]);
  }, 120_000);

  it('SMART-B5: the demo portal pages have no WCAG 2.1 AA violations (axe-core), in Dutch with English second', async () => {
    const appUrl = printedUrl(demo.banner, /Portal apps/);
    // axe is injected as an inline script, which the pages' CSP rightly refuses.
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      for (const path of ['', 'callback.html', 'server/']) {
        await page.goto(`${appUrl}${path}`);
        // The callback without a login in progress shows its error, which is a state to check too.
        if (path === 'callback.html') await page.locator('#error').waitFor({ state: 'visible' });
        expect(await page.getAttribute('html', 'lang')).toBe('nl');
        expect(await page.locator('[lang="en"]').count()).toBeGreaterThan(0);
        expect({ path, violations: await accessibilityViolations(page) }).toEqual({ path, violations: [] });
      }
    } finally {
      await context.close();
    }
  }, 120_000);

  // Enable once the login pages (registration, verification, TOTP set-up) and the demo's outbox as
  // their message sender are merged: the minimal login interaction on main has no registration.
  it('SMART-B6, A-9, M-14: a newcomer registers with the printed fresh link code, verifies e-mail and mobile from the outbox, sets up TOTP, and lands in the app', async () => {
    const banner = demo.banner;
    const linkCode = /Fresh link code\s+(\S+)/.exec(banner)![1]!;
    const patient = /Fresh link code[^\n]*\n[^(]*\((Patient\/\S+)\)/.exec(banner)![1]!;
    const outboxFile = /Outbox\s+(\S+)/.exec(banner)![1]!;
    const appUrl = printedUrl(banner, /Portal apps/);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(appUrl);
      await Promise.all([
        page.waitForURL(/\/auth\/interaction\//),
        page.getByRole('button', { name: /Inloggen met Inzage/ }).click(),
      ]);
      const newcomer = {
        linkCode,
        email: 'nieuw@inzage-demo.example',
        mobile: '06-12000099',
        password: 'een nieuw demo-wachtwoord',
      };
      const steps = await registerAndLogIn(page, newcomer, outboxFile, new URL(appUrl).origin);
      expect(steps).toEqual(expect.arrayContaining(['register', 'verify', 'totp-set-up', 'second-factor']));
      await page.locator('#facts').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.locator('#patient').textContent()).toBe(patient);
      expect(await page.locator('#fhir-user').textContent()).toBe(patient);
    } finally {
      await context.close();
    }
  }, 180_000);
});
