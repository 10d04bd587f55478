/**
 * SMART Backend Services (checklist §2.6, §2.7, B1–B9) against a running gateway, with openid-client
 * 6 as the real client and hand-signed assertions for the defects a real client never makes.
 */
import { AccessTokenVerifier } from '../../src/auth';
import type * as OpenIdClient from 'openid-client';
import { resolveConfig } from '../../src/config';
import { startGateway, type RunningGateway } from '../../src/commands';
import { createLogger } from '../../src/http';
import {
  assertion,
  backendClient,
  clientKey,
  discover,
  JWT_BEARER,
  JwksServer,
  tokenRequest,
  type ClientKey,
  type SmartEndpoints,
} from '../support/backend-clients';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
const SCOPES = 'system/Patient.rs system/Observation.rs';

describe('SMART Backend Services', () => {
  let gateway: RunningGateway;
  let endpoints: SmartEndpoints;
  let oidc: typeof OpenIdClient;
  const jwksServer = new JwksServer();
  let rs: ClientKey;
  let es: ClientKey;
  let stranger: ClientKey;
  let atUrl: ClientKey;

  beforeAll(async () => {
    oidc = await import('openid-client');
    [rs, es, stranger, atUrl] = await Promise.all([
      clientKey('RS384', 'rs-1'),
      clientKey('ES384', 'es-1'),
      clientKey('ES384', 'es-1'),
      clientKey('ES384', 'url-1'),
    ]);
    await jwksServer.start();
    jwksServer.keys = [atUrl.publicJwk];
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: ORGANISATIONS,
        smart: {
          clients: [
            {
              id: 'back',
              name: 'ECD',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: SCOPES,
              jwks: [rs.publicJwk, es.publicJwk] as never,
            },
            {
              id: 'back-url',
              name: 'ECD by URL',
              type: 'backend',
              organisation: 'amerhof',
              scopes: SCOPES,
              jwksUrl: jwksServer.url,
            },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      {},
    );
    gateway = await startGateway(config, { log: createLogger('silent'), readinessChecks: [] });
    endpoints = await discover(gateway.url);
  });

  afterAll(async () => {
    await gateway?.close();
    await jwksServer.close();
  });

  /** A valid request of client `back`, with the key and fields given. */
  async function request(key: ClientKey, fields: Record<string, string> = {}, clientId = 'back') {
    return tokenRequest(endpoints.token_endpoint, {
      grant_type: 'client_credentials',
      scope: 'system/Patient.rs',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion({ clientId, audience: endpoints.token_endpoint, key }),
      ...fields,
    });
  }

  it('SMART-B1: an unknown grant_type is refused with exactly 400 unsupported_grant_type', async () => {
    const res = await request(es, { grant_type: 'not_a_grant_type' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('SMART-B2/B3: an unknown client_assertion_type is refused (400 or 401)', async () => {
    const res = await request(es, { client_assertion_type: 'not_an_assertion_type' });
    expect([400, 401]).toContain(res.status);
    expect(['invalid_request', 'invalid_client']).toContain(res.body.error);
  });

  it.each(['RS384', 'ES384'] as const)(
    'SMART-B4/B5: openid-client gets a token with an %s assertion: bearer, ≤ 300 s, the scope, no refresh token',
    async (alg) => {
      const key = alg === 'RS384' ? rs : es;
      const tokens = await oidc.clientCredentialsGrant(backendClient(endpoints, 'back', key), {
        scope: 'system/Patient.rs',
      });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(typeof tokens.access_token).toBe('string');
      expect(tokens.expires_in).toBeGreaterThan(0);
      expect(tokens.expires_in).toBeLessThanOrEqual(300);
      expect(tokens.scope).toBe('system/Patient.rs');
      expect(tokens.refresh_token).toBeUndefined();
      const verified = await gatewayTokens().verify(tokens.access_token);
      expect(verified).toMatchObject({ clientId: 'back', kind: 'system', scopes: ['system/Patient.rs'] });
    },
  );

  it('SMART-B5: the token response has Cache-Control no-store', async () => {
    const res = await request(es);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('SMART-B6: a scope beyond the pre-authorisation is refused: 400 invalid_scope', async () => {
    const res = await request(es, { scope: 'system/Patient.rs system/Encounter.rs' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
    const none = await request(es, { scope: '' });
    expect(none.status).toBe(400);
  });

  it('SMART-B6: openid-client sees invalid_scope for a scope beyond the registration', async () => {
    await expect(
      oidc.clientCredentialsGrant(backendClient(endpoints, 'back', es), { scope: 'system/Encounter.rs' }),
    ).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('SMART-B7: aud may be the token endpoint or the issuer', async () => {
    for (const audience of [endpoints.token_endpoint, endpoints.issuer]) {
      const res = await tokenRequest(endpoints.token_endpoint, {
        grant_type: 'client_credentials',
        scope: 'system/Patient.rs',
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion({ clientId: 'back', audience, key: es }),
      });
      expect(res.status).toBe(200);
    }
  });

  describe('SMART-B7: every defect of the assertion is refused with invalid_client', () => {
    const defects: [string, () => Promise<Parameters<typeof assertion>[0]>][] = [
      ['a bad signature (an unregistered key with a registered kid)', async () => base({ key: stranger })],
      ['an unknown kid', async () => base({ header: { kid: 'nobody' } })],
      ['no kid', async () => base({ header: { kid: undefined } })],
      ['kty mismatch (ES384 naming the RSA key)', async () => base({ header: { kid: rs.kid } })],
      ['iss ≠ sub', async () => base({ claims: { sub: 'someone-else' } })],
      ['an unknown iss (and client_id)', async () => base({ clientId: 'nobody' })],
      ['aud another URL', async () => base({ audience: 'https://elsewhere.example/token' })],
      ['exp missing', async () => base({ claims: { exp: undefined } })],
      ['exp in the past (expired)', async () => base({ expiresIn: -120 })],
      ['exp more than five minutes (and the skew) ahead', async () => base({ expiresIn: 300 + 120 })],
      ['jti missing', async () => base({ claims: { jti: undefined } })],
      ['typ not JWT', async () => base({ header: { typ: 'at+jwt' } })],
      ['no typ', async () => base({ header: { typ: undefined } })],
      ['jku not the registered JWKS URL', async () => base({ header: { jku: 'https://evil.example/jwks' } })],
    ];
    function base(o: Partial<Parameters<typeof assertion>[0]>): Parameters<typeof assertion>[0] {
      return { clientId: 'back', audience: endpoints.token_endpoint, key: es, ...o };
    }
    it.each(defects)('%s', async (_name, make) => {
      const o = await make();
      const res = await tokenRequest(endpoints.token_endpoint, {
        grant_type: 'client_credentials',
        scope: 'system/Patient.rs',
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(o),
        ...(o.clientId === 'nobody' ? { client_id: 'nobody' } : {}),
      });
      expect([400, 401]).toContain(res.status);
      expect(res.body.error).toBe('invalid_client');
      expect(res.body.access_token).toBeUndefined();
    });

    it('alg none and HS256', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: 'back', sub: 'back', aud: endpoints.token_endpoint, exp: now + 300, jti: 'x1' };
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT', kid: es.kid })}.${b64(claims)}.`;
      const { SignJWT } = await import('jose');
      const hs = await new SignJWT({ ...claims, jti: 'x2' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: es.kid })
        .sign(new TextEncoder().encode('a shared secret of at least thirty-two bytes'));
      for (const client_assertion of [none, hs]) {
        const res = await tokenRequest(endpoints.token_endpoint, {
          grant_type: 'client_credentials',
          scope: 'system/Patient.rs',
          client_assertion_type: JWT_BEARER,
          client_assertion,
        });
        expect([400, 401]).toContain(res.status);
        expect(res.body.error).toBe('invalid_client');
      }
    });

    it('a replayed assertion (the same jti): the first gets a token, the second is refused', async () => {
      const replayed = await assertion(base({}));
      const fields = {
        grant_type: 'client_credentials',
        scope: 'system/Patient.rs',
        client_assertion_type: JWT_BEARER,
        client_assertion: replayed,
      };
      expect((await tokenRequest(endpoints.token_endpoint, fields)).status).toBe(200);
      const again = await tokenRequest(endpoints.token_endpoint, fields);
      expect(again.status).toBe(401);
      expect(again.body.error).toBe('invalid_client');
      // The jti is remembered in the store (oidc-provider's ReplayDetection), so every instance refuses it.
      const rows = await gateway.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM auth_model WHERE model = 'ReplayDetection'`,
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    });
  });

  describe('SMART-B8: a client registered by JWKS URL', () => {
    it('gets a token with the key at the URL, fetched with Accept: application/json', async () => {
      const tokens = await oidc.clientCredentialsGrant(backendClient(endpoints, 'back-url', atUrl), {
        scope: 'system/Observation.rs',
      });
      expect(tokens.scope).toBe('system/Observation.rs');
      expect(jwksServer.fetches).toBeGreaterThan(0);
    });

    it('a key rotated at the URL counts as soon as Cache-Control allows (max-age=0: the next second)', async () => {
      const rotated = await clientKey('RS384', 'url-2');
      jwksServer.cacheControl = 'max-age=0';
      jwksServer.keys = [rotated.publicJwk];
      // max-age=0 still keeps a fetched JWKS for one second (client-keys.ts: no refetch loop).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const tokens = await oidc.clientCredentialsGrant(backendClient(endpoints, 'back-url', rotated), {
        scope: 'system/Patient.rs',
      });
      expect(tokens.access_token).toBeDefined();
      // The retired key is gone from the URL, so it no longer verifies.
      await expect(
        oidc.clientCredentialsGrant(backendClient(endpoints, 'back-url', atUrl), {
          scope: 'system/Patient.rs',
        }),
      ).rejects.toMatchObject({ error: 'invalid_client' });
    });

    it('within a Cache-Control max-age the cached keys are used, without fetching again', async () => {
      const cached = await clientKey('ES384', 'url-3');
      jwksServer.cacheControl = 'max-age=3600';
      jwksServer.keys = [cached.publicJwk];
      await new Promise((resolve) => setTimeout(resolve, 1100));
      // The stale cache is refreshed on the unknown kid, and the answer may now be kept an hour.
      await oidc.clientCredentialsGrant(backendClient(endpoints, 'back-url', cached), {
        scope: 'system/Patient.rs',
      });
      const fetches = jwksServer.fetches;
      const later = await clientKey('ES384', 'url-4');
      jwksServer.keys = [later.publicJwk];
      await expect(
        oidc.clientCredentialsGrant(backendClient(endpoints, 'back-url', later), {
          scope: 'system/Patient.rs',
        }),
      ).rejects.toMatchObject({ error: 'invalid_client' });
      expect(jwksServer.fetches).toBe(fetches);
    });
  });

  it('SMART-B9: a system token is refused where a user token is needed (EHR launch: 403); no token: 401', async () => {
    const tokens = await oidc.clientCredentialsGrant(backendClient(endpoints, 'back', es), {
      scope: 'system/Patient.rs',
    });
    const launch = await fetch(`${gateway.url}/auth/launch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'app' }),
    });
    expect(launch.status).toBe(403);
    const anonymous = await fetch(`${gateway.url}/auth/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  function gatewayTokens(): AccessTokenVerifier {
    return new AccessTokenVerifier(gateway.store, endpoints.issuer, `${gateway.url}/fhir`);
  }
});
