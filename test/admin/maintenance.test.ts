import { findAuditRecords } from '../../src/audit';
import {
  startFhirApi,
  PORTAL_APP,
  PORTAL_ORIGIN,
  PORTAL_REDIRECT,
  PORTAL_SCOPES,
  type FhirApiUnderTest,
} from '../fhir/support/api';
import { freshEmail } from '../smart/support/gateway';
import { authorizeUrl, codeFor, exchangePublic, tokenRequest } from '../smart/support/oauth';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { staffLogin, type StaffLogin } from './support/staff';

/**
 * Maintenance mode (issue 12 item 6; M-8, A-12) over HTTP, on one gateway: what closes, what answers
 * how, what stays open, and that a scheduled window starts and ends by itself.
 */
describe('maintenance mode', () => {
  let api: FhirApiUnderTest;
  let key: ClientKey;
  let admin: StaffLogin;
  let adminCsrf: string;
  let token: string;
  let patientId: string;
  let family: string;

  beforeAll(async () => {
    key = await clientKey('ES384', 'maintenance');
    api = await startFhirApi({
      apps: [
        {
          id: 'care-system',
          name: 'care-system',
          type: 'backend',
          organisation: 'meerzicht',
          scopes: 'system/Patient.rs',
          jwks: [key.publicJwk] as never,
        },
      ],
    });
    admin = await staffLogin(api.gateway.running.store, 'functional-administrator', { name: 'Fenna Beheer' });
    adminCsrf = await admin.csrf(api.gateway.base);
    const clientId = api.data.scenarios.elderlyCare[0]!;
    const login = await api.login(api.gateway.patientOf(clientId));
    token = login.accessToken;
    patientId = login.patientId;
    family = api.data.exports.flatMap((e) => e.clients).find((c) => c.id === clientId)!.name.family;
  }, 120_000);
  afterAll(async () => api?.close());

  const base = () => api.gateway.base;

  async function call(
    who: StaffLogin,
    csrf: string | undefined,
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base()}/admin${path}`, {
      method,
      headers: {
        cookie: who.cookie,
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json() };
  }

  const start = (body: Record<string, unknown>) => call(admin, adminCsrf, 'POST', '/maintenance', body);
  const end = () => call(admin, adminCsrf, 'POST', '/maintenance/end', { reason: 'maintenance done' });

  afterEach(async () => {
    await end();
  });

  it('ADMIN-MAINT-1 (M-8, A-12): started, /fhir answers 503 with an OperationOutcome and Retry-After and no data; ended, reads work again', async () => {
    const before = await api.fhir(token, `/Patient/${patientId}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain(family);

    const until = new Date(Date.now() + 2 * 3600_000);
    const started = await start({
      until: until.toISOString(),
      messageNl: 'Wij werken aan het portaal.',
      messageEn: 'We are working on the portal.',
      reason: 'database upgrade',
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      phase: 'active',
      window: { until: until.toISOString(), reason: 'database upgrade', setBy: { name: 'Fenna Beheer' } },
    });

    for (const path of [
      `/Patient/${patientId}`,
      `/Observation?patient=Patient/${patientId}&_count=5`,
      `/Patient/${patientId}/$everything`,
      '/',
    ]) {
      const answer = await api.fhir(token, path, { headers: { origin: PORTAL_ORIGIN } });
      expect([path, answer.status]).toEqual([path, 503]);
      expect(answer.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      expect(answer.body).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'transient' }],
      });
      expect(answer.body.issue[0].details.text).toContain('maintenance');
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(7000);
      expect(retryAfter).toBeLessThanOrEqual(7200);
      // A browser app can read the answer (and its Retry-After).
      expect(answer.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
      expect(answer.headers.get('access-control-expose-headers')).toContain('Retry-After');
      expect(answer.text).not.toContain(family);
      expect(answer.text).not.toContain('"Patient"');
    }
    // Express routes without regard to case, and so does the guard.
    const shouted = await api.fhir(token, `/../FHIR/Patient/${patientId}`);
    expect(shouted.status).toBe(503);
    expect(shouted.text).not.toContain(family);
    // A write (the request channel) is closed as well, and so is a request without a token.
    const write = await api.fhir(token, '/Task', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Task' }),
    });
    expect(write.status).toBe(503);
    expect((await api.fhir(undefined, `/Patient/${patientId}`)).status).toBe(503);

    const ended = await end();
    expect(ended.body).toMatchObject({ phase: 'off', ended: true });
    const after = await api.fhir(token, `/Patient/${patientId}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ resourceType: 'Patient', id: patientId });
  });

  it('ADMIN-MAINT-2: the CapabilityStatement, SMART discovery and CORS preflights stay up during maintenance', async () => {
    await start({ reason: 'security update' });
    const metadata = await api.fhir(undefined, '/metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    const discovery = await api.fhir(undefined, '/.well-known/smart-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.body.authorization_endpoint).toEqual(expect.any(String));
    const preflight = await fetch(`${api.fhirBase}/Patient/${patientId}`, {
      method: 'OPTIONS',
      headers: { origin: PORTAL_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
  });

  it('ADMIN-MAINT-3 (M-8): the login answers a page in Dutch (English on request) with 503 and Retry-After', async () => {
    const until = new Date(Date.now() + 30 * 60_000);
    await start({ until: until.toISOString(), messageNl: 'Onderhoud aan de server.', reason: 'server move' });
    const url = authorizeUrl(api.gateway, {
      clientId: PORTAL_APP,
      redirectUri: PORTAL_REDIRECT,
      scope: PORTAL_SCOPES,
    });
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(1700);
    const text = await page.text();
    expect(text).toContain('<html lang="nl">');
    expect(text).toContain('Tijdelijk niet beschikbaar');
    expect(text).toContain('wegens onderhoud');
    expect(text).toContain('Verwacht weer beschikbaar');
    expect(text).toContain('Onderhoud aan de server.');
    expect(text).toContain('&amp;lang=en" lang="en"');
    // The Dutch message shown on the English page says it is Dutch.
    const english = await fetch(`${url}&lang=en`, { redirect: 'manual' });
    expect(english.status).toBe(503);
    const englishText = await english.text();
    expect(englishText).toContain('<html lang="en">');
    expect(englishText).toContain('temporarily unavailable for maintenance');
    expect(englishText).toContain('lang="nl">Onderhoud aan de server.');
    // An interaction under way, its forms and federated login: the same page.
    for (const path of [
      '/auth/interaction/abc',
      '/auth/interaction/abc/login',
      '/auth/federation/x/callback',
      '/AUTH/Authorize',
    ]) {
      const res = await fetch(`${base()}${path}`, {
        method: path.endsWith('login') ? 'POST' : 'GET',
        redirect: 'manual',
      });
      expect([path, res.status]).toEqual([path, 503]);
      expect(await res.text()).toContain('Tijdelijk niet beschikbaar');
    }
  });

  it('ADMIN-MAINT-4: the token endpoint answers 503 temporarily_unavailable for user tokens; a code got before still works after', async () => {
    const person = await api.gateway.register(
      freshEmail('maint'),
      api.gateway.patientOf(api.data.scenarios.elderlyCare[1]!),
    );
    const got = await codeFor(api.gateway, person, {
      clientId: PORTAL_APP,
      redirectUri: PORTAL_REDIRECT,
      scope: PORTAL_SCOPES,
    });
    await start({ reason: 'token keys rotation' });
    const refused = await exchangePublic(api.gateway, got, PORTAL_APP);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const refresh = await tokenRequest(api.gateway, {
      grant_type: 'refresh_token',
      refresh_token: 'anything',
      client_id: PORTAL_APP,
    });
    expect(refresh.status).toBe(503);
    const shouted = await fetch(`${base()}/AUTH/Token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: PORTAL_APP,
      }).toString(),
    });
    expect(shouted.status).toBe(503);
    // Client credentials stay: the ECD push and the organisation's systems at /admin keep working.
    const system = await backendToken(base(), 'care-system', key, 'system/Patient.rs');
    expect(system).toEqual(expect.any(String));
    await end();
    const exchanged = await exchangePublic(api.gateway, got, PORTAL_APP);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.access_token).toEqual(expect.any(String));
  });

  it('ADMIN-MAINT-5: /admin (API and console), /healthz and /readyz stay up during maintenance', async () => {
    await start({ reason: 'upgrade' });
    const state = await call(admin, undefined, 'GET', '/maintenance');
    expect(state).toMatchObject({ status: 200, body: { phase: 'active', retryAfterSeconds: 600 } });
    const consolePage = await fetch(`${base()}/admin/console/maintenance`, {
      headers: { cookie: admin.cookie },
    });
    expect(consolePage.status).toBe(200);
    const html = await consolePage.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('Aan: het portaal is niet beschikbaar');
    expect(html).toContain('Onderhoud beëindigen');
    expect(html).toContain('/admin/console/maintenance');
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    // The ECD push and the authorization server's key and token housekeeping stay open ...
    const push = await fetch(`${base()}/ecd/sync`, { method: 'POST' });
    expect(push.status).toBe(401);
    expect((await fetch(`${base()}/auth/jwks`)).status).toBe(200);
    const revoke = await fetch(`${base()}/auth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'x', client_id: PORTAL_APP }).toString(),
    });
    expect(revoke.status).not.toBe(503);
    // ... and what a user's token would start elsewhere is closed.
    for (const path of ['/auth/userinfo', '/auth/launch']) {
      const res = await fetch(`${base()}${path}`, {
        method: path.endsWith('launch') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}` },
      });
      expect([path, res.status]).toEqual([path, 503]);
      expect(await res.json()).toMatchObject({ error: 'ERR_MAINTENANCE' });
    }
    // Ended through the console's form.
    const form = await fetch(`${base()}/admin/console/maintenance/end`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: adminCsrf, reason: 'done through the console' }).toString(),
    });
    expect(form.status).toBe(303);
    expect((await api.fhir(token, `/Patient/${patientId}`)).status).toBe(200);
  });

  it('ADMIN-MAINT-6: a scheduled window starts at `from` and ends at `until` by itself', async () => {
    const from = new Date(Date.now() + 700);
    const until = new Date(from.getTime() + 900);
    const scheduled = await start({
      from: from.toISOString(),
      until: until.toISOString(),
      reason: 'planned upgrade',
    });
    expect(scheduled.body).toMatchObject({ phase: 'scheduled', window: { from: from.toISOString() } });
    // Ahead of the window (unless this machine is very slow) the portal still serves.
    if (Date.now() < from.getTime() - 100)
      expect((await api.fhir(token, `/Patient/${patientId}`)).status).toBe(200);
    await sleepUntil(from.getTime() + 20);
    const during = await api.fhir(token, `/Patient/${patientId}`);
    if (Date.now() < until.getTime()) {
      expect(during.status).toBe(503);
      expect(Number(during.headers.get('retry-after'))).toBeLessThanOrEqual(1);
    }
    await sleepUntil(until.getTime() + 20);
    expect((await api.fhir(token, `/Patient/${patientId}`)).status).toBe(200);
    expect((await call(admin, undefined, 'GET', '/maintenance')).body).toMatchObject({ phase: 'over' });
  });

  it('ADMIN-MAINT-7: staff schedule from the console in Dutch time; a window in the past is refused', async () => {
    const res = await fetch(`${base()}/admin/console/maintenance/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: adminCsrf,
        from: '2099-07-01T22:00',
        until: '2099-07-02T01:30',
        messageNl: 'Gepland onderhoud',
        reason: 'yearly upgrade',
      }).toString(),
    });
    expect(res.status).toBe(303);
    const state = await call(admin, undefined, 'GET', '/maintenance');
    // Summer time in Amsterdam: UTC+2.
    expect(state.body).toMatchObject({
      phase: 'scheduled',
      window: {
        from: '2099-07-01T20:00:00.000Z',
        until: '2099-07-01T23:30:00.000Z',
        message: { nl: 'Gepland onderhoud' },
      },
    });
    const page = await (
      await fetch(`${base()}/admin/console/maintenance`, { headers: { cookie: admin.cookie } })
    ).text();
    expect(page).toContain('Ingepland');
    expect((await api.fhir(token, `/Patient/${patientId}`)).status).toBe(200);
    const past = await start({ until: new Date(Date.now() - 1000).toISOString(), reason: 'oops' });
    expect(past).toMatchObject({ status: 400, body: { error: 'ERR_MAINTENANCE_WINDOW' } });
  });

  it('ADMIN-MAINT-8: the support desk and the privacy officer may read but not start or end it (403); every change is recorded with reason', async () => {
    for (const role of ['support-desk', 'privacy-officer'] as const) {
      const who = await staffLogin(api.gateway.running.store, role);
      const csrf = await who.csrf(base());
      expect((await call(who, undefined, 'GET', '/maintenance')).status).toBe(200);
      const refused = await call(who, csrf, 'POST', '/maintenance', { reason: 'let me try' });
      expect([role, refused.status, refused.body.error]).toEqual([role, 403, 'ERR_ADMIN_ROLE']);
      const notEnded = await call(who, csrf, 'POST', '/maintenance/end', { reason: 'let me try' });
      expect([role, notEnded.status]).toEqual([role, 403]);
      const page = await (
        await fetch(`${base()}/admin/console/maintenance`, { headers: { cookie: who.cookie } })
      ).text();
      expect(page).not.toContain('Onderhoud nu starten');
    }
    expect((await api.fhir(token, `/Patient/${patientId}`)).status).toBe(200);
    const withoutReason = await start({});
    expect(withoutReason.status).toBe(400);
    await start({ reason: 'recorded start' });
    await end();
    const records = (await findAuditRecords(api.gateway.running.store, { kinds: ['admin'] }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'startMaintenance' || e.interaction === 'endMaintenance');
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          interaction: 'startMaintenance',
          outcome: 'success',
          action: 'U',
          actor: expect.objectContaining({ name: 'Fenna Beheer', role: 'functional-administrator' }),
          detail: expect.objectContaining({ reason: 'recorded start', channel: 'api' }),
        }),
        expect.objectContaining({ interaction: 'startMaintenance', outcome: 'refused', status: 403 }),
        expect.objectContaining({ interaction: 'endMaintenance', outcome: 'success' }),
      ]),
    );
  });
});

async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
