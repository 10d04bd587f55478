/**
 * Token introspection and revocation (checklist §2.8, I1–I6, N14) against a running gateway, with
 * openid-client 6 as the introspecting and revoking client. The user token comes from a whole code
 * flow of a confidential app (login with a registered account), as in code-flow-smoke.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import {
  AccessTokenVerifier,
  AccountSecret,
  activeJwks,
  hashPassword,
  issueLinkCode,
  registerAccount,
} from '../../src/auth';
import type * as OpenIdClient from 'openid-client';
import { resolveConfig } from '../../src/config';
import { importEcdExport, patientId, readEcdJsonStream } from '../../src/ecd';
import { startGateway, type RunningGateway } from '../../src/commands';
import { createLogger } from '../../src/http';
import { generateSandboxData } from '../../src/sandbox';
import {
  backendClient,
  clientKey,
  discover,
  type ClientKey,
  type SmartEndpoints,
} from '../support/backend-clients';
import { Browser } from './support/browser';
import { loginThroughForms } from './support/login';
import { CapturedMessages } from './support/messages';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
const SECRET = AccountSecret.fromText('a link code secret of at least thirty-two bytes');
const PASSWORD = 'correct horse battery staple';
const APP_SECRET = 'the confidential app secret, long enough';
const REDIRECT = 'http://127.0.0.1:7777/cb';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const MOBILE = '+31612345678';
const messages = new CapturedMessages();

interface UserTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  scope: string;
  expires_in: number;
  patient: string;
  need_patient_banner: boolean;
}

describe('SMART token introspection and revocation', () => {
  let gateway: RunningGateway;
  let endpoints: SmartEndpoints;
  let oidc: typeof OpenIdClient;
  let introKey: ClientKey;
  let backKey: ClientKey;
  let patient: string;

  beforeAll(async () => {
    oidc = await import('openid-client');
    [introKey, backKey] = await Promise.all([clientKey('ES384', 'intro-1'), clientKey('RS384', 'back-1')]);
    const data = generateSandboxData({ clients: 10, seed: 1 });
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: ORGANISATIONS,
        smart: {
          clients: [
            {
              id: 'conf',
              name: 'Confidential app',
              type: 'confidential',
              redirectUris: [REDIRECT],
              scopes: SCOPE,
              secretHash: await hashPassword(APP_SECRET),
            },
            {
              id: 'intro',
              name: 'Introspector',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: 'system/introspect',
              jwks: [introKey.publicJwk] as never,
            },
            {
              id: 'back',
              name: 'ECD',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: 'system/Patient.rs',
              jwks: [backKey.publicJwk] as never,
            },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      {},
    );
    gateway = await startGateway(config, {
      log: createLogger('silent'),
      readinessChecks: [],
      messageSender: messages,
      accountSecret: SECRET,
    });
    endpoints = await discover(gateway.url);
    for (const exp of data.exports) {
      await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(exp)], 'x.json'), {
        organisations: ORGANISATIONS,
        source: 'test',
      });
    }
    const exp = data.exports[0]!;
    patient = `Patient/${patientId(exp.organisation.id, exp.clients[0]!.id)}`;
    const code = await issueLinkCode(
      gateway.store,
      {
        binding: {
          organisationId: exp.organisation.id,
          patient: patient as `Patient/${string}`,
          person: patient as `Patient/${string}`,
        },
        issuedBy: { kind: 'system', id: 'test' } as never,
        at: new Date(),
      },
      SECRET,
    );
    await gateway.store.transaction(async (tx) => {
      const made = await registerAccount(
        tx,
        {
          linkCode: code.code,
          email: 'client@example.org',
          mobile: MOBILE,
          password: PASSWORD,
          at: new Date(),
        },
        SECRET,
      );
      // As if registered through the pages: the address and number verified by code.
      await tx.query(
        'UPDATE account SET email_verified_at = now(), mobile_verified_at = now() WHERE id = $1',
        [made.account.id],
      );
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const confClient = () => {
    const config = new oidc.Configuration(
      endpoints as OpenIdClient.ServerMetadata,
      'conf',
      {},
      oidc.ClientSecretBasic(APP_SECRET),
    );
    oidc.allowInsecureRequests(config);
    return config;
  };
  const introClient = () => backendClient(endpoints, 'intro', introKey);
  const verifier = () => new AccessTokenVerifier(gateway.store, endpoints.issuer, `${gateway.url}/fhir`);

  /** A whole code flow of the confidential app; its token response. */
  async function userTokens(): Promise<UserTokens> {
    const verifierValue = randomBytes(32).toString('base64url');
    const browser = new Browser();
    const authorize = new URL(`${endpoints.issuer}/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'conf',
      redirect_uri: REDIRECT,
      scope: SCOPE,
      state: 'state-1',
      aud: `${gateway.url}/fhir`,
      code_challenge: createHash('sha256').update(verifierValue).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const outcome = await loginThroughForms(
      browser,
      authorize.href,
      { email: 'client@example.org', password: PASSWORD, smsCode: () => messages.latestCode(MOBILE) },
      gateway.url,
    );
    const code = outcome.redirect!.searchParams.get('code')!;
    const token = await fetch(endpoints.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`conf:${APP_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifierValue,
      }).toString(),
    });
    expect(token.status).toBe(200);
    return (await token.json()) as UserTokens;
  }

  async function systemToken(clientId: string, key: ClientKey, scope: string): Promise<string> {
    const tokens = await oidc.clientCredentialsGrant(backendClient(endpoints, clientId, key), { scope });
    return tokens.access_token;
  }

  async function introspectWithBearer(bearer: string | undefined, token: string): Promise<Response> {
    return fetch(endpoints.introspection_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: new URLSearchParams({ token }).toString(),
    });
  }

  it("SMART-I1/I3: an active user token introspects with the token response's scope set and launch context", async () => {
    const tokens = await userTokens();
    const idToken = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    for (const config of [confClient(), introClient()]) {
      const answer = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(answer.active).toBe(true);
      expect(answer.client_id).toBe('conf');
      expect(String(answer.scope).split(' ').sort()).toEqual(tokens.scope.split(' ').sort());
      expect(Number.isInteger(answer.exp)).toBe(true);
      expect(answer.exp! - answer.iat!).toBe(tokens.expires_in);
      expect(answer.patient).toBe(tokens.patient);
      expect(answer.need_patient_banner).toBe(tokens.need_patient_banner);
      expect(answer.iss).toBe(idToken.iss);
      expect(answer.sub).toBe(idToken.sub);
      expect(answer.fhirUser).toBe(idToken.fhirUser);
      expect(answer.fhirUser).toBe(patient);
    }
  });

  it('SMART-I2/I4: an unknown token is 200 and exactly {"active": false}', async () => {
    const res = await fetch(endpoints.introspection_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`conf:${APP_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: 'invalid_token_value' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ active: false });
  });

  it('SMART-I4: a forged JWT, and an expired one signed with our own key, are exactly {"active": false}', async () => {
    const tokens = await userTokens();
    const claims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0]!, 'base64url').toString()) as {
      kid: string;
    };
    const stranger = await clientKey('ES384', header.kid);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES384', typ: 'at+jwt', kid: header.kid })
      .sign(stranger.privateKey);
    const ours = (await activeJwks(gateway.store)).keys.find((k) => k.kid === header.kid)!;
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 900, exp: now - 600 })
      .setProtectedHeader({ alg: 'ES384', typ: 'at+jwt', kid: header.kid })
      .sign(await importJWK(ours, 'ES384'));
    for (const token of [forged, expired]) {
      expect(await oidc.tokenIntrospection(confClient(), token)).toEqual({ active: false });
      const res = await introspectWithBearer(
        await systemToken('intro', introKey, 'system/introspect'),
        token,
      );
      expect(await res.json()).toEqual({ active: false });
    }
  });

  it('SMART-I5: no authentication is 401 with a Bearer challenge; a token without system/introspect is 403', async () => {
    const tokens = await userTokens();
    const anonymous = await introspectWithBearer(undefined, tokens.access_token);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    // A public client cannot authenticate: client_id alone is no authentication either.
    const publicLike = await fetch(endpoints.introspection_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, client_id: 'conf' }).toString(),
    });
    expect(publicLike.status).toBe(401);

    const withoutScope = await introspectWithBearer(tokens.access_token, tokens.access_token);
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.headers.get('www-authenticate')).toContain('insufficient_scope');
    const systemWithoutScope = await introspectWithBearer(
      await systemToken('back', backKey, 'system/Patient.rs'),
      tokens.access_token,
    );
    expect(systemWithoutScope.status).toBe(403);
    const badBearer = await introspectWithBearer('not-a-token', tokens.access_token);
    expect(badBearer.status).toBe(401);
  });

  it('SMART-I5: a Bearer token with system/introspect may introspect any token, a backend token too', async () => {
    const bearer = await systemToken('intro', introKey, 'system/introspect');
    const tokens = await userTokens();
    const res = await introspectWithBearer(bearer, tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const user = (await res.json()) as Record<string, unknown>;
    expect(user).toMatchObject({
      active: true,
      client_id: 'conf',
      patient: tokens.patient,
      fhirUser: patient,
    });
    expect(String(user.scope).split(' ').sort()).toEqual(tokens.scope.split(' ').sort());
    // The same fields as oidc-provider's own introspection gives the app.
    const own = await oidc.tokenIntrospection(confClient(), tokens.access_token);
    for (const field of ['active', 'client_id', 'exp', 'iat', 'sub', 'iss', 'scope', 'patient', 'fhirUser'])
      expect(user[field]).toEqual(own[field]);

    const backend = await systemToken('back', backKey, 'system/Patient.rs');
    const system = (await (await introspectWithBearer(bearer, backend)).json()) as Record<string, unknown>;
    expect(system).toMatchObject({ active: true, client_id: 'back', scope: 'system/Patient.rs' });
  });

  it('SMART-I5: a client without system/introspect sees only its own tokens', async () => {
    const backend = await systemToken('back', backKey, 'system/Patient.rs');
    expect(await oidc.tokenIntrospection(confClient(), backend)).toEqual({ active: false });
    expect((await oidc.tokenIntrospection(introClient(), backend)).active).toBe(true);
  });

  it('SMART-I6b: one verifier that has checked a token before still refuses it at once when revoked, and past its expiry', async () => {
    const one = verifier();
    const tokens = await userTokens();
    const checked = await one.verify(tokens.access_token);
    await expect(one.verify(tokens.access_token)).resolves.toMatchObject({ clientId: 'conf' });
    await expect(
      one.verify(tokens.access_token, new Date(checked.expiresAt.getTime() + 1000)),
    ).rejects.toMatchObject({ status: 401 });
    await oidc.tokenRevocation(confClient(), tokens.access_token);
    await expect(one.verify(tokens.access_token)).rejects.toMatchObject({ status: 401 });
  });

  it('SMART-I6/N14: a revoked access token is inactive, AccessTokenVerifier refuses it at once, and its refresh token is gone', async () => {
    const tokens = await userTokens();
    await expect(verifier().verify(tokens.access_token)).resolves.toMatchObject({ clientId: 'conf' });
    await oidc.tokenRevocation(confClient(), tokens.access_token);
    await expect(verifier().verify(tokens.access_token)).rejects.toMatchObject({ status: 401 });
    expect(await oidc.tokenIntrospection(confClient(), tokens.access_token)).toEqual({ active: false });
    await expect(oidc.refreshTokenGrant(confClient(), tokens.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('SMART-I6/N14: revoking the refresh token ends the grant: refresh refused, its access token refused', async () => {
    const tokens = await userTokens();
    expect((await oidc.tokenIntrospection(confClient(), tokens.refresh_token)).active).toBe(true);
    await oidc.tokenRevocation(confClient(), tokens.refresh_token, { token_type_hint: 'refresh_token' });
    expect(await oidc.tokenIntrospection(confClient(), tokens.refresh_token)).toEqual({ active: false });
    await expect(oidc.refreshTokenGrant(confClient(), tokens.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(verifier().verify(tokens.access_token)).rejects.toMatchObject({ status: 401 });
  });

  it('SMART-I6: a refreshed-away refresh token is inactive; the new one is active', async () => {
    const tokens = await userTokens();
    const refreshed = await oidc.refreshTokenGrant(confClient(), tokens.refresh_token);
    expect(await oidc.tokenIntrospection(confClient(), tokens.refresh_token)).toEqual({ active: false });
    expect((await oidc.tokenIntrospection(confClient(), refreshed.refresh_token!)).active).toBe(true);
    expect((await oidc.tokenIntrospection(confClient(), refreshed.access_token)).active).toBe(true);
  });

  it('SMART-I6: a revoked Backend Services token is refused by AccessTokenVerifier; a forged JWT revokes nothing', async () => {
    const backend = await systemToken('back', backKey, 'system/Patient.rs');
    const config = backendClient(endpoints, 'back', backKey);
    await oidc.tokenRevocation(config, 'eyJhbGciOiJFUzM4NCJ9.e30.AAAA');
    await expect(verifier().verify(backend)).resolves.toMatchObject({ kind: 'system' });
    await oidc.tokenRevocation(config, backend);
    await expect(verifier().verify(backend)).rejects.toMatchObject({ status: 401 });
  });
});
