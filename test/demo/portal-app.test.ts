import type { Resource } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/commands';
import { patientId } from '../../src/ecd';
import { generateSandboxData, type SandboxData } from '../../src/sandbox';
import type { PortalSection } from '../../src/vocabulary';
import { describeBrowser, launchChromium } from '../support/browser';
import {
  accessibilityViolations,
  logIn,
  printedAccounts,
  printedUrl,
  type PrintedAccount,
} from '../support/demo-browser';

/**
 * The demo's public portal app as its users meet it: started from the banner, logged in through the
 * real login pages with a printed account, reading the dossier through the gateway's FHIR API with
 * fhirclient. Each account must see the sections the consent presets give them, with what the
 * sandbox holds there, and nothing of the others; the request page files a Task; the pages pass
 * axe-core's WCAG 2.1 AA rules.
 */

const CLIENTS = 30;
const SEED = 3;
const ALL_SECTIONS: readonly PortalSection[] = [
  'basic-details',
  'reports',
  'measurements',
  'care-plan',
  'appointments',
  'medication',
  'documents',
];
const REPORT_CATEGORY = '11591000146107';

type SectionState = 'shown' | 'none' | 'forbidden' | 'error';

describeBrowser('the demo portal app shows each user the dossier sections they may see (Chromium)', () => {
  let demo: RunningDemo;
  let data: SandboxData;
  let browser: Browser;
  let accounts: Map<string, PrintedAccount>;
  let appUrl: string;

  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      sandboxPort: 0,
      appPort: 0,
      clients: CLIENTS,
      seed: SEED,
      dataDir: undefined,
      env: { LOG_LEVEL: 'warn' },
    });
    // The same options give the same data: what the demo's sandbox holds, to compare with.
    data = generateSandboxData({ clients: CLIENTS, seed: SEED });
    accounts = printedAccounts(demo.banner);
    appUrl = printedUrl(demo.banner, /Portal apps/);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** The sandbox's id of the client behind a gateway Patient reference. */
  function upstreamClientId(patient: string): string {
    for (const e of data.exports) {
      const client = e.clients.find((c) => `Patient/${patientId(e.organisation.id, c.id)}` === patient);
      if (client) return client.id;
    }
    throw new Error(`no sandbox client behind ${patient}`);
  }

  /** Whether the sandbox holds anything of a section for the client: what a full view must show. */
  function upstreamHas(clientId: string, section: PortalSection): boolean {
    const reference = `"Patient/${clientId}"`;
    const of = (r: Resource) => JSON.stringify(r).includes(reference);
    const categories = (r: Resource) =>
      ((r as { category?: { coding?: { code?: string }[] }[] }).category ?? []).flatMap((c) =>
        (c.coding ?? []).map((coding) => coding.code),
      );
    const any = (test: (r: Resource) => boolean) => data.resources.some((r) => of(r) && test(r));
    switch (section) {
      case 'basic-details':
        return data.resources.some((r) => r.resourceType === 'Patient' && r.id === clientId);
      case 'reports':
        return any((r) => r.resourceType === 'Observation' && categories(r).includes(REPORT_CATEGORY));
      case 'measurements':
        return any((r) => r.resourceType === 'Observation' && categories(r).includes('vital-signs'));
      case 'care-plan':
        return any((r) => r.resourceType === 'CarePlan' || r.resourceType === 'Goal');
      case 'appointments':
        return any((r) => r.resourceType === 'Appointment');
      case 'medication':
        return any((r) => r.resourceType === 'MedicationRequest');
      case 'documents':
        return any((r) => r.resourceType === 'DocumentReference');
    }
  }

  /** What the page must show for a user granted `granted`: the sandbox's data there, nothing elsewhere. */
  function expectedStates(patient: string, granted: readonly PortalSection[]): Record<string, SectionState> {
    const clientId = upstreamClientId(patient);
    return Object.fromEntries(
      ALL_SECTIONS.map((s) => [s, granted.includes(s) && upstreamHas(clientId, s) ? 'shown' : 'none']),
    );
  }

  /** The TOTP step of each account's last login: a code works once, so a second login waits for the next. */
  const lastStep = new Map<string, number>();

  /**
   * Opens the app in a context of its own and logs in; the page on the app's callback. `scope`
   * replaces the scopes the app asks for (its settings.json), as a narrower app would ask; `prepare`
   * sets the context up first (routes that change what the page receives).
   */
  async function loggedIn(
    account: PrintedAccount,
    options: {
      patient?: string;
      scope?: string;
      prepare?: (context: BrowserContext) => Promise<unknown>;
    } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const step = () => Math.floor(Date.now() / 30_000);
    while (step() <= (lastStep.get(account.email) ?? -1)) await new Promise((r) => setTimeout(r, 1_000));
    const context = await browser.newContext();
    await options.prepare?.(context);
    if (options.scope !== undefined) {
      const scope = options.scope;
      await context.route('**/settings.json', async (route) => {
        const settings = (await (await route.fetch()).json()) as Record<string, unknown>;
        await route.fulfill({ json: { ...settings, scope } });
      });
    }
    const page = await context.newPage();
    await page.goto(appUrl);
    await Promise.all([
      page.waitForURL(/\/auth\/interaction\//),
      page.getByRole('button', { name: /Inloggen met Inzage/ }).click(),
    ]);
    await logIn(page, account, new URL(appUrl).origin, options.patient);
    // After the login: the code typed was of this step at the latest.
    lastStep.set(account.email, step());
    expect(page.url()).toMatch(/\/callback\.html/);
    // The code exchange done: the dossier (or the login's error) is shown.
    await page.waitForFunction(
      () => !document.getElementById('dossier')!.hidden || !document.getElementById('error')!.hidden,
    );
    return { context, page };
  }

  /** Waits until every section has loaded; each section's state by its portal section code. */
  async function sectionStates(page: Page): Promise<Record<string, string>> {
    await page.locator('#sections[data-loaded="true"]').waitFor({ timeout: 60_000 });
    const states: Record<string, string> = {};
    for (const section of await page.locator('#sections > section').all()) {
      const id = (await section.getAttribute('id'))!.replace(/^section-/, '');
      states[id] = (await section.getAttribute('data-state'))!;
    }
    return states;
  }

  it('FHIR-DEMO-1, M-1: a client sees every section of their own dossier, in Dutch, each with what the sandbox holds; the English switch keeps the session; no WCAG 2.1 AA violations', async () => {
    const client = accounts.get('client')!;
    const { context, page } = await loggedIn(client);
    try {
      const patient = client.links[0]!.patient;
      expect(await sectionStates(page)).toEqual(expectedStates(patient, ALL_SECTIONS));
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      expect(await page.locator('h1').textContent()).toBe('Uw dossier');
      expect(await page.locator('#sections h2').allTextContents()).toEqual([
        'Basisgegevens',
        'Rapportages',
        'Metingen',
        'Zorgplan',
        'Afspraken',
        'Medicatie',
        'Documenten',
      ]);
      // The client's own name, as the gateway's Patient carries it, and the report texts as text.
      const name = await page.locator('#section-basic-details dd').first().textContent();
      expect(name).toBeTruthy();
      expect(await page.locator('#section-reports li').count()).toBeGreaterThan(0);
      expect(await page.locator('#patient').textContent()).toBe(patient);
      expect(await accessibilityViolations(page)).toEqual([]);

      await Promise.all([page.waitForEvent('load'), page.locator('#language').click()]);
      expect(await sectionStates(page)).toEqual(expectedStates(patient, ALL_SECTIONS));
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.locator('h1').textContent()).toBe('Your record');
      expect(await page.locator('#sections h2').first().textContent()).toBe('Basic details');
      expect(await page.locator('#language').textContent()).toBe('Nederlands');
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-2, A-8: the parent who administers two children under 12 sees every section of the child picked', async () => {
    const parent = accounts.get('parent')!;
    const child = parent.links[1]!.patient;
    const { context, page } = await loggedIn(parent, { patient: child });
    try {
      expect(await page.locator('#patient').textContent()).toBe(child);
      expect(await sectionStates(page)).toEqual(expectedStates(child, ALL_SECTIONS));
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-3, A-3: the other parent of a child under 12 sees only the sections the administrator admitted him to (reports, measurements, appointments), not even the basic details', async () => {
    const father = accounts.get('father')!;
    const patient = father.links[0]!.patient;
    const clientId = upstreamClientId(patient);
    const granted = data.exports
      .flatMap((e) => e.portalAuthorisations)
      .filter(
        (a) =>
          a.clientId === clientId &&
          !a.withdrawal &&
          father.links[0]!.person.endsWith(`-${a.granteeRelationId}`),
      )
      .flatMap((a) => a.sections);
    expect([...granted].sort()).toEqual(['appointments', 'measurements', 'reports']);
    const { context, page } = await loggedIn(father);
    try {
      expect(await page.locator('#fhir-user').textContent()).toBe(father.links[0]!.person);
      const states = await sectionStates(page);
      expect(states).toEqual(expectedStates(patient, granted));
      // The sandbox does hold the rest: the page shows none of it.
      for (const section of ['care-plan', 'medication', 'documents'] as const) {
        expect(upstreamHas(clientId, section)).toBe(true);
        expect(await page.locator(`#section-${section} li`).count()).toBe(0);
        expect(await page.locator(`#section-${section} .state`).textContent()).toBe(
          'U heeft geen toegang tot dit onderdeel of er zijn geen gegevens.',
        );
      }
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-4, A-6: the curator, portal administrator of an adult client, sees every section', async () => {
    const curator = accounts.get('curator')!;
    const patient = curator.links[0]!.patient;
    const { context, page } = await loggedIn(curator);
    try {
      expect(await page.locator('#fhir-user').textContent()).toBe(curator.links[0]!.person);
      expect(await sectionStates(page)).toEqual(expectedStates(patient, ALL_SECTIONS));
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-5, A-8: the parent of a capable child of 12 to 15 who refused parental access sees nothing: the login ends in the app with an error', async () => {
    const mother = accounts.get('mother')!;
    const { context, page } = await loggedIn(mother);
    try {
      await page.locator('#error').waitFor({ state: 'visible' });
      expect(await page.locator('#error').textContent()).toContain('access_denied');
      expect(await page.locator('h1').textContent()).toBe('Inloggen is niet gelukt');
      expect(await page.locator('#dossier').isHidden()).toBe(true);
      expect(await page.locator('#sections > section').count()).toBe(0);
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-6, M-9, M-10: the request page files a Task through the gateway and shows the answer: the stored request in the list, or the text of the OperationOutcome', async () => {
    const client = accounts.get('client')!;
    const { context, page } = await loggedIn(client);
    try {
      await sectionStates(page);
      await Promise.all([
        page.waitForEvent('load'),
        page.getByRole('link', { name: 'Verzoek indienen' }).click(),
      ]);
      await page.locator('#requests:not([data-state="loading"])[data-state]').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      // Nothing chosen: the page says so and sends nothing.
      await page.getByRole('button', { name: 'Verzoek indienen' }).click();
      expect(await page.locator('#outcome').textContent()).toBe('Kies wat u wilt.');
      expect(await accessibilityViolations(page)).toEqual([]);

      const description = 'Mijn tweede voornaam ontbreekt in de basisgegevens.';
      await page.getByLabel('Gegevens laten aanvullen (er ontbreekt iets)').check();
      await page.getByLabel('Omschrijving').fill(description);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/fhir/Task') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Verzoek indienen' }).click(),
      ]);
      await page.locator('#outcome[data-result]').waitFor();
      const sent = answer.request().postDataJSON() as Record<string, unknown>;
      expect(sent).toEqual({
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: {
          coding: [
            { system: 'https://inzage.example/fhir/CodeSystem/data-subject-request', code: 'completion' },
          ],
        },
        for: { reference: client.links[0]!.patient },
        description,
      });
      const outcome = (await page.locator('#outcome').textContent())!;
      if (answer.status() === 201) {
        expect(outcome).toBe('Uw verzoek is ingediend.');
        await page.locator('#requests[data-state="shown"]').waitFor();
        const filed = page.locator('#requests li', { hasText: description });
        expect(await filed.count()).toBe(1);
        expect(await filed.textContent()).toContain('Status: ingediend');
      } else {
        // Refused (on a gateway without the request channel: 405): the OperationOutcome's own text.
        const body = (await answer.json()) as {
          resourceType: string;
          issue: { details?: { text?: string } }[];
        };
        expect(body.resourceType).toBe('OperationOutcome');
        expect(outcome).toBe(`Uw verzoek kon niet worden ingediend: ${body.issue[0]!.details!.text}`);
        expect(await page.locator('#outcome').getAttribute('data-result')).toBe('refused');
      }
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-7: an app granted fewer scopes says per section that the app may not read it (403), apart from the sections the user may not see or that are empty', async () => {
    const relative = accounts.get('relative')!;
    const patient = relative.links[0]!.patient;
    const clientId = upstreamClientId(patient);
    const granted = data.exports
      .flatMap((e) => e.portalAuthorisations)
      .filter(
        (a) =>
          a.clientId === clientId &&
          !a.withdrawal &&
          relative.links[0]!.person.endsWith(`-${a.granteeRelationId}`),
      )
      .flatMap((a) => a.sections);
    const { context, page } = await loggedIn(relative, {
      scope: 'launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs',
    });
    try {
      expect(await page.locator('#scopes').textContent()).toBe(
        'launch/patient openid fhirUser patient/Patient.rs patient/Observation.rs',
      );
      const byScope = ['care-plan', 'appointments', 'medication', 'documents'];
      expect(await sectionStates(page)).toEqual({
        ...expectedStates(patient, granted),
        ...Object.fromEntries(byScope.map((s) => [s, 'forbidden'])),
      });
      expect(await page.locator('#section-appointments .state').textContent()).toMatch(
        /^U heeft geen toegang tot dit onderdeel: deze app heeft er geen toestemming \(scope\) voor\. \(.+\)$/,
      );
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('FHIR-DEMO-8, M-2: the first contact person sees the sections the client authorised; text in the data stays text (no markup from the dossier is ever parsed)', async () => {
    const firstContact = accounts.get('first')!;
    const patient = firstContact.links[0]!.patient;
    const clientId = upstreamClientId(patient);
    const granted = data.exports
      .flatMap((e) => e.portalAuthorisations)
      .filter(
        (a) =>
          a.clientId === clientId &&
          !a.withdrawal &&
          firstContact.links[0]!.person.endsWith(`-${a.granteeRelationId}`),
      )
      .flatMap((a) => a.sections);
    const hostile = '<img src="x" onerror="window.__injected = true"><b>vet</b>';
    const { context, page } = await loggedIn(firstContact, {
      // The gateway's answer as the page receives it, with markup in a report's text.
      prepare: (c) =>
        c.route(/\/fhir\/Observation\?.*11591000146107/, async (route) => {
          const answer = await route.fetch();
          const bundle = (await answer.json()) as { entry?: { resource: { valueString?: string } }[] };
          if (bundle.entry?.[0]) bundle.entry[0].resource.valueString = hostile;
          await route.fulfill({ response: answer, json: bundle });
        }),
    });
    try {
      expect(await sectionStates(page)).toEqual(expectedStates(patient, granted));
      expect(granted).toContain('reports');
      expect(await page.locator('#section-reports li', { hasText: hostile }).count()).toBe(1);
      expect(await page.locator('#sections img, #sections b').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __injected?: boolean }).__injected)).toBeUndefined();
    } finally {
      await context.close();
    }
  }, 180_000);
  it('FHIR-DEMO-9, A-13: "Wie heeft mijn dossier ingezien": the client sees who read their dossier (name, role, on whose behalf, what, outcome), newest first, by period and page; a relative who is not the client\'s steward gets the explanation instead', async () => {
    // The first contact person reads (their sections), then finds the log closed to them.
    const firstContact = accounts.get('first')!;
    const relative = await loggedIn(firstContact);
    try {
      await sectionStates(relative.page);
      await Promise.all([
        relative.page.waitForEvent('load'),
        relative.page.getByRole('link', { name: 'Wie heeft mijn dossier ingezien' }).click(),
      ]);
      await relative.page.locator('#log[data-loaded="true"]').waitFor({ timeout: 60_000 });
      expect(await relative.page.locator('h1').textContent()).toBe('Wie heeft mijn dossier ingezien');
      expect(await relative.page.locator('#log').getAttribute('data-state')).toBe('not-steward');
      expect(await relative.page.locator('#log .explanation').textContent()).toMatch(
        /^U kunt niet zien wie dit dossier heeft ingezien\. Dat kan alleen de cliënt zelf/,
      );
      expect(await relative.page.locator('#log li').count()).toBe(0);
      expect(await accessibilityViolations(relative.page)).toEqual([]);
    } finally {
      await relative.context.close();
    }

    const client = accounts.get('client')!;
    const { context, page } = await loggedIn(client);
    try {
      await sectionStates(page);
      const name = (await page.locator('#section-basic-details dd').first().textContent())!;
      // Once more, so that the log has more than one page of 20 whatever ran before.
      await page.reload();
      await sectionStates(page);
      await Promise.all([
        page.waitForEvent('load'),
        page.getByRole('link', { name: 'Wie heeft mijn dossier ingezien' }).click(),
      ]);
      await page.locator('#log[data-loaded="true"]').waitFor({ timeout: 60_000 });
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      expect(await page.locator('#log').getAttribute('data-state')).toBe('shown');
      const items = page.locator('#log li');
      expect(await items.count()).toBe(20);
      // Newest first.
      const moments = await page
        .locator('#log li time')
        .evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!));
      expect([...moments].sort().reverse()).toEqual(moments);
      // The client's own reading of the reports, just now, with their name and role.
      const own = items
        .filter({ hasText: 'Rapportages (' })
        .filter({ has: page.locator('.role', { hasText: /^cliënt$/ }) });
      expect(await own.count()).toBeGreaterThan(0);
      expect(await own.first().locator('.who').textContent()).toBe(name);
      expect(await own.first().locator('.what').textContent()).toMatch(
        /^Gezocht en bekeken: Rapportages \(\d+\)$/,
      );
      expect(await own.first().locator('.outcome').textContent()).toBe('toegestaan');
      expect(await own.first().locator('.on-behalf-of').count()).toBe(0);
      expect(await page.locator('#log-status').textContent()).toMatch(/^Inzage 1 tot en met 20 van \d+\.$/);
      expect(await accessibilityViolations(page)).toEqual([]);

      // Paging: an older page shows other events; back to the newest.
      const firstPage = await items.evaluateAll((li) => li.map((l) => l.getAttribute('data-id')));
      expect(await page.locator('#older').isVisible()).toBe(true);
      expect(await page.locator('#newer').isVisible()).toBe(false);
      await page.locator('#older').click();
      await page.locator('#log[data-state="shown"]:not([aria-busy])').waitFor();
      const older = await page
        .locator('#log li')
        .evaluateAll((li) => li.map((l) => l.getAttribute('data-id')));
      expect(older.length).toBeGreaterThan(0);
      expect(older.some((id) => firstPage.includes(id))).toBe(false);
      expect(await page.locator('#log-status').textContent()).toMatch(/^Inzage 21 tot en met \d+ van \d+\.$/);
      await page.locator('#newer').click();
      await page.locator('#log[data-state="shown"]:not([aria-busy])').waitFor();
      expect(await page.locator('#newer').isVisible()).toBe(false);

      // The first contact person's reading of the client's dossier, on the client's behalf.
      const role = () =>
        page
          .locator('#log li[data-outcome="allowed"]')
          .filter({ has: page.locator('.role', { hasText: 'gemachtigde (eerste contactpersoon)' }) });
      while ((await role().count()) === 0 && (await page.locator('#older').isVisible())) {
        await page.locator('#older').click();
        await page.locator('#log[data-state="shown"]:not([aria-busy])').waitFor();
      }
      const theirs = role();
      expect(await theirs.count()).toBeGreaterThan(0);
      expect(await theirs.first().locator('.on-behalf-of').textContent()).toBe(`${name} (de cliënt)`);
      expect(await theirs.first().locator('.who').textContent()).not.toBe(name);

      // A period: from tomorrow there is nothing; today's shows the reads again.
      const today = new Intl.DateTimeFormat('en-CA').format(new Date());
      const tomorrow = new Intl.DateTimeFormat('en-CA').format(new Date(Date.now() + 86_400_000));
      await page.getByLabel('Van').fill(tomorrow);
      await page.getByRole('button', { name: 'Tonen' }).click();
      await page.locator('#log[data-state="none"]').waitFor();
      expect(await page.locator('#log').textContent()).toBe(
        'Er zijn in deze periode geen inzages vastgelegd.',
      );
      await page.getByLabel('Van').fill(today);
      await page.getByLabel('Tot en met').fill(today);
      await page.getByRole('button', { name: 'Tonen' }).click();
      await page.locator('#log[data-state="shown"]').waitFor();
      expect(await page.locator('#log li').count()).toBeGreaterThan(0);

      await Promise.all([page.waitForEvent('load'), page.locator('#language').click()]);
      await page.locator('#log[data-loaded="true"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('h1').textContent()).toBe('Who has looked at my record');
      expect(await page.locator('#log li .role').first().textContent()).toBe('client');
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);
});
