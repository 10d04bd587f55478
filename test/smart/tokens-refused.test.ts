/**
 * Conformance, issue 9 item 4's last sentence: an account or session that a suspension, a block or
 * the end of care reaches gets no new tokens. Each case has a person with tokens (a refresh token) and
 * a code not yet exchanged; then the organisation, the ECD or the gateway ends their access; then
 * neither the code nor the refresh token gives a token (invalid_grant), and a new login gives no code.
 */
import { createPolicyEngine, suspendAccess } from '../../src/consent';
import { administratorRegistrationsOf, type EcdExport } from '../../src/ecd';
import type { SandboxData } from '../../src/sandbox';
import { ORGANISATIONS, freshEmail, type Person } from './support/gateway';
import {
  authorize,
  codeFor,
  exchangePublic,
  tokenRequest,
  type Authorized,
  type TokenAnswer,
} from './support/oauth';
import { startSuite, type Suite } from './support/suite';

const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

/** The sandbox as the ECD sent it first: the client whose care ended yesterday still in care. */
function careStillRunning(data: SandboxData): SandboxData {
  const id = data.scenarios.careEndedYesterdayElderlyCare;
  return {
    ...data,
    exports: data.exports.map((exp) => ({
      ...exp,
      clients: exp.clients.map((c) =>
        c.id === id ? { ...c, careAgreements: c.careAgreements.map(({ end: _end, ...rest }) => rest) } : c,
      ),
    })),
  };
}

describe('tokens refused once access ends', () => {
  let suite: Suite;
  /** Elderly-care clients no scenario uses, one per case (a suspension is of the client's portal). */
  let spare: string[];

  beforeAll(async () => {
    suite = await startSuite({ adjust: careStillRunning });
    const s = suite.gw.data.scenarios;
    const named = new Set(Object.values(s).filter((v): v is string => typeof v === 'string'));
    spare = s.elderlyCare.filter((id) => !named.has(id) && suite.gw.patientOf(id) !== suite.client.patient);
  });
  afterAll(async () => {
    await suite?.close();
  });

  interface Before {
    person: Person;
    tokens: TokenAnswer;
    pending: Authorized;
  }

  /** A person with a refresh token and an unexchanged code. */
  async function withAccess(patient: `Patient/${string}`): Promise<Before> {
    const person = await suite.gw.register(freshEmail('refused'), patient);
    const req = { clientId: 'pub', redirectUri: suite.app.redirectUri('pub'), scope: SCOPE };
    const tokens = await exchangePublic(suite.gw, await codeFor(suite.gw, person, req), 'pub');
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    const pending = await codeFor(suite.gw, person, req);
    return { person, tokens, pending };
  }

  async function expectNoNewTokens({ person, tokens, pending }: Before): Promise<void> {
    const exchange = await exchangePublic(suite.gw, pending, 'pub');
    expect(exchange.status).toBe(400);
    expect(exchange.body.error).toBe('invalid_grant');
    expect(exchange.body.access_token).toBeUndefined();

    const refresh = await tokenRequest(suite.gw, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body.refresh_token),
      client_id: 'pub',
    });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(refresh.body.access_token).toBeUndefined();

    const again = await authorize(suite.gw, person, {
      clientId: 'pub',
      redirectUri: suite.app.redirectUri('pub'),
      scope: SCOPE,
    });
    expect(again.redirect?.searchParams.get('code') ?? null).toBeNull();
  }

  it('SMART-X20 (M-4): the ECD reports that care ended yesterday at Meerzicht (meerlanden): no code exchange, no refresh', async () => {
    const id = suite.gw.data.scenarios.careEndedYesterdayElderlyCare;
    const before = await withAccess(suite.gw.patientOf(id));
    // The ECD's next export has the care agreement's end (the sandbox as generated).
    const exp = suite.gw.data.exports.find((e) => e.clients.some((c) => c.id === id)) as EcdExport;
    await suite.gw.importExport(exp);
    await expectNoNewTokens(before);
  });

  it('SMART-X21 (M-5): the organisation suspends the client: no code exchange, no refresh', async () => {
    const patient = suite.gw.patientOf(spare[0]!);
    const before = await withAccess(patient);
    const engine = createPolicyEngine(ORGANISATIONS, suite.gw.running.store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
    await suspendAccess(engine, suite.gw.running.store, {
      patient,
      reason: 'conformance test: access suspended',
      by: { kind: 'staff', account: 'conformance-test' },
    });
    await expectNoNewTokens(before);
  });

  it("SMART-X22: the person's link to the client ends: no code exchange, no refresh", async () => {
    const before = await withAccess(suite.gw.patientOf(spare[1]!));
    await suite.gw.running.store.query('UPDATE account_link SET ended_at = now() WHERE id = $1', [
      before.person.linkId,
    ]);
    await expectNoNewTokens(before);
  });

  it('SMART-X23: the account is blocked: no code exchange, no refresh', async () => {
    const before = await withAccess(suite.gw.patientOf(spare[2]!));
    await suite.gw.running.store.query('UPDATE account SET blocked_at = now() WHERE id = $1', [
      before.person.accountId,
    ]);
    await expectNoNewTokens(before);
  });

  it('SMART-X24: the others keep their access (the refusals are of those people only)', async () => {
    const tokens = await exchangePublic(
      suite.gw,
      await codeFor(suite.gw, suite.client, {
        clientId: 'pub',
        redirectUri: suite.app.redirectUri('pub'),
        scope: SCOPE,
      }),
      'pub',
    );
    expect(tokens.status).toBe(200);
  });
});
