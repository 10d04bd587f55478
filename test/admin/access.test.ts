import { join } from 'node:path';
import type { Browser as Chromium } from 'playwright-core';
import { describeBrowser, launchChromium } from '../support/browser';
import { findAuditRecords, type AuditEntry } from '../../src/audit';
import { totpCode } from '../../src/auth';
import { formsOf } from '../smart/support/login';
import { Browser } from '../smart/support/browser';
import { authorizeUrl, pkce } from '../smart/support/oauth';
import {
  freshEmail,
  startConformanceGateway,
  type ConformanceGateway,
  type Person,
} from '../smart/support/gateway';
import {
  APP,
  PORTAL_APP_REGISTRATION,
  REDIRECT,
  SCOPE,
  adminCall,
  fhirRead,
  portalLogin,
  refresh,
} from './support/access';
import { staffLogin, type StaffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Issue 12, item 2: suspend, lift, close, reopen, block and re-enrol over the admin API (PGlite). */
describe('admin access operations', () => {
  let gateway: ConformanceGateway;
  let admin: StaffLogin;
  let desk: StaffLogin;
  let reviewer: StaffLogin;
  let other: StaffLogin;
  /** Adult meerzicht clients in care, by sandbox client id. */
  let adults: string[];

  beforeAll(async () => {
    gateway = await startConformanceGateway({ clients: [PORTAL_APP_REGISTRATION] });
    const store = gateway.running.store;
    admin = await staffLogin(store, 'functional-administrator', { name: 'Fenna Beheer' });
    desk = await staffLogin(store, 'support-desk', { name: 'Sam Servicedesk' });
    reviewer = await staffLogin(store, 'privacy-officer', { name: 'Petra Privacy' });
    other = await staffLogin(store, 'functional-administrator', {
      organisationId: 'amerhof',
      name: 'Anna Amerhof',
    });
    const cutoff = `${new Date().getFullYear() - 20}-01-01`;
    adults = gateway.data.exports
      .find((e) => e.organisation.id === 'meerzicht')!
      .clients.filter((c) => c.birthDate < cutoff && !c.deceasedDate && c.careAgreements.some((a) => !a.end))
      .map((c) => c.id);
  }, 120_000);
  afterAll(async () => gateway?.close());

  const idOf = (patient: string) => patient.slice('Patient/'.length);
  const records = async (kinds: AuditEntry['kind'][]) =>
    (await findAuditRecords(gateway.running.store, { kinds })).map((r) => r.entry);

  let next = 0;
  /** The next adult client of meerzicht who may use the portal, logged in as themselves, reading their Patient. */
  async function reader(): Promise<{
    person: Person;
    token: string;
    refreshToken: string;
    patientId: string;
  }> {
    while (next < adults.length) {
      const patient = gateway.patientOf(adults[next++]!);
      const person = await gateway.register(freshEmail('access'), patient);
      const session = await portalLogin(gateway, person).catch(() => undefined);
      if (session === undefined) continue; // not a client with portal access of their own
      const read = await fhirRead(gateway.base, session.accessToken, patient);
      expect(read.status).toBe(200);
      return {
        person,
        token: session.accessToken,
        refreshToken: session.refreshToken,
        patientId: idOf(patient),
      };
    }
    throw new Error('no more adult clients in the sandbox');
  }

  it('ADMIN-ACCESS-1 (M-5, M-7): a suspension with an end date refuses the next read; it is listed with who and why; a lift restores access; the records name staff, role and reason', async () => {
    const { person, token, patientId } = await reader();
    const until = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const made = await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/suspensions`, {
      person: person.person,
      reason: 'misbruik gemeld door de cliënt',
      until,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      patientId,
      person: person.person,
      until,
      state: 'current',
      createdBy: `staff:${admin.staff.id}`,
      reason: 'misbruik gemeld door de cliënt',
    });
    const refused = await fhirRead(gateway.base, token, `Patient/${patientId}`);
    // The FHIR API's usual refusal: as if there were nothing to read.
    expect(refused.status).toBe(404);
    expect(refused.body.resourceType).toBe('OperationOutcome');

    // A reviewer reads the list (current, with who and why) but cannot lift.
    const listed = await adminCall(gateway.base, reviewer, 'GET', `/clients/${patientId}/suspensions`);
    expect(listed.status).toBe(200);
    expect(listed.body.suspensions).toEqual([
      expect.objectContaining({ id: made.body.id, state: 'current' }),
    ]);
    const notLifted = await adminCall(gateway.base, reviewer, 'POST', `/suspensions/${made.body.id}/lift`, {
      reason: 'mag niet',
    });
    expect(notLifted.status).toBe(403);
    expect(notLifted.body.error).toBe('ERR_ADMIN_ROLE');

    const lifted = await adminCall(gateway.base, admin, 'POST', `/suspensions/${made.body.id}/lift`, {
      reason: 'opgelost na gesprek',
    });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ state: 'past', liftedBy: `staff:${admin.staff.id}` });
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(200);
    const twice = await adminCall(gateway.base, admin, 'POST', `/suspensions/${made.body.id}/lift`, {
      reason: 'nog een keer',
    });
    expect(twice.status).toBe(404);

    // The suspension record (in the change's transaction) and the admin record share the request.
    const changes = (await records(['suspension'])).filter((e) => e.detail?.suspension === made.body.id);
    expect(changes.map((e) => e.interaction)).toEqual(['suspension-start', 'suspension-lift']);
    expect(changes[0]).toMatchObject({
      patient: `Patient/${patientId}`,
      actor: { account: `staff:${admin.staff.id}`, name: 'Fenna Beheer', role: 'functional-administrator' },
      detail: { reason: 'misbruik gemeld door de cliënt', subject: person.person, periodEnd: until },
    });
    const admins = (await records(['admin'])).filter(
      (e) => e.interaction === 'suspendAccess' && e.patient === `Patient/${patientId}`,
    );
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({
      outcome: 'success',
      requestId: changes[0]!.requestId,
      actor: { account: `staff:${admin.staff.id}`, role: 'functional-administrator' },
      detail: { reason: 'misbruik gemeld door de cliënt', channel: 'api' },
    });
    const liftRecord = (await records(['admin'])).find(
      (e) => e.interaction === 'liftSuspension' && e.outcome === 'success',
    );
    expect(liftRecord).toMatchObject({
      patient: `Patient/${patientId}`,
      detail: { reason: 'opgelost na gesprek' },
    });
  }, 60_000);

  it("ADMIN-ACCESS-2: bad input is 400, another organisation's client and suspension are 404, the support desk and the reviewer may not suspend (403 ERR_ADMIN_ROLE)", async () => {
    const patientId = idOf(gateway.patientOf(adults[1]!));
    const self = `Patient/${patientId}`;
    const post = (who: StaffLogin, path: string, body: Record<string, unknown>) =>
      adminCall(gateway.base, who, 'POST', path, body);
    const noReason = await post(admin, `/clients/${patientId}/suspensions`, { person: self });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({
      error: 'ERR_ADMIN_INPUT',
      message: expect.stringContaining('reason'),
    });
    const badDate = await post(admin, `/clients/${patientId}/suspensions`, {
      person: self,
      reason: 'test',
      until: 'morgen',
    });
    expect(badDate.status).toBe(400);
    const backwards = await post(admin, `/clients/${patientId}/suspensions`, {
      person: self,
      reason: 'test',
      from: '2030-01-02T00:00:00Z',
      until: '2030-01-01T00:00:00Z',
    });
    expect(backwards).toMatchObject({ status: 400, body: { error: 'ERR_ADMIN_PERIOD' } });
    const stranger = await post(admin, `/clients/${patientId}/suspensions`, {
      person: 'RelatedPerson/nobody-of-this-client',
      reason: 'test',
    });
    expect(stranger).toMatchObject({ status: 400, body: { error: 'ERR_ADMIN_PERSON' } });
    const elsewhere = await post(other, `/clients/${patientId}/suspensions`, {
      person: self,
      reason: 'test',
    });
    expect(elsewhere).toMatchObject({ status: 404, body: { error: 'ERR_ADMIN_NO_CLIENT' } });
    expect((await adminCall(gateway.base, other, 'GET', `/clients/${patientId}/suspensions`)).status).toBe(
      404,
    );
    expect((await post(other, `/clients/${patientId}/close`, { reason: 'test' })).status).toBe(404);

    const deskTry = await post(desk, `/clients/${patientId}/suspensions`, { person: self, reason: 'test' });
    expect(deskTry).toMatchObject({ status: 403, body: { error: 'ERR_ADMIN_ROLE' } });
    expect((await post(desk, `/clients/${patientId}/close`, { reason: 'test' })).status).toBe(403);
    const reviewerTry = await post(reviewer, `/clients/${patientId}/suspensions`, {
      person: self,
      reason: 'test',
    });
    expect(reviewerTry).toMatchObject({ status: 403, body: { error: 'ERR_ADMIN_ROLE' } });

    // A scheduled suspension of a relation: listed as scheduled; another organisation cannot lift it.
    const exp = gateway.data.exports.find((e) => e.organisation.id === 'meerzicht')!;
    const relation = exp.relations.find((r) => r.clientId === adults[1] && !r.end);
    const person = relation ? gateway.relationOf(adults[1]!, relation.role) : self;
    const scheduled = await post(admin, `/clients/${patientId}/suspensions`, {
      person,
      reason: 'tijdelijk, apparaat met beveiligingsprobleem',
      from: new Date(Date.now() + 3600_000).toISOString(),
      until: new Date(Date.now() + 2 * 3600_000).toISOString(),
    });
    expect(scheduled).toMatchObject({ status: 201, body: { state: 'scheduled', person } });
    const foreignLift = await post(other, `/suspensions/${scheduled.body.id}/lift`, { reason: 'test' });
    expect(foreignLift).toMatchObject({ status: 404, body: { error: 'ERR_ADMIN_NO_SUSPENSION' } });
    expect((await post(desk, `/suspensions/${scheduled.body.id}/lift`, { reason: 'test' })).status).toBe(403);

    // Every refusal is recorded too, with the staff member and role.
    const refusals = (await records(['admin'])).filter(
      (e) => e.actor?.account === `staff:${desk.staff.id}` && e.outcome === 'refused',
    );
    expect(refusals.map((e) => [e.interaction, e.status, e.detail?.error])).toEqual(
      expect.arrayContaining([['suspendAccess', 403, 'ERR_ADMIN_ROLE']]),
    );
  }, 60_000);

  it('ADMIN-ACCESS-3 (A-10): closing the portal refuses the next read of everyone; reopening restores it; reopening an open portal is 409', async () => {
    const { token, patientId } = await reader();
    const closed = await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/close`, {
      reason: 'datalek, portaal dicht tot onderzoek klaar is',
    });
    expect(closed.status).toBe(201);
    expect(closed.body.person).toBeUndefined();
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(404);
    const reopened = await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/reopen`, {
      reason: 'onderzoek afgerond',
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.suspensions).toEqual([
      expect.objectContaining({ id: closed.body.id, state: 'past' }),
    ]);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(200);
    const again = await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/reopen`, {
      reason: 'nog eens',
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'ERR_ADMIN_NOT_CLOSED' } });
  }, 60_000);

  it('ADMIN-ACCESS-4 (M-5): an account linked to two clients is suspended for both in one call', async () => {
    // Clients the readers of the other tests do not use: a suspension of a person counts for every account.
    const spare = gateway.data.exports
      .find((e) => e.organisation.id === 'meerzicht')!
      .clients.map((c) => c.id)
      .filter((id) => !adults.includes(id));
    const first = gateway.patientOf(spare[0]!);
    const second = gateway.patientOf(spare[1]!);
    const person = await gateway.register(freshEmail('everywhere'), first);
    // The same e-mail address and password add a second link to the account.
    const added = await gateway.register(person.email, second);
    expect(added.accountId).toBe(person.accountId);
    const done = await adminCall(gateway.base, admin, 'POST', `/accounts/${person.accountId}/suspensions`, {
      reason: 'misbruik op meerdere dossiers',
    });
    expect(done.status).toBe(201);
    expect(done.body.suspensions.map((s: { patientId: string }) => s.patientId).sort()).toEqual(
      [idOf(first), idOf(second)].sort(),
    );
    const elsewhere = await adminCall(
      gateway.base,
      other,
      'POST',
      `/accounts/${person.accountId}/suspensions`,
      {
        reason: 'test',
      },
    );
    expect(elsewhere).toMatchObject({ status: 404, body: { error: 'ERR_ADMIN_NO_ACCOUNT' } });
    const desked = await adminCall(gateway.base, desk, 'POST', `/accounts/${person.accountId}/suspensions`, {
      reason: 'test',
    });
    expect(desked.status).toBe(403);
  }, 60_000);

  it('ADMIN-ACCESS-5 (M-6): the support desk blocks an account: its token is refused (401), its refresh too, its login too; a reviewer may not block', async () => {
    const { person, token, refreshToken, patientId } = await reader();
    expect(
      (
        await adminCall(gateway.base, reviewer, 'POST', `/accounts/${person.accountId}/block`, {
          reason: 'x'.repeat(5),
        })
      ).status,
    ).toBe(403);
    const elsewhere = await adminCall(gateway.base, other, 'POST', `/accounts/${person.accountId}/block`, {
      reason: 'telefoon gestolen',
    });
    expect(elsewhere.status).toBe(404);
    const blocked = await adminCall(gateway.base, desk, 'POST', `/accounts/${person.accountId}/block`, {
      reason: 'telefoon gestolen, gemeld door de cliënt',
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ accountId: person.accountId, newlyBlocked: true });
    expect(blocked.body.revoked).toBeGreaterThan(0);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(401);
    const refreshed = await refresh(gateway, refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    await expect(portalLogin(gateway, person)).rejects.toThrow(/no code/);

    const listed = await adminCall(gateway.base, reviewer, 'GET', `/clients/${patientId}/portal-people`);
    expect(listed.body.accounts).toEqual([
      expect.objectContaining({ accountId: person.accountId, blockedAt: expect.any(String) }),
    ]);
    const record = (await records(['admin'])).find(
      (e) => e.interaction === 'blockAccount' && e.outcome === 'success',
    );
    expect(record).toMatchObject({
      action: 'U',
      actor: { account: `staff:${desk.staff.id}`, role: 'support-desk', name: 'Sam Servicedesk' },
      detail: { reason: 'telefoon gestolen, gemeld door de cliënt' },
    });
    // The block's own record, written in the block's transaction, names the account and what went.
    const tokenRecord = (await records(['token'])).find(
      (e) => e.interaction === 'account-blocked' && e.detail?.account === person.accountId,
    );
    expect(tokenRecord).toMatchObject({
      requestId: record!.requestId,
      actor: { account: `staff:${desk.staff.id}`, role: 'support-desk' },
      detail: { revoked: blocked.body.revoked, reason: 'telefoon gestolen, gemeld door de cliënt' },
    });
  }, 60_000);

  it('ADMIN-ACCESS-6 (M-6): re-enrolment: a fresh link code with the same e-mail address sets a new password and a new second factor; the old password no longer works', async () => {
    const { person, patientId } = await reader();
    await adminCall(gateway.base, desk, 'POST', `/accounts/${person.accountId}/block`, {
      reason: 'wachtwoord gelekt',
    });
    const reenrol = await adminCall(gateway.base, desk, 'POST', `/accounts/${person.accountId}/reenrol`, {
      reason: 'identiteit gecontroleerd aan de balie',
    });
    expect(reenrol.status).toBe(200);
    expect(reenrol.body).toMatchObject({ accountId: person.accountId, patientId, email: person.email });
    expect(reenrol.body.linkCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // Still blocked until the person re-enrols.
    await expect(portalLogin(gateway, person)).rejects.toThrow(/no code/);

    // Through the login pages: "Ik heb een koppelcode", the same e-mail address, a new password
    // and a new mobile number; both verified; TOTP enrolled anew.
    const browser = new Browser();
    const start = authorizeUrl(gateway, {
      clientId: APP,
      redirectUri: REDIRECT,
      scope: SCOPE,
      pkce: pkce(),
      state: 'reenrol',
    });
    let res = await browser.go(start);
    let url = start;
    while (res.status === 302 || res.status === 303) {
      url = new URL(res.headers.get('location')!, url).href;
      res = await browser.go(url);
    }
    const login = await res.text();
    const registerLink = /href="([^"]+\/register[^"]*)"/.exec(login)![1]!.replace(/&amp;/g, '&');
    url = new URL(registerLink, url).href;
    res = await browser.go(url);
    const submit = async (page: string, values: Record<string, string>) => {
      const form = formsOf(page).find(
        (f) => f.method === 'post' && Object.keys(values).every((k) => f.fields.some((x) => x.name === k)),
      )!;
      expect(form).toBeDefined();
      const fields: Record<string, string> = {};
      for (const f of form.fields) if (f.type === 'hidden') fields[f.name] = f.value;
      url = new URL(form.action || url, url).href;
      const answer = await browser.post(url, { ...fields, ...values });
      return { status: answer.status, html: await answer.text() };
    };
    const newPassword = 'a completely new passphrase';
    const mobile = '+31698765432';
    let page = await submit(await res.text(), {
      linkCode: reenrol.body.linkCode,
      email: person.email,
      mobile,
      password: newPassword,
      password2: newPassword,
    });
    expect(page.status).toBe(200);
    page = await submit(page.html, { code: lastCode(person.email) });
    page = await submit(page.html, { code: lastCode(mobile) });
    page = await submit(page.html, { factor: 'totp' });
    const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(page.html)![1]!;
    page = await submit(page.html, { code: totpCode(secret) });
    expect(page.html).toContain('name="password"');

    const [row] = await gateway.running.store.query<{
      blocked_at: Date | null;
      mobile: string;
      reenrol_link_code_id: string | null;
    }>('SELECT blocked_at, mobile, reenrol_link_code_id FROM account WHERE id = $1', [person.accountId]);
    expect(row).toEqual({ blocked_at: null, mobile, reenrol_link_code_id: null });

    // The old password is refused; the new one with the new second factor gets a token that reads.
    await expect(portalLogin(gateway, person)).rejects.toThrow(/no code/);
    const renewed = await portalLogin(gateway, {
      ...person,
      password: newPassword,
      // The code of the next step: the setup used this one (±1 step is accepted).
      smsCode: () => totpCode(secret, new Date(Date.now() + 30_000)),
    });
    expect((await fhirRead(gateway.base, renewed.accessToken, `Patient/${patientId}`)).status).toBe(200);
    const reenrolRecord = (await records(['admin'])).find((e) => e.interaction === 'reenrolAccount');
    expect(reenrolRecord).toMatchObject({ outcome: 'success', patient: `Patient/${patientId}` });
    // The record keeps no link code.
    expect(JSON.stringify(reenrolRecord)).not.toContain(reenrol.body.linkCode);
  }, 90_000);

  /** The console as a staff member: GET and form POSTs with the page's own CSRF field. */
  function console(staff: StaffLogin) {
    const jar = new Map<string, string>();
    const cookie = () => [staff.cookie, ...[...jar].map(([k, v]) => `${k}=${v}`)].join('; ');
    const keep = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        if (pair.slice(eq + 1) === '') jar.delete(pair.slice(0, eq));
        else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    };
    return {
      async get(path: string) {
        const res = await fetch(`${gateway.base}/admin/console${path}`, { headers: { cookie: cookie() } });
        keep(res);
        return { status: res.status, html: await res.text() };
      },
      async post(path: string, fields: Record<string, string>) {
        const res = await fetch(`${gateway.base}/admin/console${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
        keep(res);
        return { status: res.status, location: res.headers.get('location'), html: await res.text() };
      },
    };
  }
  const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const actions = (page: string) =>
    formsOf(page)
      .filter((f) => f.method === 'post' && f.action.includes('/clients/'))
      .map((f) => f.action.replace(/^.*\/clients\/[^/]+\//, ''));

  it('ADMIN-ACCESS-7 (M-5, A-10): the console access page shows the people and the forms; a suspension, its lift, a closure and the reopening through the forms come back with a Dutch notice', async () => {
    const { person, token, patientId } = await reader();
    const fa = console(admin);
    const page = await fa.get(`/clients/${patientId}/access`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="nl">');
    expect(page.html).toContain(person.email);
    expect(actions(page.html)).toEqual(expect.arrayContaining(['suspend', 'close', 'block']));
    expect(page.html).toContain(`<option value="${person.person}">`);
    for (const id of ['suspend-person', 'suspend-reason', 'suspend-until', 'close-reason', 'block-account'])
      expect(page.html).toContain(`<label for="${id}"`);

    const lastDay = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const suspended = await fa.post(`/clients/${patientId}/suspend`, {
      _csrf: csrfOf(page.html),
      person: person.person,
      reason: 'misbruik, tijdelijk geblokkeerd',
      untilDate: lastDay,
    });
    expect(suspended.status).toBe(303);
    expect(suspended.location).toBe(`/admin/console/clients/${patientId}/access`);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(404);
    const after = await fa.get(`/clients/${patientId}/access`);
    expect(after.html).toContain('De toegang is opgeschort.');
    expect(after.html).toContain('misbruik, tijdelijk geblokkeerd');
    expect(actions(after.html)).toContain('lift');
    const listed = await adminCall(gateway.base, admin, 'GET', `/clients/${patientId}/suspensions`);
    const suspension = listed.body.suspensions[0];
    // Up to and including the day typed: until the next midnight in Amsterdam.
    expect(new Date(suspension.until).getTime()).toBeGreaterThan(new Date(`${lastDay}T20:00:00Z`).getTime());
    const adminRecord = (await records(['admin'])).find(
      (e) => e.interaction === 'suspendAccess' && e.patient === `Patient/${patientId}`,
    );
    expect(adminRecord).toMatchObject({
      detail: { channel: 'console', reason: 'misbruik, tijdelijk geblokkeerd' },
    });

    const lifted = await fa.post(`/clients/${patientId}/lift`, {
      _csrf: csrfOf(after.html),
      suspensionId: suspension.id,
      reason: 'opgelost',
    });
    expect(lifted.status).toBe(303);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(200);
    expect((await fa.get(`/clients/${patientId}/access`)).html).toContain('De opschorting is opgeheven.');

    const closed = await fa.post(`/clients/${patientId}/close`, {
      _csrf: csrfOf(after.html),
      reason: 'datalek',
    });
    expect(closed.status).toBe(303);
    const closedPage = await fa.get(`/clients/${patientId}/access`);
    expect(closedPage.html).toContain('Het portaal is gesloten.');
    expect(closedPage.html).toContain('niemand heeft nu toegang');
    expect(actions(closedPage.html)).toContain('reopen');
    expect(actions(closedPage.html)).not.toContain('close');
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(404);
    const reopened = await fa.post(`/clients/${patientId}/reopen`, {
      _csrf: csrfOf(closedPage.html),
      reason: 'onderzoek klaar',
    });
    expect(reopened.status).toBe(303);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(200);

    // A missing reason: the form's error page, nothing changed.
    const noReason = await fa.post(`/clients/${patientId}/close`, { _csrf: csrfOf(after.html) });
    expect(noReason.status).toBe(400);
    // English on request.
    const english = await fa.get(`/clients/${patientId}/access?lang=en`);
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('Suspend or end access');
  }, 60_000);

  it('ADMIN-ACCESS-8 (M-6): the support desk sees no suspend or close form and a forged one is refused; it blocks through the form and gets a fresh link code; a reviewer sees no form at all', async () => {
    const { person, token, patientId } = await reader();
    const sd = console(desk);
    const page = await sd.get(`/clients/${patientId}/access`);
    expect(page.status).toBe(200);
    expect(actions(page.html)).toEqual(['block']);
    expect(page.html).not.toContain('suspend-person');
    const forged = await sd.post(`/clients/${patientId}/suspend`, {
      _csrf: csrfOf(page.html),
      person: person.person,
      reason: 'mag niet',
    });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('support-desk');
    const noCsrf = await sd.post(`/clients/${patientId}/block`, {
      accountId: person.accountId,
      reason: 'zonder csrf',
    });
    expect(noCsrf.status).toBe(403);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(200);

    const blocked = await sd.post(`/clients/${patientId}/block`, {
      _csrf: csrfOf(page.html),
      accountId: person.accountId,
      reason: 'telefoon kwijt',
    });
    expect(blocked.status).toBe(303);
    expect((await fhirRead(gateway.base, token, `Patient/${patientId}`)).status).toBe(401);
    const blockedPage = await sd.get(`/clients/${patientId}/access`);
    expect(blockedPage.html).toContain('Het account is geblokkeerd');
    expect(actions(blockedPage.html)).toEqual(['reenrol']);
    const code = await sd.post(`/clients/${patientId}/reenrol`, {
      _csrf: csrfOf(blockedPage.html),
      accountId: person.accountId,
      reason: 'identiteit gecontroleerd',
    });
    expect(code.status).toBe(200);
    expect(code.html).toMatch(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(code.html).toContain(person.email);

    const po = console(reviewer);
    const reviewed = await po.get(`/clients/${patientId}/access`);
    expect(reviewed.status).toBe(200);
    expect(actions(reviewed.html)).toEqual([]);
    // Another organisation's client is not found.
    expect((await console(other).get(`/clients/${patientId}/access`)).status).toBe(404);
  }, 60_000);

  describeBrowser('the access page in Chromium', () => {
    let chromium: Chromium;
    beforeAll(async () => {
      chromium = await launchChromium();
    }, 60_000);
    afterAll(async () => chromium?.close());

    it('ADMIN-ACCESS-9: axe-core finds no WCAG 2.1 AA violation on the access page, open and closed, blocked, in Dutch and English', async () => {
      const { person, patientId } = await reader();
      const context = await chromium.newContext({ bypassCSP: true });
      try {
        const [name, value] = admin.cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: gateway.base }]);
        const page = await context.newPage();
        const audit = async (state: string) => {
          for (const lang of ['nl', 'en'] as const) {
            await page.goto(`${gateway.base}/admin/console/clients/${patientId}/access?lang=${lang}`);
            expect(await page.getAttribute('html', 'lang')).toBe(lang);
            await page.addScriptTag({ path: AXE });
            const violations = await page.evaluate(async (tags) => {
              const scope = globalThis as unknown as {
                axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
                document: unknown;
              };
              return (await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags } }))
                .violations;
            }, TAGS);
            expect([state, lang, violations]).toEqual([state, lang, []]);
          }
        };
        // Open: the suspend, close and block forms.
        await audit('open');
        await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/suspensions`, {
          person: person.person,
          reason: 'tijdelijk <geblokkeerd>',
          until: new Date(Date.now() + 86_400_000).toISOString(),
        });
        await adminCall(gateway.base, admin, 'POST', `/clients/${patientId}/close`, { reason: 'datalek' });
        await adminCall(gateway.base, desk, 'POST', `/accounts/${person.accountId}/block`, {
          reason: 'kwijt',
        });
        // Closed, suspended and blocked: the reopen, lift and re-enrol forms and the history.
        await audit('closed');
      } finally {
        await context.close();
      }
    }, 60_000);
  });

  function lastCode(address: string): string {
    const captured = gateway.latestCode(address);
    if (!captured) throw new Error(`no code to ${address}`);
    return captured;
  }
});
