import { findAuditRecords } from '../../src/audit';
import { currentTermsVersion, termsAnswersOf } from '../../src/auth';
import {
  freshEmail,
  startConformanceGateway,
  type ConformanceGateway,
  type Person,
} from '../smart/support/gateway';
import { authorize, codeFor, exchangePublic, tokenRequest } from '../smart/support/oauth';
import { staffLogin, type StaffLogin } from './support/staff';

const APP = 'terms-app';
const REDIRECT = 'http://127.0.0.1:7798/callback';
const SCOPES = 'openid fhirUser launch/patient offline_access patient/*.rs';

/**
 * Terms (issue 12, item 4; M-12, A-15): a version published over the admin API is what the very next
 * login asks for (the login pages read the published versions from the database, so every instance
 * does), tokens come only after accepting it, a refresh is refused until a login accepted it, and
 * declining ends access. The acceptance overview says who stands where.
 */
describe('admin: terms versions', () => {
  let gateway: ConformanceGateway;
  let admin: StaffLogin;
  let adminCsrf: string;

  beforeAll(async () => {
    gateway = await startConformanceGateway({
      clients: [{ id: APP, name: 'Terms app', type: 'public', redirectUris: [REDIRECT], scopes: SCOPES }],
    });
    admin = await staffLogin(gateway.running.store, 'functional-administrator', { name: 'Fenna Beheer' });
    adminCsrf = await admin.csrf(gateway.base);
  }, 120_000);
  afterAll(async () => gateway?.close());

  const call = async (
    login: StaffLogin,
    method: string,
    path: string,
    body?: Record<string, unknown>,
    csrf?: string,
  ) => {
    const res = await fetch(`${gateway.base}/admin${path}`, {
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

  const person = async (clientIndex: number, organisation = 'meerzicht'): Promise<Person> => {
    const client = gateway.data.exports.find((e) => e.organisation.id === organisation)!.clients[
      clientIndex
    ]!;
    return gateway.register(freshEmail('terms'), gateway.patientOf(client.id));
  };
  const login = async (who: Person) => {
    const got = await codeFor(gateway, who, { clientId: APP, redirectUri: REDIRECT, scope: SCOPES });
    const token = await exchangePublic(gateway, got, APP);
    expect(token.status).toBe(200);
    return { access: String(token.body.access_token), refresh: String(token.body.refresh_token) };
  };
  const refresh = (refreshToken: string) =>
    tokenRequest(gateway, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: APP });
  const answers = async (who: Person) =>
    (await termsAnswersOf(gateway.running.store, who.accountId)).map((a) => [a.termsVersion, a.accepted]);

  it('ADMIN-TERMS-1 (M-12, A-15): published over HTTP, the next login asks for the new version; refresh only after accepting it', async () => {
    const before = await person(0);
    const earlier = await login(before);
    expect(await answers(before)).toEqual([['2026-01', true]]);

    const published = await call(
      admin,
      'POST',
      '/terms',
      { version: '2026-07', summary: 'Nieuwe bewaartermijnen', reason: 'Jaarlijkse herziening' },
      adminCsrf,
    );
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({
      version: '2026-07',
      inEffect: true,
      current: true,
      publishedBy: `staff:${admin.staff.id}`,
    });

    // The session from before: no new tokens by refresh until a login accepts the new version.
    const refused = await refresh(earlier.refresh);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');

    // The very next login asks for 2026-07, and the token comes after the acceptance.
    const again = await login(before);
    expect(await answers(before)).toEqual([
      ['2026-01', true],
      ['2026-07', true],
    ]);
    const renewed = await refresh(again.refresh);
    expect(renewed.status).toBe(200);

    const list = await call(admin, 'GET', '/terms');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ current: '2026-07', configured: '2026-01' });
    expect(list.body.versions.map((v: { version: string }) => v.version)).toEqual(['2026-07']);

    // Recorded with the staff member, the role and the reason.
    const records = (await findAuditRecords(gateway.running.store, { kinds: ['admin'] }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'publishTerms');
    expect(records).toEqual([
      expect.objectContaining({
        action: 'C',
        outcome: 'success',
        status: 201,
        actor: expect.objectContaining({ role: 'functional-administrator', name: 'Fenna Beheer' }),
        detail: expect.objectContaining({ reason: 'Jaarlijkse herziening' }),
      }),
    ]);
  }, 60_000);

  it('ADMIN-TERMS-2 (M-12): whoever declines the new version gets no token, and their earlier refresh ends', async () => {
    const decliner = await person(1);
    // Their first login is under the version in effect now (2026-07, published by ADMIN-TERMS-1).
    const first = await login(decliner);
    const outcome = await authorize(gateway, { ...decliner, acceptTerms: false } as Person, {
      clientId: APP,
      redirectUri: REDIRECT,
      scope: SCOPES,
    });
    expect(outcome.redirect?.searchParams.get('error')).toBe('access_denied');
    expect(outcome.redirect?.searchParams.get('code')).toBeNull();
    expect(await answers(decliner)).toEqual([
      ['2026-07', true],
      ['2026-07', false],
    ]);
    expect((await refresh(first.refresh)).status).toBe(400);
  }, 60_000);

  it('ADMIN-TERMS-3 (A-15): a scheduled version takes effect at its moment; re-publishing, out of order or in the past: refused', async () => {
    const amerhof = await staffLogin(gateway.running.store, 'functional-administrator', {
      organisationId: 'amerhof',
    });
    const csrf = await amerhof.csrf(gateway.base);
    const from = new Date(Date.now() + 24 * 3600_000);
    const scheduled = await call(
      amerhof,
      'POST',
      '/terms',
      { version: '2027-01', effectiveFrom: from.toISOString(), summary: 'Nieuw', reason: 'Herziening' },
      csrf,
    );
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toMatchObject({ version: '2027-01', inEffect: false, current: false });

    // Until then the configured version holds: the login asks for it.
    const who = await person(0, 'amerhof');
    await login(who);
    expect(await answers(who)).toEqual([['2026-01', true]]);
    expect((await call(amerhof, 'GET', '/terms')).body.current).toBe('2026-01');
    // From its moment on, it is the version in effect (the clock injected, not waited for).
    const store = gateway.running.store;
    expect(await currentTermsVersion(store, 'amerhof', new Date(from.getTime() - 1000), '2026-01')).toBe(
      '2026-01',
    );
    expect(await currentTermsVersion(store, 'amerhof', from, '2026-01')).toBe('2027-01');
    // Meerzicht's version is not Amerhof's.
    expect(await currentTermsVersion(store, 'meerzicht', from, '2026-01')).toBe('2026-07');

    const twice = await call(
      amerhof,
      'POST',
      '/terms',
      { version: '2027-01', summary: 'Nog eens', reason: 'Herziening' },
      csrf,
    );
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('ERR_TERMS_PUBLISHED');
    const earlier = await call(
      amerhof,
      'POST',
      '/terms',
      { version: '2026-12', summary: 'Tussendoor', reason: 'Herziening' },
      csrf,
    );
    expect(earlier.status).toBe(409);
    expect(earlier.body.error).toBe('ERR_TERMS_ORDER');
    const past = await call(
      amerhof,
      'POST',
      '/terms',
      {
        version: '2027-02',
        effectiveFrom: new Date(Date.now() - 5 * 60_000).toISOString(),
        summary: 'Terug in de tijd',
        reason: 'Herziening',
      },
      csrf,
    );
    expect(past.status).toBe(400);
    expect(past.body.error).toBe('ERR_TERMS_EFFECTIVE');
  }, 60_000);

  it('ADMIN-TERMS-4: the acceptance overview: accepted, declined, not answered; readers read, only the administrator publishes', async () => {
    const silent = await person(2); // registered, never logged in under 2026-07
    const reviewer = await staffLogin(gateway.running.store, 'privacy-officer');
    const overview = await call(reviewer, 'GET', '/terms/acceptances');
    expect(overview.status).toBe(200);
    expect(overview.body.current).toBe('2026-07');
    const byPatient = (p: string) =>
      overview.body.links.filter((l: { patientId: string }) => `Patient/${l.patientId}` === p);
    const client = (i: number) =>
      gateway.patientOf(gateway.data.exports.find((e) => e.organisation.id === 'meerzicht')!.clients[i]!.id);
    expect(byPatient(client(0))).toEqual([
      expect.objectContaining({
        standing: 'accepted',
        lastAccepted: expect.objectContaining({ version: '2026-07' }),
      }),
    ]);
    expect(byPatient(client(1))).toEqual([
      expect.objectContaining({
        standing: 'declined',
        lastAnswer: expect.objectContaining({ version: '2026-07', accepted: false }),
        lastAccepted: expect.objectContaining({ version: '2026-07' }),
      }),
    ]);
    expect(byPatient(silent.patient)).toEqual([
      expect.objectContaining({ standing: 'not-answered', linkId: silent.linkId }),
    ]);
    expect(overview.body.counts).toMatchObject({ accepted: 1, declined: 1, 'not-answered': 1 });
    // Amerhof's links are not Meerzicht's to see.
    expect(overview.body.links.every((l: { patientId: string }) => l.patientId.startsWith('meerzicht'))).toBe(
      true,
    );

    const declined = await call(reviewer, 'GET', '/terms/acceptances?standing=declined');
    expect(declined.body.links).toHaveLength(1);

    for (const role of ['privacy-officer', 'support-desk'] as const) {
      const other = await staffLogin(gateway.running.store, role);
      const refused = await call(
        other,
        'POST',
        '/terms',
        { version: `2028-${role}`, summary: 'Niet mijn taak', reason: 'Probeersel' },
        await other.csrf(gateway.base),
      );
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('ERR_ADMIN_ROLE');
    }
  }, 60_000);

  it('ADMIN-TERMS-5: the console page shows the versions, the overview, and the publish form to the administrator only', async () => {
    const page = await fetch(`${gateway.base}/admin/console/terms`, { headers: { cookie: admin.cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Voorwaarden');
    expect(text).toContain('2026-07');
    expect(text).toContain('action="/admin/console/terms"');
    const reviewer = await staffLogin(gateway.running.store, 'privacy-officer');
    const read = await (
      await fetch(`${gateway.base}/admin/console/terms?lang=en`, { headers: { cookie: reviewer.cookie } })
    ).text();
    expect(read).toContain('Terms');
    expect(read).not.toContain('action="/admin/console/terms"');

    // Publishing through the form: a scheduled version, then the page says so.
    const form = new URLSearchParams({
      _csrf: adminCsrf,
      version: '2099-01',
      effectiveFrom: '2099-01-01T00:00',
      summary: 'Ver vooruit',
      reason: 'Planning',
    });
    const posted = await fetch(`${gateway.base}/admin/console/terms`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const after = await (
      await fetch(`${gateway.base}/admin/console/terms`, { headers: { cookie: admin.cookie } })
    ).text();
    expect(after).toContain('2099-01');
  }, 60_000);
});
