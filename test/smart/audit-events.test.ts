/**
 * The authorization server's audit records (issue 11, items 1 and 2), through real flows: the login
 * pages driven as a browser would, the token endpoint as an app calls it. Every login step, token,
 * rotation, reuse, revocation and terms answer is in the trail with its actor, client, patient and
 * token id, committed before the answer; with a trail that cannot be written nothing is handed out.
 */
import { findAuditRecords, verifyChain, type AuditRecord } from '../../src/audit';
import { Browser } from './support/browser';
import { freshEmail, startConformanceGateway, type ConformanceGateway, type Person } from './support/gateway';
import {
  authorize,
  claimsOf,
  codeFor,
  exchangePublic,
  tokenRequest,
  type AuthorizeRequest,
  type TokenAnswer,
} from './support/oauth';

const REDIRECT = 'http://127.0.0.1:7777/cb';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const REQUEST: AuthorizeRequest = { clientId: 'app', redirectUri: REDIRECT, scope: SCOPE };

describe('the audit records of the authorization server', () => {
  let gw: ConformanceGateway;

  beforeAll(async () => {
    gw = await startConformanceGateway({
      clients: [{ id: 'app', name: 'App', type: 'public', redirectUris: [REDIRECT], scopes: SCOPE }],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  let people = 0;
  /** A fresh account for a client of their own (no scenario of another suite: nothing ended or suspended). */
  async function person(): Promise<Person> {
    const s = gw.data.scenarios;
    const plain = s.elderlyCare.filter((id) => !Object.values(s).includes(id));
    people += 1;
    return gw.register(freshEmail('audit'), gw.patientOf(plain[people % plain.length]!));
  }

  async function tokensOf(who: Person): Promise<TokenAnswer> {
    const got = await codeFor(gw, who, REQUEST);
    const answer = await exchangePublic(gw, got, 'app');
    expect(answer.status).toBe(200);
    return answer;
  }

  const recordsOf = (accountId: string) => findAuditRecords(gw.running.store, { accountId });
  const summary = (records: AuditRecord[]) =>
    records.map((r) => `${r.entry.kind} ${r.entry.interaction} ${r.entry.outcome}`);

  it('AUDIT-AUTH-1: a login and its tokens are recorded step by step: who, from where, which app, which patient, which token', async () => {
    const who = await person();
    const answer = await tokensOf(who);
    const jti = String(claimsOf(String(answer.body.access_token)).jti);

    const records = await recordsOf(who.accountId);
    expect(summary(records)).toEqual([
      'login password success',
      'login second-factor success',
      'terms accepted success',
      'login completed success',
      'token issued success',
      'token refresh-token-issued success',
    ]);
    for (const { entry } of records) {
      expect(entry.clientApp).toBe('app');
      expect(entry.actor?.account).toBe(who.accountId);
      expect(entry.actor?.address).toMatch(/127\.0\.0\.1/);
      expect(entry.requestId).toEqual(expect.any(String));
      expect(entry.at).toBeInstanceOf(Date);
    }
    const [, secondFactor, terms, completed, issued, refresh] = records.map((r) => r.entry);
    expect(secondFactor!.detail).toMatchObject({ method: 'sms' });
    expect(terms).toMatchObject({ patient: who.patient, policy: expect.stringMatching(/^terms /) });
    expect(terms!.detail).toMatchObject({ termsVersion: expect.any(String), link: who.linkId });
    expect(completed).toMatchObject({ patient: who.patient, actor: { person: who.person } });
    expect(issued).toMatchObject({
      kind: 'token',
      action: 'C',
      tokenId: jti,
      patient: who.patient,
      actor: { account: who.accountId, person: who.person },
      detail: { tokenType: 'access', grantType: 'authorization_code', link: who.linkId },
    });
    expect(String(issued!.detail?.scope).split(' ')).toEqual(
      expect.arrayContaining(['patient/*.rs', 'launch/patient', 'offline_access']),
    );
    // The refresh token has no token id (its id is its value); its grant ties it to the access token.
    expect(refresh!.tokenId).toBeUndefined();
    expect(refresh!.detail?.grant).toBe(issued!.detail?.grant);

    // Found by the token id too, and nothing secret is in any record.
    expect(summary(await findAuditRecords(gw.running.store, { tokenId: jti }))).toEqual([
      'token issued success',
    ]);
    const stored = JSON.stringify(records);
    for (const secret of [
      who.password,
      who.smsCode!()!,
      String(answer.body.access_token),
      String(answer.body.refresh_token),
      who.email,
    ]) {
      expect(stored).not.toContain(secret);
    }
    expect(await verifyChain(gw.running.store)).toMatchObject({ ok: true });
  });

  it('AUDIT-AUTH-2: refused passwords say no more than the page: an unknown address and a wrong password alike, then the lockout', async () => {
    const who = await person();
    const started = new Date();
    const wrong = await authorize(gw, { ...who, password: 'not the password at all' }, REQUEST);
    expect(wrong.status).toBe(401);
    const unknown = await authorize(
      gw,
      { ...who, email: freshEmail('nobody'), password: 'not the password at all' },
      REQUEST,
    );
    expect(unknown.status).toBe(401);

    const logins = (
      await findAuditRecords(gw.running.store, { kinds: ['login'], from: started, clientApp: 'app' })
    ).map((r) => r.entry);
    expect(logins).toHaveLength(2);
    for (const entry of logins) {
      expect(entry).toMatchObject({
        interaction: 'password',
        outcome: 'refused',
        outcomeText: 'ERR_LOGIN_REFUSED',
        status: 401,
        actor: { address: expect.stringMatching(/127\.0\.0\.1/) },
      });
    }
    // The reviewer learns whose account was tried; the outcome text is the same.
    expect(logins[0]!.actor?.account).toBe(who.accountId);
    expect(logins[1]!.actor?.account).toBeUndefined();
    expect(JSON.stringify(logins)).not.toContain('not the password at all');

    // Five wrong passwords lock the account's login; the locked attempt is recorded as such.
    for (let i = 0; i < 4; i++) await authorize(gw, { ...who, password: `wrong ${i} again` }, REQUEST);
    const locked = await authorize(gw, who, REQUEST);
    expect(locked.status).toBe(429);
    const last = (await recordsOf(who.accountId)).map((r) => r.entry).slice(-2);
    expect(last).toEqual([
      expect.objectContaining({ outcome: 'refused', outcomeText: 'ERR_TOO_MANY_ATTEMPTS', status: 429 }),
      expect.objectContaining({ outcome: 'refused', outcomeText: 'ERR_TOO_MANY_ATTEMPTS', status: 429 }),
    ]);
  });

  it('AUDIT-AUTH-3: a wrong second-factor code is recorded as refused, the right one as success', async () => {
    const who = await person();
    const outcome = await authorize(gw, { ...who, smsCode: () => '000000' }, REQUEST);
    expect(outcome.status).toBe(401);
    const entries = (await recordsOf(who.accountId)).map((r) => r.entry);
    expect(entries.map((e) => `${e.interaction} ${e.outcome} ${e.outcomeText ?? ''}`)).toEqual([
      'password success ',
      'second-factor refused ERR_LOGIN_REFUSED',
    ]);
    expect(JSON.stringify(entries)).not.toContain('000000');
  });

  it('AUDIT-AUTH-4: a refresh rotates, and a rotated refresh token used again is recorded as reuse with the revoked tokens', async () => {
    const who = await person();
    const first = await tokensOf(who);
    const refresh = (token: unknown) =>
      tokenRequest(gw, { grant_type: 'refresh_token', refresh_token: String(token), client_id: 'app' });
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    const jti1 = String(claimsOf(String(first.body.access_token)).jti);
    const jti2 = String(claimsOf(String(second.body.access_token)).jti);

    let tokens = (
      await findAuditRecords(gw.running.store, { accountId: who.accountId, kinds: ['token'] })
    ).map((r) => r.entry);
    expect(tokens.map((e) => e.interaction)).toEqual([
      'issued',
      'refresh-token-issued',
      'refresh-token-rotated',
      'refreshed',
    ]);
    expect(tokens[2]!.detail).toMatchObject({ rotations: 1, grantType: 'refresh_token' });
    expect(tokens[3]).toMatchObject({ tokenId: jti2, patient: who.patient, clientApp: 'app' });

    const replay = await refresh(first.body.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    tokens = (await findAuditRecords(gw.running.store, { accountId: who.accountId, kinds: ['token'] })).map(
      (r) => r.entry,
    );
    const after = tokens.slice(4);
    expect(after).toContainEqual(
      expect.objectContaining({
        interaction: 'refresh-token-reuse',
        outcome: 'refused',
        outcomeText: 'ERR_REFRESH_TOKEN_REUSED',
        clientApp: 'app',
        patient: who.patient,
      }),
    );
    const revoked = after.filter((e) => e.interaction === 'revoked' && e.tokenId !== undefined);
    expect(revoked.map((e) => e.tokenId).sort()).toEqual([jti1, jti2].sort());
    expect(revoked[0]!.outcomeText).toBe('a refresh token was used again');
    expect(JSON.stringify(tokens)).not.toContain(String(first.body.refresh_token));
    expect(tokens.filter((e) => e.interaction === 'token-request')).toEqual([]);
  });

  it('AUDIT-AUTH-5: an authorization code used twice is recorded as reuse, and the token it gave as revoked', async () => {
    const who = await person();
    const got = await codeFor(gw, who, REQUEST);
    const first = await exchangePublic(gw, got, 'app');
    expect(first.status).toBe(200);
    const again = await exchangePublic(gw, got, 'app');
    expect(again.status).toBe(400);
    const jti = String(claimsOf(String(first.body.access_token)).jti);
    const tokens = (
      await findAuditRecords(gw.running.store, { accountId: who.accountId, kinds: ['token'] })
    ).map((r) => r.entry);
    expect(tokens).toContainEqual(
      expect.objectContaining({
        interaction: 'code-reuse',
        outcome: 'refused',
        outcomeText: 'ERR_CODE_REUSED',
        patient: who.patient,
      }),
    );
    expect(tokens).toContainEqual(
      expect.objectContaining({
        interaction: 'revoked',
        tokenId: jti,
        outcomeText: 'an authorization code was used again',
      }),
    );
    expect(JSON.stringify(tokens)).not.toContain(got.code);
    // The reuse is recorded once, as a reuse, not also as an ordinary refused request.
    expect(tokens.filter((e) => e.interaction === 'token-request')).toEqual([]);
  });

  it('AUDIT-AUTH-6: a revocation at /auth/revoke is recorded with the token id', async () => {
    const who = await person();
    const answer = await tokensOf(who);
    const jti = String(claimsOf(String(answer.body.access_token)).jti);
    const res = await fetch(gw.discovery.revocation_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: String(answer.body.access_token), client_id: 'app' }).toString(),
    });
    expect(res.status).toBe(200);
    const revoked = (await findAuditRecords(gw.running.store, { tokenId: jti })).map((r) => r.entry);
    expect(revoked.map((e) => e.interaction)).toEqual(['issued', 'revoked']);
    expect(revoked[1]).toMatchObject({
      action: 'D',
      outcomeText: 'revoked at the request of the client',
      clientApp: 'app',
      actor: { account: who.accountId, person: who.person },
      patient: who.patient,
    });
  });

  it('AUDIT-AUTH-7: terms declined: the answer with its version, the revocation and the refused login, and no token', async () => {
    const who = await person();
    const outcome = await authorize(gw, { ...who, acceptTerms: false } as Person, REQUEST);
    expect(outcome.redirect?.searchParams.get('error')).toBe('access_denied');
    const entries = (await recordsOf(who.accountId)).map((r) => r.entry);
    expect(entries.map((e) => `${e.kind} ${e.interaction} ${e.outcome}`)).toEqual([
      'login password success',
      'login second-factor success',
      'terms declined refused',
      'token revoked success',
      'login completed refused',
    ]);
    expect(entries[2]).toMatchObject({
      outcomeText: 'the terms were declined',
      policy: expect.stringMatching(/^terms /),
      patient: who.patient,
      actor: { person: who.person },
    });
    expect(entries[4]!.outcomeText).toBe('the terms were not accepted');
  });

  it('AUDIT-AUTH-14: a refused token request is recorded with the OAuth error; a refresh for a blocked account names the account', async () => {
    const who = await person();
    const got = await codeFor(gw, who, REQUEST);
    const wrong = await exchangePublic(gw, got, 'app', { code_verifier: 'x'.repeat(43) });
    expect(wrong.status).toBe(400);
    const answer = await exchangePublic(gw, got, 'app');
    expect(answer.status).toBe(200);
    await gw.running.store.query('UPDATE account SET blocked_at = now() WHERE id = $1', [who.accountId]);
    const refused = await tokenRequest(gw, {
      grant_type: 'refresh_token',
      refresh_token: String(answer.body.refresh_token),
      client_id: 'app',
    });
    expect(refused.status).toBe(400);

    const requests = (await findAuditRecords(gw.running.store, { kinds: ['token'], clientApp: 'app' }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'token-request');
    expect(requests).toContainEqual(
      expect.objectContaining({
        outcome: 'refused',
        outcomeText: 'invalid_grant',
        status: 400,
        detail: expect.objectContaining({ grantType: 'authorization_code' }),
      }),
    );
    const mine = (
      await findAuditRecords(gw.running.store, { accountId: who.accountId, kinds: ['token'] })
    ).map((r) => r.entry);
    expect(mine[mine.length - 1]).toMatchObject({
      interaction: 'token-request',
      outcome: 'refused',
      outcomeText: 'invalid_grant',
      patient: who.patient,
      detail: expect.objectContaining({ grantType: 'refresh_token' }),
    });
    expect(JSON.stringify([...requests, ...mine])).not.toContain(String(answer.body.refresh_token));
  });

  it('AUDIT-AUTH-8: with a trail that cannot be written, neither a login step nor a token is handed out', async () => {
    const who = await person();
    const got = await codeFor(gw, who, REQUEST);
    const store = gw.running.store;
    const count = async () =>
      Number(
        (
          await store.query<{ n: string }>(`SELECT count(*) AS n FROM auth_model WHERE model = 'AccessToken'`)
        )[0]!.n,
      );
    const before = await count();
    // Every new audit record now fails (NOT VALID: the rows already kept are not checked).
    await store.query('ALTER TABLE audit_event ADD CONSTRAINT audit_test_refuses CHECK (false) NOT VALID');
    try {
      const answer = await exchangePublic(gw, got, 'app');
      expect(answer.status).toBe(500);
      expect(answer.body.access_token).toBeUndefined();
      expect(await count()).toBe(before);

      const browser = new Browser();
      const login = await authorize(gw, who, REQUEST, { browser });
      expect(login.status).toBe(500);
      expect(login.redirect).toBeUndefined();
    } finally {
      await store.query('ALTER TABLE audit_event DROP CONSTRAINT audit_test_refuses');
    }
    // The token row was not kept: the code, consumed in the failed exchange, gives nothing now either.
    expect(await count()).toBe(before);
    expect(await verifyChain(store)).toMatchObject({ ok: true });
  });
});
