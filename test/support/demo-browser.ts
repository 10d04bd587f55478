// Logging in to the demo's portal apps in Chromium, as a newcomer does from the demo's banner: the
// printed accounts and addresses, the current TOTP code of a printed secret, the login pages
// recognised by their forms' field names, and axe-core on the page as it is.
import { readFileSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';

export interface PrintedAccount {
  email: string;
  password: string;
  totpSecret: string;
  /** Person and client (and the client's name) of each link, as printed. */
  links: { person: string; patient: string; clientName: string }[];
}

/** The accounts as the banner prints them, by the word their description starts with. */
export function printedAccounts(banner: string): Map<string, PrintedAccount> {
  const accounts = new Map<string, PrintedAccount>();
  const lines = banner.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const login = /^\s+e-mail (\S+)\s+password (\S+)\s+TOTP secret (\S+)$/.exec(lines[i]!);
    if (!login) continue;
    const kind = lines[i - 1]!.trim().split(/[\s,]/)[0]!;
    const links: PrintedAccount['links'] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const relative = /\((RelatedPerson\/\S+)\) for (.*) \((Patient\/\S+)\)$/.exec(lines[j]!);
      const self = /^\s{6}([^(]*) \((Patient\/\S+)\)$/.exec(lines[j]!);
      if (relative) links.push({ person: relative[1]!, patient: relative[3]!, clientName: relative[2]! });
      else if (self) links.push({ person: self[2]!, patient: self[2]!, clientName: self[1]! });
      else break;
    }
    accounts.set(kind, { email: login[1]!, password: login[2]!, totpSecret: login[3]!, links });
  }
  return accounts;
}

export function printedUrl(banner: string, label: RegExp): string {
  const line = banner.split('\n').find((l) => label.test(l));
  const url = /(http:\/\/\S+)/.exec(line ?? '')?.[1];
  if (!url) throw new Error(`the banner prints no ${label}`);
  return url;
}

/** What an authenticator app shows now for the printed secret. */
export function currentCode(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
}

/** Submits the form that holds `field`, and waits for the page that answers it. */
export async function submitFormOf(page: Page, field: string): Promise<void> {
  const form = page.locator('form', { has: page.locator(`[name="${field}"]`) }).first();
  await Promise.all([page.waitForEvent('load'), form.locator('[type="submit"]').first().click()]);
}

/**
 * From the login page to the app: each page is recognised by its form's field names (email and
 * password; factor, the choice of a second factor; code; accept, the terms; link, the patient
 * picker), whichever order the pages take.
 */
export async function logIn(
  page: Page,
  account: PrintedAccount,
  appOrigin: string,
  patient: string = account.links[0]!.patient,
): Promise<string[]> {
  const seen: string[] = [];
  for (let step = 0; step < 10 && !page.url().startsWith(appOrigin); step++) {
    if ((await page.locator('input[name="email"]').count()) > 0) {
      seen.push('login');
      await page.fill('input[name="email"]', account.email);
      await page.fill('input[name="password"]', account.password);
      await submitFormOf(page, 'password');
    } else if ((await page.locator('input[name="factor"]').count()) > 0) {
      seen.push('factor');
      await page.locator('input[name="factor"][value="totp"]').check();
      await submitFormOf(page, 'factor');
    } else if ((await page.locator('input[name="code"]').count()) > 0) {
      seen.push('second-factor');
      await page.fill('input[name="code"]', currentCode(account.totpSecret));
      await submitFormOf(page, 'code');
    } else if ((await page.locator('[name="accept"]').count()) > 0) {
      seen.push('terms');
      const yes = page.locator('[name="accept"][value="yes"]').first();
      const type = await yes.getAttribute('type');
      if (type === 'checkbox' || type === 'radio') {
        await yes.check();
        await submitFormOf(page, 'accept');
      } else {
        // The accepting button itself carries accept=yes.
        await Promise.all([page.waitForEvent('load'), yes.click()]);
      }
    } else if ((await page.locator('[name="link"]').count()) > 0) {
      seen.push('picker');
      // The client asked for (the account's first), by the name the picker shows.
      const link = account.links.find((l) => l.patient === patient);
      const option = page.getByLabel(link?.clientName ?? patient).and(page.locator('input[name="link"]'));
      if ((await option.count()) === 1) await option.check();
      else await page.locator('input[name="link"]').first().check();
      await submitFormOf(page, 'link');
    } else {
      throw new Error(`a login page with no form this test knows (${page.url()}):\n${await page.content()}`);
    }
  }
  return seen;
}

/**
 * axe-core's WCAG 2.1 A and AA violations on the page as it is now: rule id and the elements. axe is
 * evaluated through the browser's debugging protocol, which the pages' CSP does not govern, so the
 * pages are checked under their own CSP.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if ((await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe)) === 'undefined')
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<AxeResults> } }).axe;
    const results = await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

interface AxeResults {
  violations: { id: string; nodes: { target: string[] }[] }[];
}
