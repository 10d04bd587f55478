/**
 * Conformance, part 1: the real SMART JS client (fhirclient 2, in Node) against the running gateway.
 * Each launch is what an app vendor would write: `authorize()` on the launch route, `ready()` on the
 * redirect route; the "browser" only logs in through the gateway's forms.
 */
import type Client from 'fhirclient/lib/Client';
import type { fhirclient } from 'fhirclient/lib/types';
import { Browser } from './support/browser';
import { SYM_SECRET } from './support/clients';
import type { Person } from './support/gateway';
import { loginThroughForms } from './support/login';
import { claimsOf, codeFor, exchangePublic } from './support/oauth';
import { startSuite, type Suite } from './support/suite';

const STANDALONE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const EHR = 'launch openid fhirUser offline_access patient/*.rs';

describe('fhirclient 2 against the gateway', () => {
  let suite: Suite;

  beforeAll(async () => {
    suite = await startSuite();
  });
  afterAll(async () => {
    await suite?.close();
  });

  /** Opens the app's launch URI in a browser, logs in, and lets the app complete; its token response. */
  async function launch(
    name: string,
    person: Person,
    options: Omit<fhirclient.AuthorizeParams, 'redirectUri'>,
    at: { url?: string; browser?: Browser } = {},
  ): Promise<{ tokenResponse: Record<string, unknown>; client: Client }> {
    suite.app.configure(name, options);
    const browser = at.browser ?? new Browser();
    const started = await browser.go(at.url ?? suite.app.launchUri(name));
    expect(started.status).toBe(302);
    const outcome = await loginThroughForms(browser, started, person, suite.gw.base);
    expect(outcome.redirect?.href.startsWith(suite.app.redirectUri(name))).toBe(true);
    expect(outcome.redirect?.searchParams.get('error')).toBeNull();
    const done = await browser.go(outcome.redirect!.href);
    const text = await done.text();
    if (done.status !== 200) throw new Error(`the app could not complete the launch: ${text}`);
    return { tokenResponse: JSON.parse(text) as Record<string, unknown>, client: suite.app.client(name) };
  }

  function expectTokenResponse(tokens: Record<string, unknown>, person: Person, scope: string): void {
    expect(tokens).toMatchObject({
      access_token: expect.any(String),
      token_type: expect.stringMatching(/^bearer$/i),
      expires_in: expect.any(Number),
      patient: person.patient.slice('Patient/'.length),
      refresh_token: expect.any(String),
    });
    expect(String(tokens.scope).split(' ').sort()).toEqual(scope.split(' ').sort());
    expect(claimsOf(String(tokens.id_token))).toMatchObject({ fhirUser: person.person });
  }

  it('SMART-T1: a public app, standalone launch: patient, fhirUser Patient/…, the scopes asked', async () => {
    const { tokenResponse, client } = await launch('pub', suite.client, {
      clientId: 'pub',
      scope: STANDALONE,
      iss: suite.gw.fhirBase,
    });
    expectTokenResponse(tokenResponse, suite.client, STANDALONE);
    expect(client.getPatientId()).toBe(suite.client.patient.slice('Patient/'.length));
    expect(client.getFhirUser()).toBe(suite.client.person);
    expect(client.getUserType()).toBe('Patient');
  });

  it('SMART-T1 (relative): a RelatedPerson logs in for their client: fhirUser RelatedPerson/…', async () => {
    const { tokenResponse, client } = await launch('pub', suite.relative, {
      clientId: 'pub',
      scope: STANDALONE,
      iss: suite.gw.fhirBase,
    });
    expectTokenResponse(tokenResponse, suite.relative, STANDALONE);
    expect(client.getUserType()).toBe('RelatedPerson');
    expect(client.getPatientId()).toBe(suite.relative.patient.slice('Patient/'.length));
  });

  it('SMART-T1s: a confidential app with a client secret (Basic)', async () => {
    const { tokenResponse } = await launch('sym', suite.client, {
      clientId: 'sym',
      clientSecret: SYM_SECRET,
      scope: STANDALONE,
      iss: suite.gw.fhirBase,
    });
    expectTokenResponse(tokenResponse, suite.client, STANDALONE);
  });

  it.each(['RS384', 'ES384'] as const)(
    'SMART-T1a: a confidential app with private_key_jwt, %s',
    async (alg) => {
      const key = alg === 'RS384' ? suite.clients.rsKey : suite.clients.esKey;
      const { tokenResponse } = await launch('asym', suite.client, {
        clientId: 'asym',
        clientPrivateJwk: key.privateJwk as fhirclient.JWK,
        scope: STANDALONE,
        iss: suite.gw.fhirBase,
      });
      expectTokenResponse(tokenResponse, suite.client, STANDALONE);
    },
  );

  it('SMART-E0, E1, E2: the portal launches the app (EHR launch); fhirclient completes it with launch', async () => {
    // The portal app has its user's token; it asks the gateway for a launch of PUB.
    const portal = await codeFor(suite.gw, suite.client, {
      clientId: 'portal',
      redirectUri: suite.app.redirectUri('portal'),
      scope: 'openid fhirUser launch/patient patient/*.rs',
    });
    const portalToken = await exchangePublic(suite.gw, portal, 'portal');
    expect(portalToken.status).toBe(200);
    const asked = await fetch(`${suite.gw.base}/auth/launch`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(portalToken.body.access_token)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ client_id: 'pub' }),
    });
    expect(asked.status).toBe(201);
    const { launch: handle, url } = (await asked.json()) as { launch: string; url: string };
    const opened = new URL(url);
    expect(`${opened.origin}${opened.pathname}`).toBe(suite.app.launchUri('pub'));
    expect(opened.searchParams.get('iss')).toBe(suite.gw.fhirBase);
    expect(opened.searchParams.get('launch')).toBe(handle);
    expect(handle).not.toBe('');

    const { tokenResponse, client } = await launch(
      'pub',
      suite.client,
      { clientId: 'pub', scope: EHR },
      { url, browser: portal.browser },
    );
    expectTokenResponse(tokenResponse, suite.client, EHR);
    expect(tokenResponse.need_patient_banner).toEqual(expect.any(Boolean));
    expect(client.getPatientId()).toBe(suite.client.patient.slice('Patient/'.length));
  });

  it('SMART-R5: fhirclient refreshes a public app (no client_id): a new access token, rotated refresh token', async () => {
    const { tokenResponse, client } = await launch('pub', suite.client, {
      clientId: 'pub',
      scope: STANDALONE,
      iss: suite.gw.fhirBase,
    });
    const refreshed = await client.refresh();
    expect(refreshed.tokenResponse?.access_token).toEqual(expect.any(String));
    expect(refreshed.tokenResponse?.access_token).not.toBe(tokenResponse.access_token);
    expect(refreshed.tokenResponse?.refresh_token).not.toBe(tokenResponse.refresh_token);
    expect(String(refreshed.tokenResponse?.scope).split(' ').sort()).toEqual(STANDALONE.split(' ').sort());
    expect(client.getPatientId()).toBe(suite.client.patient.slice('Patient/'.length));
    expect(client.state.tokenResponse?.access_token).toBe(refreshed.tokenResponse?.access_token);
  });

  it('SMART-R1 (symmetric): fhirclient refreshes a confidential app with Basic authentication', async () => {
    const { tokenResponse, client } = await launch('sym', suite.client, {
      clientId: 'sym',
      clientSecret: SYM_SECRET,
      scope: STANDALONE,
      iss: suite.gw.fhirBase,
    });
    const refreshed = await client.refresh();
    expect(refreshed.tokenResponse?.access_token).not.toBe(tokenResponse.access_token);
    expect(refreshed.tokenResponse?.patient).toBe(suite.client.patient.slice('Patient/'.length));
  });
});
