import { join } from 'node:path';
import type { Browser as Chromium } from 'playwright-core';
import { findAuditRecords } from '../../src/audit';
import { CODE_SYSTEM } from '../../src/vocabulary';
import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../fhir/support/api';
import { describeBrowser, launchChromium } from '../support/browser';
import { staffLogin, type StaffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Data-subject requests (issue 12, item 5; M-9, M-10): a portal user files a Task through the FHIR
 * API; staff list, assign and decide it with reasons over the admin API and the console; the
 * requester reads the outcome and the reasons on the Task over /fhir, without the staff member's
 * identity.
 */
describe('admin: data-subject requests', () => {
  let api: FhirApiUnderTest;
  let client: LoggedIn;
  let firstContact: LoggedIn;
  let patient: `Patient/${string}`;
  let admin: StaffLogin;
  let adminCsrf: string;

  beforeAll(async () => {
    api = await startFhirApi();
    const clientId = api.data.scenarios.firstContactAuthorised;
    patient = api.gateway.patientOf(clientId);
    client = await api.login(patient);
    firstContact = await api.login(patient, api.gateway.relationOf(clientId, 'first-contact-person'));
    admin = await staffLogin(api.gateway.running.store, 'functional-administrator', { name: 'Fenna Beheer' });
    adminCsrf = await admin.csrf(api.gateway.base);
  }, 180_000);
  afterAll(async () => api?.close());

  const file = async (who: LoggedIn, code: string, description: string) => {
    const answer = await api.fhir(who.accessToken, '/Task', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: CODE_SYSTEM.dataSubjectRequest, code }] },
        for: { reference: patient },
        description,
        input: [{ type: { text: 'Juiste nummer' }, valueString: '06-12345678' }],
      }),
    });
    expect(answer.status).toBe(201);
    return String(answer.body.id);
  };
  const call = async (
    login: StaffLogin,
    method: string,
    path: string,
    body?: Record<string, unknown>,
    csrf?: string,
  ) => {
    const res = await fetch(`${api.gateway.base}/admin${path}`, {
      method,
      headers: {
        cookie: login.cookie,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const patientId = () => patient.slice('Patient/'.length);

  it('ADMIN-REQUESTS-1 (M-9, M-10): filed through /fhir, listed, assigned and decided with reasons over the admin API; the requester reads the outcome', async () => {
    const correction = await file(client, 'correction', 'Mijn telefoonnummer klopt niet meer.');
    const other = await file(firstContact, 'completion', 'Graag de afspraak van dinsdag aanvullen.');

    const listed = await call(admin, 'GET', '/requests');
    expect(listed.status).toBe(200);
    const ids = listed.body.requests.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([correction, other]));
    const byClient = await call(admin, 'GET', `/requests?patientId=${patientId()}&status=requested`);
    expect(byClient.body.requests.every((r: { patientId: string }) => r.patientId === patientId())).toBe(
      true,
    );

    const one = await call(admin, 'GET', `/requests/${correction}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: correction,
      patientId: patientId(),
      requester: patient,
      kind: 'correction',
      description: 'Mijn telefoonnummer klopt niet meer.',
      details: [{ label: 'Juiste nummer', value: '06-12345678' }],
      status: 'requested',
      notes: [],
    });
    expect(one.body.assignedTo).toBeUndefined();

    const assigned = await call(
      admin,
      'POST',
      `/requests/${correction}/assignment`,
      { reason: 'Ik pak dit op' },
      adminCsrf,
    );
    expect(assigned.status).toBe(200);
    expect(assigned.body.assignedTo).toMatchObject({ staffId: admin.staff.id, name: 'Fenna Beheer' });
    const mine = await call(admin, 'GET', '/requests?mine=true');
    expect(mine.body.requests.map((r: { id: string }) => r.id)).toEqual([correction]);

    const reason = 'Wij hebben het nummer in het dossier aangepast.';
    const decided = await call(
      admin,
      'POST',
      `/requests/${correction}/decision`,
      { outcome: 'completed', reason },
      adminCsrf,
    );
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'completed', reason, notes: [{ text: reason }] });

    // M-9: the requester reads the outcome and the reasons; the staff member is not named.
    const read = await api.fhir(client.accessToken, `/Task/${correction}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      status: 'completed',
      statusReason: { text: reason },
      businessStatus: { text: 'Carried out by the organisation' },
      owner: { reference: 'Organization/meerzicht' },
      note: [{ text: reason }],
    });
    expect(read.text).not.toContain('Fenna');
    expect(read.text).not.toContain(admin.staff.id);

    // Settled: no second decision.
    const again = await call(
      admin,
      'POST',
      `/requests/${correction}/decision`,
      { outcome: 'rejected', reason: 'Toch niet' },
      adminCsrf,
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('ERR_REQUEST_SETTLED');
    const reassign = await call(
      admin,
      'POST',
      `/requests/${correction}/assignment`,
      { reason: 'Later' },
      adminCsrf,
    );
    expect(reassign.status).toBe(409);

    // Recorded: the channel's decision (with the staff member as actor) and the admin action with the reason.
    const store = api.gateway.running.store;
    const channel = (await findAuditRecords(store, { kinds: ['request-channel'] }))
      .map((r) => r.entry)
      .filter(
        (e) => e.interaction === 'decided' && e.entities?.some((x) => x.startsWith(`Task/${correction}/`)),
      );
    expect(channel).toHaveLength(1);
    expect(JSON.stringify(channel[0]!.actor)).toContain(admin.staff.id);
    const adminRecords = (await findAuditRecords(store, { kinds: ['admin'] }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'decideRequest' && e.outcome === 'success');
    expect(adminRecords).toEqual([
      expect.objectContaining({
        patient,
        actor: expect.objectContaining({ role: 'functional-administrator' }),
        detail: expect.objectContaining({ reason }),
      }),
    ]);
  }, 60_000);

  it('ADMIN-REQUESTS-2: the privacy officer and the support desk read but cannot assign or decide (403); another organisation sees none', async () => {
    const id = await file(client, 'erasure', 'Verwijder mijn oude adres.');
    for (const role of ['privacy-officer', 'support-desk'] as const) {
      const staff = await staffLogin(api.gateway.running.store, role);
      const csrf = await staff.csrf(api.gateway.base);
      expect((await call(staff, 'GET', `/requests/${id}`)).status).toBe(200);
      const decide = await call(
        staff,
        'POST',
        `/requests/${id}/decision`,
        { outcome: 'rejected', reason: 'Niet mijn rol' },
        csrf,
      );
      expect(decide.status).toBe(403);
      expect(decide.body.error).toBe('ERR_ADMIN_ROLE');
      const assign = await call(staff, 'POST', `/requests/${id}/assignment`, { reason: 'Probeer' }, csrf);
      expect(assign.status).toBe(403);
    }
    const amerhof = await staffLogin(api.gateway.running.store, 'functional-administrator', {
      organisationId: 'amerhof',
    });
    const csrf = await amerhof.csrf(api.gateway.base);
    expect((await call(amerhof, 'GET', `/requests/${id}`)).status).toBe(404);
    expect(
      (
        await call(
          amerhof,
          'POST',
          `/requests/${id}/decision`,
          { outcome: 'rejected', reason: 'Niet van ons' },
          csrf,
        )
      ).status,
    ).toBe(404);
    const list = await call(amerhof, 'GET', '/requests');
    expect(list.body.requests.map((r: { id: string }) => r.id)).not.toContain(id);
    // Still open: nobody decided it.
    expect((await api.fhir(client.accessToken, `/Task/${id}`)).body.status).toBe('requested');
  }, 60_000);

  it('ADMIN-REQUESTS-3 (M-9): the console lists and filters, and a decision through its form reaches the requester', async () => {
    const id = await file(firstContact, 'transfer', 'Graag een export van mijn gegevens.');
    const get = async (path: string) => {
      const res = await fetch(`${api.gateway.base}/admin/console${path}`, {
        headers: { cookie: admin.cookie },
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const list = await get('/requests?status=requested');
    expect(list).toContain('<html lang="nl">');
    expect(list).toContain(`/admin/console/requests/${id}`);
    const page = await get(`/requests/${id}`);
    expect(page).toContain('Graag een export van mijn gegevens.');
    expect(page).toContain(`action="/admin/console/requests/${id}/decision"`);

    const reviewer = await staffLogin(api.gateway.running.store, 'privacy-officer');
    const readOnly = await (
      await fetch(`${api.gateway.base}/admin/console/requests/${id}`, {
        headers: { cookie: reviewer.cookie },
      })
    ).text();
    expect(readOnly).toContain('Graag een export van mijn gegevens.');
    expect(readOnly).not.toContain('/decision"');

    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${api.gateway.base}/admin/console${path}`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: adminCsrf, ...fields }).toString(),
        redirect: 'manual',
      });
    expect((await post(`/requests/${id}/assignment`, { reason: 'Voor mij' })).status).toBe(303);
    const reason = 'De export staat klaar in het portaal.';
    expect((await post(`/requests/${id}/decision`, { outcome: 'completed', reason })).status).toBe(303);
    const after = await get(`/requests/${id}`);
    expect(after).toContain('Uitgevoerd');
    expect(after).toContain('Fenna Beheer');

    const read = await api.fhir(firstContact.accessToken, `/Task/${id}`);
    expect(read.body).toMatchObject({ status: 'completed', statusReason: { text: reason } });
  }, 60_000);
  describeBrowser('in Chromium', () => {
    let chromium: Chromium;
    beforeAll(async () => {
      chromium = await launchChromium();
    }, 60_000);
    afterAll(async () => chromium?.close());

    it('ADMIN-REQUESTS-4: the request and terms pages have no WCAG 2.1 AA violations (axe-core), in Dutch and English', async () => {
      const id = await file(client, 'correction', 'Mijn adres is verhuisd.');
      const context = await chromium.newContext({ bypassCSP: true });
      const [name, value] = admin.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: api.gateway.base }]);
      const page = await context.newPage();
      const found: unknown[] = [];
      for (const lang of ['nl', 'en'])
        for (const path of ['/requests', `/requests/${id}`, '/terms']) {
          const res = await page.goto(`${api.gateway.base}/admin/console${path}?lang=${lang}`);
          expect([path, res?.status()]).toEqual([path, 200]);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async (tags) => {
            const scope = globalThis as unknown as {
              axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string }[] }> };
              document: unknown;
            };
            return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } }))
              .violations;
          }, TAGS);
          found.push(...violations.map((v) => ({ lang, path, violation: v })));
        }
      await context.close();
      expect(found).toEqual([]);
    }, 60_000);
  });
});
