/**
 * Conformance, the authorization code flow as HTTP requests (checklist §3.2 A1–A2, T1–T4, O1, O4–O5;
 * §3.3 N1–N5; §3.4's negatives, here SMART-X…): what Inferno and the (g)(10) kit ask, and what the IG
 * and RFC 6749 require that no kit automates.
 */
import { createPublicKey, verify } from 'node:crypto';
import { AccessTokenVerifier, createTotpSecret, setTotpSecret } from '../../src/auth';
import { LINK_CODE_SECRET, freshEmail } from './support/gateway';
import { Browser, locationOf } from './support/browser';
import { SYM_SECRET } from './support/clients';
import { assertionFields } from './support/keys';
import {
  authorize,
  authorizeParams,
  authorizeUrl,
  basic,
  claimsOf,
  codeFor,
  exchangePublic,
  headerOf,
  pkce,
  tokenRequest,
  type AuthorizeRequest,
} from './support/oauth';
import { startSuite, type Suite } from './support/suite';

const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

describe('the authorization code flow', () => {
  let suite: Suite;
  let pub: (change?: Partial<AuthorizeRequest>) => AuthorizeRequest;
  let sym: (change?: Partial<AuthorizeRequest>) => AuthorizeRequest;

  beforeAll(async () => {
    suite = await startSuite();
    pub = (change = {}) => ({
      clientId: 'pub',
      redirectUri: suite.app.redirectUri('pub'),
      scope: SCOPE,
      ...change,
    });
    sym = (change = {}) => ({
      clientId: 'sym',
      redirectUri: suite.app.redirectUri('sym'),
      scope: SCOPE,
      ...change,
    });
  });
  afterAll(async () => {
    await suite?.close();
  });

  const symExchange = (
    got: Awaited<ReturnType<typeof codeFor>>,
    override: Record<string, string | undefined> = {},
  ) => exchangePublic(suite.gw, got, 'sym', { client_id: undefined, ...override }, basic('sym', SYM_SECRET));

  describe('a standalone launch of the public client', () => {
    it('SMART-A1: GET authorize, login: 302 to the redirect URI with code and the same state', async () => {
      const outcome = await authorize(suite.gw, suite.client, pub({ state: 'state-a1' }));
      expect(outcome.status).toBe(303);
      expect(outcome.redirect!.href.startsWith(`${suite.app.redirectUri('pub')}?`)).toBe(true);
      expect(outcome.redirect!.searchParams.get('code')).toEqual(expect.stringMatching(/.+/));
      expect(outcome.redirect!.searchParams.get('state')).toBe('state-a1');
      expect(outcome.redirect!.searchParams.get('error')).toBeNull();
    });

    it('SMART-A1 (second factor): an account with TOTP logs in with its code and gets a code', async () => {
      const person = await suite.gw.register(freshEmail('totp'), suite.client.patient);
      const totpSecret = createTotpSecret();
      await setTotpSecret(suite.gw.running.store, person.accountId, totpSecret, LINK_CODE_SECRET);
      const got = await codeFor(suite.gw, { ...person, totpSecret }, pub({ state: 'state-totp' }));
      expect(got.state).toBe('state-totp');
      expect((await exchangePublic(suite.gw, got, 'pub')).status).toBe(200);
    });

    it('SMART-A1 (wrong password): no code, and the gateway stays on its login page', async () => {
      const outcome = await authorize(suite.gw, { ...suite.client, password: 'not the password' }, pub());
      expect(outcome.redirect).toBeUndefined();
      expect(outcome.status).toBe(401);
    });

    it('SMART-A2: POST authorize (form) works the same (authorize-post)', async () => {
      const got = await codeFor(suite.gw, suite.client, pub({ state: 'state-a2' }), { method: 'POST' });
      expect(got.state).toBe('state-a2');
      expect((await exchangePublic(suite.gw, got, 'pub')).status).toBe(200);
    });

    describe('and its token exchange', () => {
      let answer: Awaited<ReturnType<typeof exchangePublic>>;
      beforeAll(async () => {
        const got = await codeFor(suite.gw, suite.client, pub());
        answer = await exchangePublic(suite.gw, got, 'pub', {}, { origin: suite.app.base });
      });

      it('SMART-T1: the exchange with client_id, code_verifier and Origin is 200 JSON', () => {
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      });

      it('SMART-T2: access_token, bearer, expires_in, the scopes asked, patient, id_token, refresh_token', () => {
        const b = answer.body;
        expect(b.access_token).toEqual(expect.stringMatching(/.+/));
        expect(String(b.token_type).toLowerCase()).toBe('bearer');
        expect(b.expires_in).toEqual(expect.any(Number));
        expect(b.expires_in as number).toBeLessThanOrEqual(3600);
        expect(String(b.scope).split(' ').sort()).toEqual(SCOPE.split(' ').sort());
        expect(b.refresh_token).toEqual(expect.any(String));
        expect(b.patient).toBe(suite.client.patient.slice('Patient/'.length));
        expect(b.id_token).toEqual(expect.any(String));
        expect(b.fhirContext).toBeUndefined();
      });

      it('SMART-T3: Cache-Control no-store and Pragma no-cache', () => {
        expect(answer.headers.get('cache-control')).toMatch(/no-store/);
        expect(answer.headers.get('pragma')).toMatch(/no-cache/);
      });

      it("SMART-T4: CORS for the public app's registered origin", () => {
        expect([suite.app.base, '*']).toContain(answer.headers.get('access-control-allow-origin'));
      });

      it('SMART-O1: the id_token is a compact JWS with a JSON header and payload', () => {
        const idToken = String(answer.body.id_token);
        expect(idToken.split('.')).toHaveLength(3);
        expect(headerOf(idToken)).toEqual(expect.any(Object));
        expect(claimsOf(idToken)).toEqual(expect.any(Object));
      });

      it('SMART-O4, O5: RS256 with a kid of the JWKS; signature, iss, aud, exp, iat, sub; fhirUser', async () => {
        const idToken = String(answer.body.id_token);
        const header = headerOf(idToken);
        expect(header.alg).toBe('RS256');
        const { keys } = (await (await fetch(suite.gw.discovery.jwks_uri)).json()) as {
          keys: { kid: string; kty: string }[];
        };
        const key = keys.find((k) => k.kid === header.kid);
        expect(key?.kty).toBe('RSA');
        const [h, p, s] = idToken.split('.') as [string, string, string];
        const good = verify(
          'sha256',
          Buffer.from(`${h}.${p}`),
          createPublicKey({ key: key as never, format: 'jwk' }),
          Buffer.from(s, 'base64url'),
        );
        expect(good).toBe(true);
        const claims = claimsOf(idToken);
        const now = Math.floor(Date.now() / 1000);
        expect(claims.iss).toBe(suite.gw.discovery.issuer);
        expect(claims.aud).toBe('pub');
        expect(claims.exp as number).toBeGreaterThan(now - 60);
        expect(claims.iat).toEqual(expect.any(Number));
        expect(String(claims.sub).length).toBeGreaterThanOrEqual(1);
        expect(String(claims.sub).length).toBeLessThanOrEqual(255);
        expect(claims.fhirUser).toBe(suite.client.person);
      });
    });
  });

  it('SMART-T1s: the symmetric client exchanges with Basic and no client_id', async () => {
    const got = await codeFor(suite.gw, suite.client, sym());
    const answer = await symExchange(got);
    expect(answer.status).toBe(200);
    expect(answer.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
  });

  it.each(['RS384', 'ES384'] as const)(
    'SMART-T1a: the asymmetric client exchanges with a %s client assertion',
    async (alg) => {
      const got = await codeFor(suite.gw, suite.client, {
        ...pub(),
        clientId: 'asym',
        redirectUri: suite.app.redirectUri('asym'),
      });
      const key = alg === 'RS384' ? suite.clients.rsKey : suite.clients.esKey;
      const answer = await exchangePublic(suite.gw, got, 'asym', {
        client_id: undefined,
        ...assertionFields(key, 'asym', suite.gw.discovery.token_endpoint),
      });
      expect(answer.status).toBe(200);
    },
  );

  describe('PKCE at the token endpoint (N1)', () => {
    it.each([
      ['N1a', 'no code_verifier', () => undefined],
      ['N1b', 'a blank code_verifier', () => ''],
      ['N1c', 'a wrong code_verifier', () => pkce().verifier],
      ['N1d', 'the challenge as verifier', (challenge: string) => challenge],
    ])('SMART-%s: %s is refused (400/401)', async (_id, _what, verifier) => {
      const got = await codeFor(suite.gw, suite.client, sym());
      const answer = await symExchange(got, { code_verifier: verifier(got.pkce.challenge) });
      expect([400, 401]).toContain(answer.status);
      expect(answer.body.access_token).toBeUndefined();
    });
  });

  it('SMART-N2: code=BAD_CODE is 400', async () => {
    const got = await codeFor(suite.gw, suite.client, sym());
    const answer = await symExchange(got, { code: 'BAD_CODE' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('SMART-N3: a real code with client_id=BAD_CLIENT_ID, or Basic BAD_CLIENT_ID, is 400/401', async () => {
    const got = await codeFor(suite.gw, suite.client, sym());
    const asPublic = await exchangePublic(suite.gw, got, 'BAD_CLIENT_ID');
    expect([400, 401]).toContain(asPublic.status);
    const asBasic = await exchangePublic(
      suite.gw,
      got,
      'x',
      { client_id: undefined },
      basic('BAD_CLIENT_ID', SYM_SECRET),
    );
    expect([400, 401]).toContain(asBasic.status);
    expect(asBasic.body.error).toBe('invalid_client');
  });

  describe('authorize requests refused (N4, §3.4)', () => {
    /** An authorize request's immediate answer, no login. */
    const ask = (req: AuthorizeRequest, change: Record<string, string | undefined> = {}) => {
      const url = new URL(suite.gw.discovery.authorization_endpoint);
      const params = authorizeParams(suite.gw, { ...req, params: { ...req.params, ...change } });
      url.search = params.toString();
      return new Browser().go(url.href);
    };

    /** Expects an error redirect to the app: the error, and the state when one was sent. */
    async function expectErrorRedirect(res: Response, error: string, state?: string): Promise<void> {
      expect([302, 303]).toContain(res.status);
      const to = new URL(locationOf(res, suite.gw.base)!);
      expect(`${to.origin}${to.pathname}`).toBe(suite.app.redirectUri('pub'));
      expect(to.searchParams.get('error')).toBe(error);
      expect(to.searchParams.get('code')).toBeNull();
      if (state !== undefined) expect(to.searchParams.get('state')).toBe(state);
    }

    it('SMART-N4: aud of another server: an error redirect, no code', async () => {
      await expectErrorRedirect(
        await ask(pub({ state: 's-n4' }), { aud: 'https://inferno.healthit.gov/invalid_aud' }),
        'invalid_request',
        's-n4',
      );
    });

    it('SMART-X12: no aud at all: an error redirect, no code', async () => {
      await expectErrorRedirect(
        await ask(pub({ state: 's-x12' }), { aud: undefined }),
        'invalid_request',
        's-x12',
      );
    });

    it('SMART-X1: an unknown client_id is 400 with no redirect', async () => {
      const res = await ask(pub({ clientId: 'no-such-app' }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it.each([
      ['an unregistered redirect_uri', () => 'https://evil.example/cb'],
      ['an extra path segment', () => `${suite.app.redirectUri('pub')}/more`],
      ['an extra query', () => `${suite.app.redirectUri('pub')}?x=1`],
      [
        'another port',
        () => suite.app.redirectUri('pub').replace(/:(\d+)\//, (_m, p: string) => `:${Number(p) + 1}/`),
      ],
      ['another scheme', () => suite.app.redirectUri('pub').replace('http:', 'https:')],
      ['a trailing slash', () => `${suite.app.redirectUri('pub')}/`],
    ])('SMART-X2: %s is 400 with no redirect', async (_what, uri) => {
      const res = await ask(pub({ redirectUri: uri() }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it('SMART-X4: code_challenge_method=plain: invalid_request, no code', async () => {
      const proof = pkce();
      await expectErrorRedirect(
        await ask(pub({ state: 's-x4' }), { code_challenge: proof.verifier, code_challenge_method: 'plain' }),
        'invalid_request',
        's-x4',
      );
    });

    it('SMART-X5: no code_challenge: invalid_request, no code', async () => {
      await expectErrorRedirect(
        await ask(pub({ state: 's-x5' }), { code_challenge: undefined, code_challenge_method: undefined }),
        'invalid_request',
        's-x5',
      );
    });

    it('SMART-X6: no state (SMART requires it of apps; the gateway enforces it): invalid_request', async () => {
      await expectErrorRedirect(await ask(pub(), { state: undefined }), 'invalid_request');
    });

    it('SMART-X7: response_type=token: unsupported_response_type, no token', async () => {
      const res = await ask(pub({ state: 's-x7' }), { response_type: 'token' });
      expect([302, 303]).toContain(res.status);
      const to = new URL(locationOf(res, suite.gw.base)!);
      expect(to.searchParams.get('error') ?? new URLSearchParams(to.hash.slice(1)).get('error')).toBe(
        'unsupported_response_type',
      );
      expect(to.href).not.toMatch(/access_token/);
    });
  });

  describe('code exchanges refused (§3.4)', () => {
    it('SMART-X8: a redirect_uri other than the one authorized: invalid_grant', async () => {
      const got = await codeFor(suite.gw, suite.client, pub());
      const answer = await exchangePublic(suite.gw, got, 'pub', {
        redirect_uri: suite.app.redirectUri('sym'),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
    });

    it('SMART-X9: a reused code is invalid_grant; the first access token and its refresh token die with it', async () => {
      const got = await codeFor(suite.gw, suite.client, pub());
      const first = await exchangePublic(suite.gw, got, 'pub');
      expect(first.status).toBe(200);
      const verifier = new AccessTokenVerifier(
        suite.gw.running.store,
        suite.gw.discovery.issuer,
        suite.gw.fhirBase,
      );
      await expect(verifier.verify(String(first.body.access_token))).resolves.toMatchObject({
        clientId: 'pub',
      });

      const again = await exchangePublic(suite.gw, got, 'pub');
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
      await expect(verifier.verify(String(first.body.access_token))).rejects.toMatchObject({ status: 401 });
      const refresh = await tokenRequest(suite.gw, {
        grant_type: 'refresh_token',
        refresh_token: String(first.body.refresh_token),
        client_id: 'pub',
      });
      expect(refresh.status).toBe(400);
      expect(refresh.body.error).toBe('invalid_grant');
    });

    it('SMART-X11: a code issued to PUB exchanged by SYM: invalid_grant', async () => {
      const got = await codeFor(suite.gw, suite.client, pub());
      const answer = await symExchange(got, { redirect_uri: got.redirectUri });
      expect(answer.status).toBe(400);
      expect(['invalid_grant', 'invalid_client']).toContain(answer.body.error);
      // And the code is still PUB's (the failed attempt did not consume it for the wrong client).
      expect((await exchangePublic(suite.gw, got, 'pub')).status).toBe(200);
    });

    it('SMART-X13: a JSON body at the token endpoint is invalid_request', async () => {
      const got = await codeFor(suite.gw, suite.client, pub());
      const answer = await exchangePublic(suite.gw, got, 'pub', {}, { 'content-type': 'application/json' });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_request');
    });
  });

  it('SMART-A1 (URL): the authorize URL the suite builds is the IG example, parameter for parameter', () => {
    const url = new URL(authorizeUrl(suite.gw, pub({ state: 'x' })));
    expect([...url.searchParams.keys()].sort()).toEqual(
      [
        'aud',
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ].sort(),
    );
  });
});
