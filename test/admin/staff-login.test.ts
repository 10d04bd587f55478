import { findAuditRecords } from '../../src/audit';
import { createTotpSecret, totpCode } from '../../src/auth';
import { createStaffAccount, sealStaffTotp, type StaffRole } from '../../src/admin';
import { safeNext } from '../../src/admin/console/pages/login';
import { LINK_CODE_SECRET, startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { ConsoleBrowser, csrfOf } from './support/browser';
import { staffLogin } from './support/staff';

/** The console's staff login and the staff operations (issue 12, item 1). */
describe('the staff login and staff accounts', () => {
  let gateway: ConformanceGateway;
  let made = 0;

  beforeAll(async () => {
    gateway = await startConformanceGateway({ clients: [] });
  }, 120_000);
  afterAll(async () => gateway?.close());

  /** A staff account with a password and (unless `totp: false`) a TOTP secret. */
  async function account(role: StaffRole, options: { totp?: boolean; organisationId?: string } = {}) {
    made += 1;
    const secret = createTotpSecret();
    const password = `staff-wachtwoord-${made}-lang`;
    const staff = await createStaffAccount(gateway.running.store, {
      organisationId: options.organisationId ?? 'meerzicht',
      email: `login-${role}-${made}-${process.pid}@example.org`,
      name: `Medewerker ${made}`,
      role,
      password,
      ...(options.totp === false ? {} : { totpSecret: sealStaffTotp(secret, LINK_CODE_SECRET) }),
      createdBy: 'test',
    });
    return { staff, password, secret };
  }

  /** Password step: returns the browser (with a half session) and the answer. */
  async function passwordStep(email: string, password: string, next?: string, browser?: ConsoleBrowser) {
    const b = browser ?? new ConsoleBrowser(gateway.base);
    const form = await b.get(`/admin/console/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    expect(form.res.status).toBe(200);
    const answer = await b.post('/admin/console/login', {
      _csrf: csrfOf(form.text),
      email,
      password,
      ...(next ? { next } : {}),
    });
    return { b, answer };
  }

  async function codeStep(b: ConsoleBrowser, code: string) {
    const page = await b.get('/admin/console/login/code');
    expect(page.res.status).toBe(200);
    return { page, answer: await b.post('/admin/console/login/code', { _csrf: csrfOf(page.text), code }) };
  }

  async function fullLogin(email: string, password: string, secret: string) {
    const { b, answer } = await passwordStep(email, password);
    expect(answer.res.status).toBe(303);
    const { answer: done } = await codeStep(b, totpCode(secret));
    expect(done.res.status).toBe(303);
    return b;
  }

  const loginRecords = async (staffId: string) =>
    (await findAuditRecords(gateway.running.store, { kinds: ['login'] }))
      .map((r) => r.entry)
      .filter((e) => e.actor?.account === `staff:${staffId}`);

  it('ADMIN-STAFF-1: password then TOTP over HTTP opens the console; the cookie is HttpOnly, SameSite=Lax, Path=/admin; a used code is refused; each step is in the audit trail', async () => {
    const { staff, password, secret } = await account('functional-administrator');
    const { b, answer } = await passwordStep(staff.email, password, '/admin/console/?q=Jan');
    expect(answer.res.status).toBe(303);
    expect(answer.res.headers.get('location')).toBe(
      `/admin/console/login/code?next=${encodeURIComponent('/admin/console/?q=Jan')}`,
    );
    const cookie = b.lastSetCookies.find((c) => c.startsWith('inzage_staff='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/admin(;|$)/);
    expect(cookie).not.toMatch(/Secure/i); // http://127.0.0.1
    // Half logged in: no console yet, no API.
    expect((await b.get('/admin/console')).res.status).toBe(303);
    expect((await fetch(`${gateway.base}/admin/me`, { headers: { cookie: b.cookieHeader } })).status).toBe(
      401,
    );

    const code = totpCode(secret);
    const page = await b.get('/admin/console/login/code?next=%2Fadmin%2Fconsole%2F%3Fq%3DJan');
    const done = await b.post('/admin/console/login/code', {
      _csrf: csrfOf(page.text),
      code,
      next: '/admin/console/?q=Jan',
    });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get('location')).toBe('/admin/console/?q=Jan');
    const home = await b.get('/admin/console');
    expect(home.res.status).toBe(200);
    expect(home.text).toContain(staff.name);
    const me = await fetch(`${gateway.base}/admin/me`, { headers: { cookie: b.cookieHeader } });
    expect(await me.json()).toMatchObject({ staffId: staff.id, role: 'functional-administrator' });

    // The same code again, in a new login: refused (replay).
    const second = await passwordStep(staff.email, password);
    const replay = await codeStep(second.b, code);
    expect(replay.answer.res.status).toBe(401);
    expect(replay.answer.text).toContain('Deze code klopt niet');

    const records = await loginRecords(staff.id);
    expect(records.map((e) => [e.interaction, e.outcome])).toEqual(
      expect.arrayContaining([
        ['password', 'success'],
        ['second-factor', 'success'],
        ['second-factor', 'refused'],
      ]),
    );
    expect(records[0]!.actor).toMatchObject({
      role: 'functional-administrator',
      onBehalfOf: 'Organization/meerzicht',
    });
  });

  it('ADMIN-STAFF-2: a wrong password and an unknown e-mail address get the same answer', async () => {
    const { staff } = await account('support-desk');
    const wrong = await passwordStep(staff.email, 'not-the-password-at-all');
    const unknown = await passwordStep(`nobody-${process.pid}@example.org`, 'not-the-password-at-all');
    expect(wrong.answer.res.status).toBe(401);
    expect(unknown.answer.res.status).toBe(401);
    const message = (text: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(text)?.[1];
    expect(message(wrong.answer.text)).toBe('Het e-mailadres of het wachtwoord klopt niet.');
    expect(message(unknown.answer.text)).toBe(message(wrong.answer.text));
    expect(wrong.b.cookies.has('inzage_staff')).toBe(false);
    const records = await loginRecords(staff.id);
    expect(records).toEqual([
      expect.objectContaining({ interaction: 'password', outcome: 'refused', status: 401 }),
    ]);
  });

  it('ADMIN-STAFF-3: five wrong passwords lock the e-mail address (429, Dutch page, Retry-After), counted in the database; the right password then waits too', async () => {
    const { staff, password } = await account('privacy-officer');
    const b = new ConsoleBrowser(gateway.base);
    for (let i = 0; i < 4; i += 1) {
      const { answer } = await passwordStep(staff.email, `wrong-password-${i}-xx`, undefined, b);
      expect(answer.res.status).toBe(401);
    }
    const { answer: fifth } = await passwordStep(staff.email, 'wrong-password-5-xx', undefined, b);
    expect(fifth.res.status).toBe(429);
    expect(Number(fifth.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(fifth.text).toContain('Er is te vaak verkeerd ingelogd');
    const { answer: right } = await passwordStep(staff.email, password, undefined, b);
    expect(right.res.status).toBe(429);
    const [row] = await gateway.running.store.query<{ n: string }>(
      "SELECT count(*) AS n FROM login_throttle WHERE key LIKE 'staff-login-account:%' AND locked_until > now()",
    );
    expect(Number(row!.n)).toBeGreaterThanOrEqual(1);
  });

  it('ADMIN-STAFF-4: a blocked staff member is refused on the very next request, and cannot log in again', async () => {
    const admin = await staffLogin(gateway.running.store, 'functional-administrator');
    const { staff, password, secret } = await account('support-desk');
    const b = await fullLogin(staff.email, password, secret);
    expect((await b.get('/admin/console')).res.status).toBe(200);

    const blocked = await fetch(`${gateway.base}/admin/staff/${staff.id}/block`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': await admin.csrf(gateway.base),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'laptop gestolen' }),
    });
    expect(blocked.status).toBe(200);
    expect(await blocked.json()).toMatchObject({ staff: { blocked: true }, sessionsEnded: 1 });

    expect((await fetch(`${gateway.base}/admin/me`, { headers: { cookie: b.cookieHeader } })).status).toBe(
      401,
    );
    const page = await b.get('/admin/console');
    expect(page.res.status).toBe(303);
    expect(page.res.headers.get('location')).toMatch(/^\/admin\/console\/login/);
    const again = await passwordStep(staff.email, password);
    expect(again.answer.res.status).toBe(401);
    expect(again.answer.text).toContain('Het e-mailadres of het wachtwoord klopt niet.');

    const unblocked = await fetch(`${gateway.base}/admin/staff/${staff.id}/unblock`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': await admin.csrf(gateway.base),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'nieuwe laptop' }),
    });
    expect(unblocked.status).toBe(200);
    expect((await passwordStep(staff.email, password)).answer.res.status).toBe(303);
  });

  it('ADMIN-STAFF-5: logging out ends the session (the old cookie opens nothing)', async () => {
    const { staff, password, secret } = await account('privacy-officer');
    const b = await fullLogin(staff.email, password, secret);
    const home = await b.get('/admin/console');
    const cookie = b.cookieHeader;
    const out = await b.post('/admin/console/logout', { _csrf: csrfOf(home.text) });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get('location')).toBe('/admin/console/login');
    expect((await fetch(`${gateway.base}/admin/me`, { headers: { cookie } })).status).toBe(401);
    const records = await loginRecords(staff.id);
    expect(records.map((e) => e.interaction)).toContain('logout');
  });

  it('ADMIN-STAFF-6: ?next= goes only to a path under /admin/console (no open redirect)', async () => {
    expect(safeNext('/admin/console/clients/x?y=1')).toBe('/admin/console/clients/x?y=1');
    for (const bad of [
      'https://evil.example/admin/console',
      '//evil.example/admin/console',
      '/\\evil.example',
      '/admin/consolex',
      '/admin/../fhir',
      '/fhir/Patient',
      'javascript:alert(1)',
      '/admin/console/login/code',
      42,
    ])
      expect([bad, safeNext(bad)]).toEqual([bad, '/admin/console']);

    const { staff, password, secret } = await account('support-desk');
    const { b } = await passwordStep(staff.email, password, 'https://evil.example/');
    const page = await b.get('/admin/console/login/code?next=https%3A%2F%2Fevil.example%2F');
    const done = await b.post('/admin/console/login/code', {
      _csrf: csrfOf(page.text),
      code: totpCode(secret),
      next: 'https://evil.example/',
    });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get('location')).toBe('/admin/console');
  });

  it('ADMIN-STAFF-7: a login form without its CSRF token is refused, and so is a console POST without the session token', async () => {
    const { staff, password, secret } = await account('functional-administrator');
    const b = new ConsoleBrowser(gateway.base);
    await b.get('/admin/console/login');
    const forged = await b.post('/admin/console/login', { email: staff.email, password });
    expect(forged.res.status).toBe(403);
    expect(b.cookies.has('inzage_staff')).toBe(false);
    // Another browser's token does not fit this browser's pre-session cookie.
    const other = new ConsoleBrowser(gateway.base);
    const otherToken = csrfOf((await other.get('/admin/console/login')).text);
    expect(
      (await b.post('/admin/console/login', { _csrf: otherToken, email: staff.email, password })).res.status,
    ).toBe(403);

    const inside = await fullLogin(staff.email, password, secret);
    const cookie = inside.cookieHeader;
    const logout = await inside.post('/admin/console/logout', {});
    expect(logout.res.status).toBe(403);
    expect((await fetch(`${gateway.base}/admin/me`, { headers: { cookie } })).status).toBe(200);
    // The API: a change with the session but no X-CSRF-Token header.
    const create = await fetch(`${gateway.base}/admin/staff`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `x-${process.pid}@example.org`,
        name: 'X',
        role: 'support-desk',
        reason: 'test',
      }),
    });
    expect(create.status).toBe(403);
  });

  it('ADMIN-STAFF-8: createStaff gives a one-time enrolment link; the new member sets a password, enrols TOTP at the first login, and is in', async () => {
    const admin = await staffLogin(gateway.running.store, 'functional-administrator');
    const email = `nieuw-${process.pid}@example.org`;
    const created = await fetch(`${gateway.base}/admin/staff`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': await admin.csrf(gateway.base),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        email,
        name: 'Nieuwe Collega',
        role: 'support-desk',
        reason: 'nieuwe medewerker',
      }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as {
      staff: { id: string; hasPassword: boolean; createdBy: string };
      enrolmentUrl: string;
      enrolmentCode: string;
    };
    expect(body.staff).toMatchObject({ hasPassword: false, createdBy: `staff:${admin.staff.id}` });
    const [stored] = await gateway.running.store.query<{ enrolment_code_hash: string }>(
      'SELECT enrolment_code_hash FROM staff_account WHERE id = $1',
      [body.staff.id],
    );
    expect(stored!.enrolment_code_hash).not.toContain(body.enrolmentCode);

    const b = new ConsoleBrowser(gateway.base);
    const url = new URL(body.enrolmentUrl);
    const form = await b.get(`${url.pathname}${url.search}`);
    expect(form.res.status).toBe(200);
    const password = 'een-eigen-lang-wachtwoord';
    const weak = await b.post('/admin/console/enrol', {
      _csrf: csrfOf(form.text),
      code: body.enrolmentCode,
      password: 'kort',
      again: 'kort',
    });
    expect(weak.res.status).toBe(400);
    const set = await b.post('/admin/console/enrol', {
      _csrf: csrfOf(form.text),
      code: body.enrolmentCode,
      password,
      again: password,
    });
    expect(set.res.status).toBe(303);
    // The code worked once.
    const reuse = await b.post('/admin/console/enrol', {
      _csrf: csrfOf(form.text),
      code: body.enrolmentCode,
      password: 'nog-een-ander-wachtwoord',
      again: 'nog-een-ander-wachtwoord',
    });
    expect(reuse.res.status).toBe(400);

    const { answer } = await passwordStep(email, password, undefined, b);
    expect(answer.res.status).toBe(303);
    const enrol = await b.get('/admin/console/login/code');
    expect(enrol.text).toContain('Tweede factor instellen');
    const secret = /<dd><code>([A-Z2-7]{32})<\/code><\/dd>/.exec(enrol.text)![1]!;
    expect(enrol.text).toContain('otpauth://totp/');
    const wrongCode = await b.post('/admin/console/login/code', {
      _csrf: csrfOf(enrol.text),
      code: '000000',
    });
    expect(wrongCode.res.status).toBe(401);
    const done = await b.post('/admin/console/login/code', {
      _csrf: csrfOf(enrol.text),
      code: totpCode(secret),
    });
    expect(done.res.status).toBe(303);
    const me = await fetch(`${gateway.base}/admin/me`, { headers: { cookie: b.cookieHeader } });
    expect(await me.json()).toMatchObject({ staffId: body.staff.id, role: 'support-desk' });
    // The secret is stored sealed, not as shown.
    const [row] = await gateway.running.store.query<{ totp_secret: string }>(
      'SELECT totp_secret FROM staff_account WHERE id = $1',
      [body.staff.id],
    );
    expect(row!.totp_secret).toMatch(/^aes256gcm:/);
  });

  it('ADMIN-STAFF-9: createStaff, changeStaffRole and blockStaff are for the functional administrator: 403 for the support desk and the privacy officer; staff of another organisation are not found', async () => {
    const { staff: target } = await account('support-desk');
    for (const role of ['support-desk', 'privacy-officer'] as const) {
      const who = await staffLogin(gateway.running.store, role);
      const headers = {
        cookie: who.cookie,
        'x-csrf-token': await who.csrf(gateway.base),
        'content-type': 'application/json',
      };
      const create = await fetch(`${gateway.base}/admin/staff`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          email: `no-${role}@example.org`,
          name: 'Nee',
          role: 'functional-administrator',
          reason: 'poging',
        }),
      });
      expect([role, create.status]).toEqual([role, 403]);
      const block = await fetch(`${gateway.base}/admin/staff/${target.id}/block`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ reason: 'poging' }),
      });
      expect([role, block.status]).toEqual([role, 403]);
      const promote = await fetch(`${gateway.base}/admin/staff/${who.staff.id}/role`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ role: 'functional-administrator', reason: 'poging' }),
      });
      expect([role, promote.status]).toEqual([role, 403]);
      const list = await fetch(`${gateway.base}/admin/staff`, { headers: { cookie: who.cookie } });
      expect(list.status).toBe(200);
    }
    const admin = await staffLogin(gateway.running.store, 'functional-administrator');
    const headers = {
      cookie: admin.cookie,
      'x-csrf-token': await admin.csrf(gateway.base),
      'content-type': 'application/json',
    };
    const { staff: elsewhere } = await account('support-desk', { organisationId: 'amerhof' });
    const foreign = await fetch(`${gateway.base}/admin/staff/${elsewhere.id}/block`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'andere organisatie' }),
    });
    expect(foreign.status).toBe(404);
    const self = await fetch(`${gateway.base}/admin/staff/${admin.staff.id}/block`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'mijzelf' }),
    });
    expect(self.status).toBe(409);
    const role = await fetch(`${gateway.base}/admin/staff/${target.id}/role`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ role: 'privacy-officer', reason: 'andere taak' }),
    });
    expect(role.status).toBe(200);
    expect(await role.json()).toMatchObject({ staff: { role: 'privacy-officer' } });
    const list = (await (
      await fetch(`${gateway.base}/admin/staff`, { headers: { cookie: admin.cookie } })
    ).json()) as {
      staff: { id: string; organisationId: string }[];
    };
    expect(list.staff.every((s) => s.organisationId === 'meerzicht')).toBe(true);
    expect(list.staff.map((s) => s.id)).toContain(target.id);
    const records = (await findAuditRecords(gateway.running.store, { kinds: ['admin'] }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'createStaff' && e.outcome === 'refused');
    expect(records.length).toBeGreaterThanOrEqual(2);
  });
  it('ADMIN-STAFF-13: the staff page: the functional administrator adds a member (the enrolment link shown once) and blocks one; the support desk sees the list without forms', async () => {
    const { staff, password, secret } = await account('functional-administrator');
    const b = await fullLogin(staff.email, password, secret);
    const page = await b.get('/admin/console/staff');
    expect(page.res.status).toBe(200);
    expect(page.text).toContain('Medewerker toevoegen');
    const email = `pagina-${process.pid}@example.org`;
    const added = await b.post('/admin/console/staff', {
      _csrf: csrfOf(page.text),
      name: 'Via De Pagina',
      email,
      role: 'privacy-officer',
      reason: 'nieuwe privacy officer',
    });
    expect(added.res.status).toBe(201);
    expect(added.text).toMatch(/\/admin\/console\/enrol\?code=[A-Za-z0-9_-]+/);
    const list = await b.get('/admin/console/staff');
    expect(list.text).toContain('Via De Pagina');
    const newId = /action="\/admin\/console\/staff\/([^/"]+)\/block"/.exec(
      list.text.slice(list.text.indexOf('Via De Pagina')),
    )![1]!;
    const blocked = await b.post(`/admin/console/staff/${newId}/block`, {
      _csrf: csrfOf(list.text),
      reason: 'vertrokken',
    });
    expect(blocked.res.status).toBe(303);
    expect((await b.get('/admin/console/staff')).text).toContain('Geblokkeerd sinds');

    const desk = await account('support-desk');
    const d = await fullLogin(desk.staff.email, desk.password, desk.secret);
    const deskPage = await d.get('/admin/console/staff');
    expect(deskPage.res.status).toBe(200);
    expect(deskPage.text).toContain('Via De Pagina');
    expect(deskPage.text).not.toContain('Medewerker toevoegen');
    expect(deskPage.text).not.toContain('/block"');
    const forced = await d.post(`/admin/console/staff/${newId}/unblock`, {
      _csrf: csrfOf(deskPage.text),
      reason: 'toch maar',
    });
    expect(forced.res.status).toBe(403);
  });
});
