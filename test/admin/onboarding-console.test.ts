import { join } from 'node:path';
import type { Browser as Chromium, Page } from 'playwright-core';
import { describeBrowser, launchChromium } from '../support/browser';
import { startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { staffLogin, type StaffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CODE = /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;

/** The onboarding pages of the console (issue 12, items 3 and 11): link codes, the letter, the administrator. */
describe('the onboarding pages of the console', () => {
  let gateway: ConformanceGateway;
  let admin: StaffLogin;
  let adminCsrf: string;

  beforeAll(async () => {
    gateway = await startConformanceGateway({ clients: [] });
    admin = await staffLogin(gateway.running.store, 'functional-administrator', {
      organisationId: 'amerhof',
      name: 'Fenna Beheer',
    });
    adminCsrf = await admin.csrf(gateway.base);
  }, 120_000);
  afterAll(async () => gateway?.close());

  const idOf = (ref: string) => ref.slice(ref.indexOf('/') + 1);
  const page = (login: StaffLogin, path: string) =>
    fetch(`${gateway.base}/admin/console${path}`, { headers: { cookie: login.cookie }, redirect: 'manual' });
  const form = (login: StaffLogin, csrf: string, path: string, fields: Record<string, string>) =>
    fetch(`${gateway.base}/admin/console${path}`, {
      method: 'POST',
      headers: { cookie: login.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      redirect: 'manual',
    });
  /** Every address in the page: links, form actions, sources. */
  const addresses = (markup: string) =>
    [...markup.matchAll(/(?:href|action|src)="([^"]*)"/g)].map((m) => m[1]!);

  it('ADMIN-ONBOARD-8 (A-9): the link-code page lists and issues; the letter is Dutch, has the code, its expiry, the portal address and the manual’s steps, and no address carries the code', async () => {
    const patient = gateway.patientOf('ah-c008');
    const person = gateway.relationOf('ah-c008', 'first-contact-person');
    const path = `/clients/${idOf(patient)}/link-codes`;
    const list = await page(admin, path);
    expect(list.status).toBe(200);
    const listed = await list.text();
    expect(listed).toContain('<html lang="nl">');
    expect(listed).toContain('Koppelcode uitgeven en brief maken');
    expect(listed).toContain(`value="${person}"`);

    const issued = await form(admin, adminCsrf, path, {
      person,
      validDays: '10',
      reason: 'vragenformulier ontvangen',
    });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const letter = await issued.text();
    const code = CODE.exec(letter)?.[0];
    expect(code).toBeDefined();
    expect(letter).toContain('<article class="letter" lang="nl">');
    expect(letter).toContain('Uw koppelcode');
    expect(letter).toContain('Geldig tot en met');
    expect(letter).toContain(gateway.base);
    expect(letter).toContain('Druk deze brief nu af (Ctrl+P');
    const steps = /<ol>([\s\S]*?)<\/ol>/.exec(letter)![1]!;
    expect([...steps.matchAll(/<li>/g)]).toHaveLength(8);
    for (const step of [
      'Registreren',
      'koppelcode',
      'e-mailadres',
      'mobiele',
      'wachtwoord',
      'tweede stap',
      'gebruiksvoorwaarden',
    ])
      expect(steps).toContain(step);
    for (const address of addresses(letter)) {
      expect(address).not.toContain(code!);
      expect(address).not.toContain(code!.replaceAll('-', ''));
    }
    // Shown once: the list afterwards has the code's record, not the code.
    const again = await (await page(admin, path)).text();
    expect(again).not.toContain(code!);
    expect(again).toContain('bruikbaar');

    const english = await form(admin, adminCsrf, path, {
      person: patient,
      letterLanguage: 'en',
      reason: 'portal form received',
    });
    const englishLetter = await english.text();
    expect(englishLetter).toContain('<article class="letter" lang="en">');
    expect(englishLetter).toContain('How to make your account');
    expect(englishLetter).toContain('your link code for the client portal');
  });

  it('ADMIN-ONBOARD-9: a code is revoked from the page; the privacy officer sees the list without forms; a refusal is a page', async () => {
    const patient = gateway.patientOf('ah-c008');
    const path = `/clients/${idOf(patient)}/link-codes`;
    const desk = await staffLogin(gateway.running.store, 'support-desk', { organisationId: 'amerhof' });
    const deskCsrf = await desk.csrf(gateway.base);
    await form(desk, deskCsrf, path, { person: patient, reason: 'nieuwe brief' });
    const listed = await (await page(desk, path)).text();
    const action = /action="(\/admin\/console\/clients\/[^"]+\/revoke)"/.exec(listed)?.[1];
    expect(action).toBeDefined();
    const revoked = await form(desk, deskCsrf, action!.slice('/admin/console'.length), {
      reason: 'brief kwijt',
    });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe(`/admin/console${path}`);

    const reviewer = await staffLogin(gateway.running.store, 'privacy-officer', {
      organisationId: 'amerhof',
    });
    const seen = await (await page(reviewer, path)).text();
    expect(seen).toContain('ingetrokken');
    expect(seen).not.toContain('method="post" action="/admin/console/clients');
    const refused = await form(reviewer, await reviewer.csrf(gateway.base), path, {
      person: patient,
      reason: 'probeer',
    });
    expect(refused.status).toBe(403);
    expect(CODE.test(await refused.text())).toBe(false);

    const elsewhere = await staffLogin(gateway.running.store, 'functional-administrator', {
      organisationId: 'meerzicht',
    });
    expect((await page(elsewhere, path)).status).toBe(404);
  });

  it('ADMIN-ONBOARD-10 (A-5): the administrator page explains, and appoints the first contact person with the client’s recorded agreement', async () => {
    const patient = gateway.patientOf('ah-c004');
    const first = gateway.relationOf('ah-c004', 'first-contact-person');
    const path = `/clients/${idOf(patient)}/administrator`;
    const shown = await (await page(admin, path)).text();
    expect(shown).toContain('Niemand: er is geen portaal voor deze cliënt');
    expect(shown).toContain('A-5');
    expect(shown).toContain('De cliënt stemt hiermee in');
    const without = await form(admin, adminCsrf, path, { person: first, reason: 'gesprek' });
    expect(without.status).toBe(409);
    expect(await without.text()).toContain('A-5');
    const done = await form(admin, adminCsrf, path, {
      person: first,
      clientAgreed: 'true',
      agreementNote: 'ingestemd in het gesprek van vandaag',
      reason: 'cliënt stemde in',
    });
    expect(done.status).toBe(303);
    const notice = done.headers.get('set-cookie')!.split(';')[0]!;
    const after = await (
      await fetch(`${gateway.base}/admin/console${path}`, {
        headers: { cookie: `${admin.cookie}; ${notice}` },
      })
    ).text();
    expect(after).toContain('is nu portaalbeheerder');
    expect(after).not.toContain('Niemand: er is geen portaal');
  });

  describeBrowser('in Chromium', () => {
    let chromium: Chromium;
    beforeAll(async () => {
      chromium = await launchChromium();
    }, 60_000);
    afterAll(async () => chromium?.close());

    async function audit(browserPage: Page, name: string, language: 'nl' | 'en'): Promise<void> {
      expect([name, await browserPage.getAttribute('html', 'lang')]).toEqual([name, language]);
      await browserPage.addScriptTag({ path: AXE });
      const violations = await browserPage.evaluate(async (tags) => {
        const scope = globalThis as unknown as {
          axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
          document: unknown;
        };
        return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } })).violations;
      }, TAGS);
      expect([name, language, violations]).toEqual([name, language, []]);
    }

    it('ADMIN-ONBOARD-11: the link-code page, the letter and the administrator page have no WCAG 2.1 AA violations, in Dutch and English', async () => {
      const context = await chromium.newContext({ bypassCSP: true });
      const [name, value] = admin.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gateway.base }]);
      const browserPage = await context.newPage();
      try {
        for (const language of ['nl', 'en'] as const) {
          const patient = idOf(gateway.patientOf('ah-c008'));
          await browserPage.goto(
            `${gateway.base}/admin/console/clients/${patient}/link-codes?lang=${language}`,
          );
          await audit(browserPage, 'link codes', language);
          await browserPage.fill('#reason', 'toegankelijkheidstest');
          await Promise.all([
            browserPage.waitForLoadState('domcontentloaded'),
            browserPage.click('form[action$="/link-codes"] button[type=submit]'),
          ]);
          await browserPage.waitForSelector('article.letter');
          expect(browserPage.url()).not.toMatch(CODE);
          await audit(browserPage, 'letter', language);
          await browserPage.goto(
            `${gateway.base}/admin/console/clients/${idOf(gateway.patientOf('ah-c010'))}/administrator?lang=${language}`,
          );
          await audit(browserPage, 'administrator', language);
        }
      } finally {
        await context.close();
      }
    });
  });
});
