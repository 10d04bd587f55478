/**
 * Conformance, refresh (checklist §3.2 R1–R7, §3.3 N5, §3.4 reused refresh tokens): refresh tokens
 * are bound to their client, rotate on every use, and a used one coming back ends the whole grant.
 */
import { AccessTokenVerifier } from '../../src/auth';
import { SYM_SECRET } from './support/clients';
import { assertionFields } from './support/keys';
import { basic, codeFor, exchangePublic, scopesOf, tokenRequest, type TokenAnswer } from './support/oauth';
import { startSuite, type Suite } from './support/suite';

const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

describe('refresh tokens', () => {
  let suite: Suite;
  let verifier: AccessTokenVerifier;

  beforeAll(async () => {
    suite = await startSuite();
    verifier = new AccessTokenVerifier(suite.gw.running.store, suite.gw.discovery.issuer, suite.gw.fhirBase);
  });
  afterAll(async () => {
    await suite?.close();
  });

  /** A fresh token response of a client (pub, sym or asym) for the suite's client. */
  async function tokensOf(clientId: 'pub' | 'sym' | 'asym', scope = SCOPE): Promise<TokenAnswer> {
    const got = await codeFor(suite.gw, suite.client, {
      clientId,
      redirectUri: suite.app.redirectUri(clientId),
      scope,
    });
    const answer = await exchangePublic(
      suite.gw,
      got,
      clientId,
      clientId === 'pub' ? {} : { client_id: undefined, ...auth(clientId).fields },
      auth(clientId).headers,
    );
    expect(answer.status).toBe(200);
    return answer;
  }

  function auth(clientId: string): { fields: Record<string, string>; headers: Record<string, string> } {
    if (clientId === 'sym') return { fields: {}, headers: basic('sym', SYM_SECRET) };
    if (clientId === 'asym')
      return {
        fields: assertionFields(suite.clients.esKey, 'asym', suite.gw.discovery.token_endpoint),
        headers: {},
      };
    return { fields: { client_id: clientId }, headers: {} };
  }

  const refresh = (refreshToken: unknown, clientId: string, extra: Record<string, string> = {}) =>
    tokenRequest(
      suite.gw,
      {
        grant_type: 'refresh_token',
        refresh_token: String(refreshToken),
        ...auth(clientId).fields,
        ...extra,
      },
      auth(clientId).headers,
    );

  function expectRefreshed(answer: TokenAnswer, before: TokenAnswer): void {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body.access_token).toEqual(expect.any(String));
    expect(answer.body.access_token).not.toBe(before.body.access_token);
    expect(String(answer.body.token_type).toLowerCase()).toBe('bearer');
    expect(answer.body.expires_in).toEqual(expect.any(Number));
    expect(scopesOf(before)).toEqual(expect.arrayContaining(scopesOf(answer)));
    expect(answer.body.refresh_token).toEqual(expect.any(String));
    expect(answer.body.refresh_token).not.toBe(before.body.refresh_token);
  }

  it.each(['pub', 'sym', 'asym'] as const)(
    'SMART-R1, R2: %s refreshes with its own client authentication; the same scopes, a rotated refresh token',
    async (clientId) => {
      const before = await tokensOf(clientId);
      const after = await refresh(before.body.refresh_token, clientId);
      expectRefreshed(after, before);
      expect(scopesOf(after)).toEqual(scopesOf(before));
      expect(after.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
    },
  );

  it('SMART-R3: the refresh response has Cache-Control no-store and Pragma no-cache', async () => {
    const before = await tokensOf('pub');
    const after = await refresh(before.body.refresh_token, 'pub');
    expect(after.headers.get('cache-control')).toMatch(/no-store/);
    expect(after.headers.get('pragma')).toMatch(/no-cache/);
  });

  it('SMART-R4: with scope = the granted scope, and with a subset, it is 200 within what was asked', async () => {
    const before = await tokensOf('pub');
    const same = await refresh(before.body.refresh_token, 'pub', { scope: String(before.body.scope) });
    expectRefreshed(same, before);
    expect(scopesOf(same)).toEqual(scopesOf(before));
    const subset = await refresh(same.body.refresh_token, 'pub', { scope: 'openid patient/*.rs' });
    expect(subset.status).toBe(200);
    expect(['openid', 'patient/*.rs']).toEqual(expect.arrayContaining(scopesOf(subset)));
    expect(scopesOf(subset)).toContain('patient/*.rs');
  });

  it('SMART-R5: a public client refreshes without client_id (the refresh token names the client)', async () => {
    const before = await tokensOf('pub');
    const after = await tokenRequest(suite.gw, {
      grant_type: 'refresh_token',
      refresh_token: String(before.body.refresh_token),
    });
    expectRefreshed(after, before);
  });

  it('SMART-R5 (confidential): a confidential client must still authenticate on refresh', async () => {
    const before = await tokensOf('sym');
    const after = await tokenRequest(suite.gw, {
      grant_type: 'refresh_token',
      refresh_token: String(before.body.refresh_token),
    });
    expect([400, 401]).toContain(after.status);
    expect(after.body.access_token).toBeUndefined();
  });

  it('SMART-R6: a scope beyond the original grant is invalid_scope', async () => {
    const before = await tokensOf('pub', 'launch/patient openid fhirUser offline_access patient/*.rs');
    const after = await refresh(before.body.refresh_token, 'pub', { scope: 'patient/*.rs user/*.rs' });
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_scope');
  });

  it.each([
    ['SYM with Basic', 'sym'],
    ['NARROW by client_id', 'narrow'],
  ])("SMART-R7: PUB's refresh token presented by %s is invalid_grant", async (_what, other) => {
    const before = await tokensOf('pub');
    const after = await refresh(before.body.refresh_token, other);
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
    // Still PUB's: the attempt did not spend it.
    expect((await refresh(before.body.refresh_token, 'pub')).status).toBe(200);
  });

  it('SMART-N5: a random refresh token is 400/401', async () => {
    const answer = await refresh('5a0d4a2e-2c4f-4f7b-9a1e-1c0b7b0d9c11', 'sym');
    expect([400, 401]).toContain(answer.status);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('SMART-X14: a used refresh token coming back fails, and ends the whole grant (rotation with reuse detection)', async () => {
    const first = await tokensOf('pub');
    const second = await refresh(first.body.refresh_token, 'pub');
    expect(second.status).toBe(200);
    await expect(verifier.verify(String(second.body.access_token))).resolves.toMatchObject({
      clientId: 'pub',
    });

    const replay = await refresh(first.body.refresh_token, 'pub');
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // The grant is gone: the rotated refresh token and the tokens issued from it are dead too.
    const afterReplay = await refresh(second.body.refresh_token, 'pub');
    expect(afterReplay.status).toBe(400);
    expect(afterReplay.body.error).toBe('invalid_grant');
    await expect(verifier.verify(String(second.body.access_token))).rejects.toMatchObject({ status: 401 });
    await expect(verifier.verify(String(first.body.access_token))).rejects.toMatchObject({ status: 401 });
  });

  it('SMART-X15: without offline_access there is no refresh token', async () => {
    const answer = await tokensOf('pub', 'launch/patient openid fhirUser patient/*.rs');
    expect(answer.body.refresh_token).toBeUndefined();
  });
});
