// The console's daily tasks in a real browser (issue 12, item 11): a functional administrator logs
// in with password and second factor and walks through them; axe-core checks every page against
// WCAG 2.1 AA; a support-desk member cannot suspend.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createStaffAccount, sealStaffTotp, type StaffRole } from '../../src/admin';
import { CODE_SYSTEM } from '../../src/vocabulary';
import { totpCode } from '../../src/auth';
import { startFhirApi, type FhirApiUnderTest } from '../fhir/support/api';
import { LINK_CODE_SECRET } from '../smart/support/gateway';
import { describeBrowser, launchChromium } from '../support/browser';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TOTP_SECRETS: Record<string, string> = {
  'functional-administrator': 'KZXW6YTMMVZGK5DTNFXGOIDBMRWWS3TA',
  'support-desk': 'ON2XA4DPOJ2CAZDFONVSA3LFNVRGK4TA',
};

type LoggedIn = Awaited<ReturnType<FhirApiUnderTest['login']>>;

describeBrowser('the console in Chromium', () => {
  let api: FhirApiUnderTest;
  let chromium: Browser;
  let patient: `Patient/${string}`;
  let patientId: string;
  let firstContactRef: string;
  let firstContact: LoggedIn;
  let client: LoggedIn;
  let taskId: string;
  const audited: string[] = [];

  beforeAll(async () => {
    api = await startFhirApi();
    const clientId = api.data.scenarios.firstContactAuthorised;
    patient = api.gateway.patientOf(clientId);
    patientId = patient.slice('Patient/'.length);
    firstContactRef = api.gateway.relationOf(clientId, 'first-contact-person');
    client = await api.login(patient);
    firstContact = await api.login(patient, firstContactRef);
    const filed = await api.fhir(client.accessToken, '/Task', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code: 'correction' }] },
        for: { reference: patient },
        description: 'Mijn telefoonnummer klopt niet meer.',
      }),
    });
    expect(filed.status).toBe(201);
    taskId = String(filed.body.id);
    chromium = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  const organisationOf = () =>
    api.data.exports.find((e) => e.clients.some((c) => api.gateway.patientOf(c.id) === patient))!.organisation
      .id;

  async function staffMember(role: StaffRole, email: string): Promise<{ email: string; password: string }> {
    const password = `wachtwoord-voor-${role}`;
    await createStaffAccount(api.gateway.running.store, {
      organisationId: organisationOf(),
      email,
      name: role === 'support-desk' ? 'Sanne Servicedesk' : 'Fenna Beheer',
      role,
      password,
      totpSecret: sealStaffTotp(TOTP_SECRETS[role]!, LINK_CODE_SECRET),
      createdBy: 'test',
    });
    return { email, password };
  }

  /** axe on the current page: no WCAG 2.1 AA violations, and the page in the language asked. */
  async function audit(page: Page, name: string, language: 'nl' | 'en' = 'nl'): Promise<void> {
    expect([name, await page.getAttribute('html', 'lang')]).toEqual([name, language]);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async (tags) => {
      const scope = globalThis as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
        document: unknown;
      };
      return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } })).violations;
    }, TAGS);
    expect([name, violations]).toEqual([name, []]);
    audited.push(name);
  }

  async function submit(page: Page, form: string, fields: Record<string, string> = {}): Promise<void> {
    for (const [name, value] of Object.entries(fields)) {
      const field = page.locator(`${form} [name="${name}"]`).first();
      const tag = await field.evaluate((e) => e.tagName.toLowerCase());
      if (tag === 'select') await field.selectOption(value);
      else await field.fill(value);
    }
    await Promise.all([
      page.waitForLoadState('domcontentloaded'),
      page.locator(`${form} button[type=submit]`).first().click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
  }

  async function logIn(
    page: Page,
    role: StaffRole,
    account: { email: string; password: string },
  ): Promise<void> {
    await page.goto(`${api.gateway.base}/admin/console`);
    expect(page.url()).toContain('/admin/console/login');
    await audit(page, `login (${role})`);
    await submit(page, 'form', { email: account.email, password: account.password });
    expect(page.url()).toContain('/admin/console/login/code');
    await audit(page, `second factor (${role})`);
    await submit(page, 'form', { code: await totpCode(TOTP_SECRETS[role]!) });
    expect(new URL(page.url()).pathname).toBe('/admin/console');
  }

  const readAsFirstContact = async () => (await api.fhir(firstContact.accessToken, `/${patient}`)).status;

  it('ADMIN-CONSOLE-2 (M-5, A-10, A-9, M-8, M-12, M-9): a functional administrator walks through the daily tasks; every page passes axe (WCAG 2.1 AA)', async () => {
    const account = await staffMember('functional-administrator', 'beheer-walkthrough@example.org');
    const context = await chromium.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await logIn(page, 'functional-administrator', account);
      await audit(page, 'home');

      // Find a client, open their overview: who has access and why.
      await submit(page, 'form[role=search]', { q: patientId });
      await audit(page, 'search results');
      await Promise.all([
        page.waitForLoadState('domcontentloaded'),
        page.click(`a[href="/admin/console/clients/${patientId}"]`),
      ]);
      await page.waitForLoadState('domcontentloaded');
      expect(await page.textContent('h1')).toBeTruthy();
      await audit(page, 'client overview');
      const english = page.url().includes('?') ? `${page.url()}&lang=en` : `${page.url()}?lang=en`;
      await page.goto(english);
      await audit(page, 'client overview (en)', 'en');
      await page.goto(`${api.gateway.base}/admin/console/clients/${patientId}?lang=nl`);

      // Suspend the first contact person, who is refused at once; lift, and access is back.
      await page.goto(`${api.gateway.base}/admin/console/clients/${patientId}/access`);
      await audit(page, 'access');
      expect(await readAsFirstContact()).toBe(200);
      await submit(page, 'form[action$="/suspend"]', {
        person: firstContactRef,
        reason: 'Misbruik gemeld door de cliënt',
      });
      expect(await page.locator('.notice').count()).toBe(1);
      await audit(page, 'access, suspended');
      expect(await readAsFirstContact()).toBe(404);
      await submit(page, 'form[action$="/lift"]', { reason: 'Opgelost met de cliënt' });
      expect(await readAsFirstContact()).toBe(200);

      // Close the client's whole portal, and reopen it.
      await submit(page, 'form[action$="/close"]', { reason: 'Veiligheid van de cliënt' });
      expect(await readAsFirstContact()).toBe(404);
      expect((await api.fhir(client.accessToken, `/${patient}`)).status).toBe(404);
      await audit(page, 'access, portal closed');
      await submit(page, 'form[action$="/reopen"]', { reason: 'Situatie besproken' });
      expect(await readAsFirstContact()).toBe(200);

      // Issue a link code and print its letter.
      await page.goto(`${api.gateway.base}/admin/console/clients/${patientId}/link-codes`);
      await audit(page, 'link codes');
      await submit(page, `form[action="/admin/console/clients/${patientId}/link-codes"]`, {
        person: patient,
        reason: 'Formulier ondertekend ontvangen',
      });
      const letter = (await page.textContent('main')) ?? '';
      expect(letter).toMatch(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
      expect(letter).toContain(api.gateway.base);
      await audit(page, 'link code letter');

      // Maintenance mode: FHIR answers 503, then reads again after it ends.
      await page.goto(`${api.gateway.base}/admin/console/maintenance`);
      await audit(page, 'maintenance');
      await submit(page, 'form[action$="/maintenance/start"]:has(button.danger)', {
        reason: 'Database-onderhoud',
      });
      const during = await api.fhir(firstContact.accessToken, `/${patient}`);
      expect(during.status).toBe(503);
      expect(during.body.resourceType).toBe('OperationOutcome');
      await audit(page, 'maintenance, active');
      await submit(page, 'form[action$="/maintenance/end"]', { reason: 'Onderhoud klaar' });
      expect(await readAsFirstContact()).toBe(200);

      // Publish a new terms version.
      await page.goto(`${api.gateway.base}/admin/console/terms`);
      await audit(page, 'terms');
      await submit(page, 'form[action="/admin/console/terms"]', {
        version: '2027-01',
        summary: 'Nieuwe bewaartermijnen',
        reason: 'Jaarlijkse herziening',
      });
      expect(await page.textContent('main')).toContain('2027-01');

      // Handle a data-subject request: assign it, decide with a reason; the requester reads it.
      await page.goto(`${api.gateway.base}/admin/console/requests`);
      await audit(page, 'requests');
      await Promise.all([
        page.waitForLoadState('domcontentloaded'),
        page.click(`a[href="/admin/console/requests/${encodeURIComponent(taskId)}"]`),
      ]);
      await page.waitForLoadState('domcontentloaded');
      await audit(page, 'request');
      await submit(page, 'form[action$="/assignment"]', { reason: 'Ik pak dit op' });
      await page.check('#outcome-rejected');
      await submit(page, 'form[action$="/decision"]', {
        reason: 'Dit nummer staat zo in ons dossier; bel ons.',
      });
      const task = await api.fhir(client.accessToken, `/Task/${taskId}`);
      expect(task.body).toMatchObject({ status: 'rejected' });
      expect(JSON.stringify(task.body)).toContain('Dit nummer staat zo in ons dossier');
    } finally {
      await context.close();
    }
    expect(audited.length).toBeGreaterThanOrEqual(15);
  }, 180_000);

  it('ADMIN-CONSOLE-3 (M-5): a support-desk member sees no suspend form, and a forged suspension is refused', async () => {
    const account = await staffMember('support-desk', 'desk-walkthrough@example.org');
    const context = await chromium.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await logIn(page, 'support-desk', account);
      await page.goto(`${api.gateway.base}/admin/console/clients/${patientId}/access`);
      await audit(page, 'access (support desk)');
      expect(await page.locator('form[action$="/suspend"]').count()).toBe(0);
      expect(await page.locator('form[action$="/close"]').count()).toBe(0);
      const csrf = await page.locator('input[name="_csrf"]').first().getAttribute('value');
      const forged = await page.request.post(
        `${api.gateway.base}/admin/console/clients/${patientId}/suspend`,
        {
          form: { _csrf: csrf ?? '', person: firstContactRef, reason: 'Zelf geprobeerd' },
          maxRedirects: 0,
        },
      );
      expect(forged.status()).toBe(403);
      expect(await readAsFirstContact()).toBe(200);
    } finally {
      await context.close();
    }
  }, 120_000);
});
