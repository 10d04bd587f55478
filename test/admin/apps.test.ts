import { findAuditRecords } from '../../src/audit';
import { freshEmail, type Person } from '../smart/support/gateway';
import { basic, codeFor, exchangePublic, tokenRequest } from '../smart/support/oauth';
import { startFhirApi, type FhirApiUnderTest } from '../fhir/support/api';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { staffLogin, type StaffLogin } from './support/staff';

/** Portal apps registered at run time over the admin API (issue 12, item 7). */
describe('portal apps', () => {
  let api: FhirApiUnderTest;
  let admin: StaffLogin;
  let csrf: string;
  let key: ClientKey;

  const APP_ORIGIN = 'http://127.0.0.1:7801';
  const APP_REDIRECT = `${APP_ORIGIN}/callback`;
  const SCOPES = 'openid fhirUser launch/patient offline_access patient/*.rs';

  beforeAll(async () => {
    key = await clientKey('ES384', 'apps-backend');
    api = await startFhirApi({ clients: 12 });
    admin = await staffLogin(api.gateway.running.store, 'functional-administrator', { name: 'Fenna Beheer' });
    csrf = await admin.csrf(api.gateway.base);
  }, 180_000);
  afterAll(async () => api?.close());

  const base = () => api.gateway.base;

  async function call(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    login: StaffLogin = admin,
    token = csrf,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of any shape
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base()}/admin${path}`, {
      method,
      headers: {
        cookie: login.cookie,
        'x-csrf-token': token,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function person(): Promise<Person> {
    const clientId = api.data.scenarios.elderlyCare[0]!;
    return api.gateway.register(freshEmail('apps'), api.gateway.patientOf(clientId));
  }

  const register = (fields: Record<string, unknown>) =>
    call('POST', '/apps', { reason: 'vendor contract 2026-12', ...fields });

  let publicToken: string;
  let publicRefresh: string;

  it('ADMIN-APPS-1: a public app registered over the admin API does a real SMART App Launch and reads /fhir with CORS for its origin', async () => {
    const made = await register({
      id: 'vendor-public',
      name: 'Vendor portal',
      type: 'public',
      redirectUris: [APP_REDIRECT],
      scopes: SCOPES,
    });
    expect(made.status).toBe(201);
    expect(made.body.clientSecret).toBeUndefined();
    expect(made.body.app).toMatchObject({
      id: 'vendor-public',
      type: 'public',
      source: 'registered',
      status: 'enabled',
      organisation: 'meerzicht',
      origins: [APP_ORIGIN],
      hasSecret: false,
    });

    const who = await person();
    const got = await codeFor(api.gateway, who, {
      clientId: 'vendor-public',
      redirectUri: APP_REDIRECT,
      scope: SCOPES,
    });
    const token = await exchangePublic(api.gateway, got, 'vendor-public', {}, { origin: APP_ORIGIN });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(String(token.body.scope).split(' ')).toEqual(
      expect.arrayContaining(['patient/*.rs', 'launch/patient']),
    );
    publicToken = String(token.body.access_token);
    publicRefresh = String(token.body.refresh_token);

    const read = await api.fhir(publicToken, `/Patient/${String(token.body.patient)}`, {
      headers: { origin: APP_ORIGIN },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const preflight = await fetch(`${api.fhirBase}/Patient`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const stranger = await api.fhir(publicToken, `/Patient/${String(token.body.patient)}`, {
      headers: { origin: 'http://127.0.0.1:7802' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  }, 60_000);

  it('ADMIN-APPS-2: a confidential-symmetric app: the secret of the answer works at the token endpoint, only its hash is stored, and it is in no other answer or record; rotated, the old one is refused', async () => {
    const made = await register({
      id: 'vendor-server',
      name: 'Vendor server app',
      type: 'confidential-symmetric',
      redirectUris: ['https://vendor.example.org/callback'],
      scopes: SCOPES,
    });
    expect(made.status).toBe(201);
    const secret = String(made.body.clientSecret);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(made.body.warning).toMatch(/once/);
    expect(made.body.app.hasSecret).toBe(true);

    const [row] = await api.gateway.running.store.query<{ secret_hash: string; metadata: unknown }>(
      'SELECT secret_hash, metadata FROM smart_client WHERE id = $1',
      ['vendor-server'],
    );
    expect(row!.secret_hash).toMatch(/^scrypt\$/);
    expect(row!.secret_hash).not.toContain(secret);
    expect(JSON.stringify(row!.metadata)).not.toContain(secret);

    const who = await person();
    const got = await codeFor(api.gateway, who, {
      clientId: 'vendor-server',
      redirectUri: 'https://vendor.example.org/callback',
      scope: SCOPES,
    });
    const exchange = (secretText: string) =>
      tokenRequest(
        api.gateway,
        {
          grant_type: 'authorization_code',
          code: got.code,
          redirect_uri: got.redirectUri,
          code_verifier: got.pkce.verifier,
        },
        basic('vendor-server', secretText),
      );
    expect((await exchange('not-the-secret')).status).toBe(401);
    const token = await exchange(secret);
    expect(token.status).toBe(200);
    const refresh = String(token.body.refresh_token);

    const shown = JSON.stringify([
      (await call('GET', '/apps/vendor-server')).body,
      (await call('GET', '/apps')).body,
    ]);
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(row!.secret_hash);
    expect(shown).not.toContain('scrypt$');

    const rotated = await call('POST', '/apps/vendor-server/secret', { reason: 'the vendor lost it' });
    expect(rotated.status).toBe(200);
    const fresh = String(rotated.body.clientSecret);
    expect(fresh).not.toBe(secret);
    const refreshWith = (secretText: string, refreshToken: string) =>
      tokenRequest(
        api.gateway,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        basic('vendor-server', secretText),
      );
    const old = await refreshWith(secret, refresh);
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_client');
    expect((await refreshWith(fresh, refresh)).status).toBe(200);

    const records = (await findAuditRecords(api.gateway.running.store, { kinds: ['admin'] })).map(
      (r) => r.entry,
    );
    const ours = records.filter((e) => ['registerApp', 'rotateAppSecret'].includes(String(e.interaction)));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    expect(ours[0]).toMatchObject({
      actor: { role: 'functional-administrator' },
      detail: { reason: 'vendor contract 2026-12' },
    });
    const recorded = JSON.stringify(records);
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain(fresh);
    expect(recorded).not.toContain('scrypt$');
  }, 60_000);

  it('ADMIN-APPS-3: a disabled app is refused at once: its access token by /fhir, its refresh token, a new authorization; enabled again, the old tokens stay revoked', async () => {
    const path = `/Patient?_count=1`;
    expect((await api.fhir(publicToken, path)).status).toBe(200);
    const disabled = await call('POST', '/apps/vendor-public/disable', { reason: 'contract ended' });
    expect(disabled.status).toBe(200);
    expect(disabled.body.app.status).toBe('disabled');
    expect(disabled.body.revokedTokens).toBeGreaterThan(0);

    const read = await api.fhir(publicToken, path);
    expect(read.status).toBe(401);
    const refreshed = await tokenRequest(api.gateway, {
      grant_type: 'refresh_token',
      refresh_token: publicRefresh,
      client_id: 'vendor-public',
    });
    expect(refreshed.status).toBeGreaterThanOrEqual(400);
    expect(refreshed.body.error).toBe('invalid_client');
    const authorize = await fetch(
      `${api.gateway.discovery.authorization_endpoint}?${new URLSearchParams({
        response_type: 'code',
        client_id: 'vendor-public',
        redirect_uri: APP_REDIRECT,
        scope: SCOPES,
        state: 'x',
        aud: api.fhirBase,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString()}`,
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(400);
    expect(await authorize.text()).toContain('invalid_client');
    const preflight = await fetch(`${api.fhirBase}/Patient`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const enabled = await call('POST', '/apps/vendor-public/enable', { reason: 'contract renewed' });
    expect(enabled.status).toBe(200);
    expect(enabled.body.status).toBe('enabled');
    expect((await api.fhir(publicToken, path)).status).toBe(401);
  }, 60_000);

  it('ADMIN-APPS-4: a registration the rules refuse is 400 naming the field; a configured or taken id is 409', async () => {
    const portal = {
      name: 'X',
      type: 'public',
      redirectUris: ['https://x.example.org/cb'],
      scopes: 'openid patient/*.rs',
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ redirectUris: ['http://x.example.org/cb'] }, 'redirectUris[0]'],
      [{ redirectUris: ['https://x.example.org/cb#here'] }, 'redirectUris[0]'],
      [{ redirectUris: ['/relative'] }, 'redirectUris[0]'],
      [{ redirectUris: [] }, 'redirectUris'],
      [{ scopes: 'openid patient/*.frobnicate' }, 'scopes'],
      [{ scopes: 'system/*.rs' }, 'scopes'],
      [{ type: 'backend', redirectUris: [] }, 'jwks'],
      [
        { type: 'confidential-asymmetric', jwks: { keys: [{ ...key.publicJwk, d: 'secret' }] } },
        'jwks.keys[0]',
      ],
      [{ type: 'public', jwksUrl: 'https://x.example.org/jwks' }, 'jwks'],
      [{ type: 'sideways' }, 'type'],
      [{ id: 'no spaces allowed' }, 'id'],
    ];
    for (const [change, field] of cases) {
      const res = await register({ ...portal, ...change });
      expect([res.status, change]).toEqual([400, change]);
      expect(res.body.message).toContain(field);
    }
    const noReason = await call('POST', '/apps', portal);
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toContain('reason');
    expect((await register({ ...portal, id: 'portal-app' })).status).toBe(409);
    expect((await register({ ...portal, id: 'vendor-public' })).status).toBe(409);
    const update = await call('PATCH', '/apps/vendor-public', {
      redirectUris: ['ftp://x/cb'],
      reason: 'typo',
    });
    expect(update.status).toBe(400);
    expect(update.body.message).toContain('redirectUris[0]');
    expect((await call('PATCH', '/apps/portal-app', { name: 'Renamed', reason: 'typo' })).status).toBe(409);
  });

  it('ADMIN-APPS-5: the support desk may not see or change apps; the privacy officer only reads; another organisation sees none of ours', async () => {
    const store = api.gateway.running.store;
    const desk = await staffLogin(store, 'support-desk');
    const deskCsrf = await desk.csrf(base());
    expect((await call('GET', '/apps', undefined, desk, deskCsrf)).status).toBe(403);
    const deskRegister = await call(
      'POST',
      '/apps',
      { name: 'X', type: 'public', redirectUris: [APP_REDIRECT], scopes: 'openid', reason: 'try' },
      desk,
      deskCsrf,
    );
    expect(deskRegister.status).toBe(403);
    expect(deskRegister.body.error).toBe('ERR_ADMIN_ROLE');
    expect(
      (await call('POST', '/apps/vendor-public/disable', { reason: 'try' }, desk, deskCsrf)).status,
    ).toBe(403);

    const officer = await staffLogin(store, 'privacy-officer');
    const officerCsrf = await officer.csrf(base());
    expect((await call('GET', '/apps/vendor-public', undefined, officer, officerCsrf)).status).toBe(200);
    expect(
      (await call('POST', '/apps/vendor-public/disable', { reason: 'try' }, officer, officerCsrf)).status,
    ).toBe(403);

    const other = await staffLogin(store, 'functional-administrator', { organisationId: 'amerhof' });
    const otherCsrf = await other.csrf(base());
    expect((await call('GET', '/apps/vendor-public', undefined, other, otherCsrf)).status).toBe(404);
    expect(
      (await call('POST', '/apps/vendor-public/disable', { reason: 'try' }, other, otherCsrf)).status,
    ).toBe(404);
    const listed = await call('GET', '/apps', undefined, other, otherCsrf);
    expect(listed.body.apps.map((a: { id: string }) => a.id)).not.toContain('vendor-public');
    expect(listed.body.apps.map((a: { id: string }) => a.id)).toContain('portal-app');
  });

  it('ADMIN-APPS-6: a registered backend client of the organisation gets a Backend Services token and is a system caller of the admin API', async () => {
    const made = await register({
      id: 'meerzicht-ecd',
      name: 'Meerzicht ECD',
      type: 'backend',
      scopes: 'system/Patient.rs',
      jwks: { keys: [key.publicJwk] },
    });
    expect(made.status).toBe(201);
    expect(made.body.app.organisation).toBe('meerzicht');
    const token = await backendToken(base(), 'meerzicht-ecd', key, 'system/Patient.rs');
    const me = await fetch(`${base()}/admin/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      kind: 'system',
      clientId: 'meerzicht-ecd',
      organisationId: 'meerzicht',
    });

    await call('POST', '/apps/meerzicht-ecd/disable', { reason: 'replaced' });
    const after = await fetch(`${base()}/admin/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    await expect(backendToken(base(), 'meerzicht-ecd', key, 'system/Patient.rs')).rejects.toThrow(
      /invalid_client/,
    );
  });
});
