/**
 * Conformance, the EHR launch as HTTP requests (checklist §3.2 E0–E4): the portal app asks the
 * gateway for a launch of another app (POST /auth/launch with its user's token), the app is opened
 * at `<launchUri>?iss=…&launch=…`, and the launch handle is bound to the app and the person.
 */
import { Browser } from './support/browser';
import { SYM_SECRET } from './support/clients';
import { freshEmail } from './support/gateway';
import { basic, claimsOf, codeFor, exchangePublic, authorize, scopesOf } from './support/oauth';
import type { Person } from './support/gateway';
import { startSuite, type Suite } from './support/suite';

const EHR_SCOPE = 'launch openid fhirUser offline_access patient/*.rs';

describe('the EHR launch', () => {
  let suite: Suite;

  beforeAll(async () => {
    suite = await startSuite();
  });
  afterAll(async () => {
    await suite?.close();
  });

  /** The portal app's access token for a person. */
  async function portalToken(person: Person, clientId = 'portal'): Promise<string> {
    const got = await codeFor(suite.gw, person, {
      clientId,
      redirectUri: suite.app.redirectUri(clientId),
      scope: 'openid fhirUser launch/patient patient/*.rs',
    });
    const answer = await exchangePublic(suite.gw, got, clientId);
    expect(answer.status).toBe(200);
    return String(answer.body.access_token);
  }

  const askLaunch = (token: string | undefined, clientId: string) =>
    fetch(`${suite.gw.base}/auth/launch`, {
      method: 'POST',
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ client_id: clientId }),
    });

  async function launchFor(person: Person, clientId = 'pub'): Promise<{ launch: string; url: string }> {
    const res = await askLaunch(await portalToken(person), clientId);
    expect(res.status).toBe(201);
    return (await res.json()) as { launch: string; url: string };
  }

  const ehr = (clientId: string, launch: string, state = 'ehr-state') => ({
    clientId,
    redirectUri: suite.app.redirectUri(clientId),
    scope: EHR_SCOPE,
    launch,
    state,
  });

  it("SMART-E0: the launch URL is the app's launch URI with iss exactly the FHIR base and a launch", async () => {
    const { launch, url } = await launchFor(suite.client);
    const opened = new URL(url);
    expect(`${opened.origin}${opened.pathname}`).toBe(suite.app.launchUri('pub'));
    expect(opened.searchParams.get('iss')).toBe(suite.gw.fhirBase);
    expect(opened.searchParams.get('launch')).toBe(launch);
    expect(launch.length).toBeGreaterThanOrEqual(16);
  });

  it('SMART-E0 (refused): no token is 401; an app that may not launch is 403; an unknown app 404', async () => {
    expect((await askLaunch(undefined, 'pub')).status).toBe(401);
    expect((await askLaunch(await portalToken(suite.client, 'pub'), 'sym')).status).toBe(403);
    expect((await askLaunch(await portalToken(suite.client), 'no-such-app')).status).toBe(404);
  });

  it('SMART-E1, E2: authorize with launch: code; the token has the launch patient, need_patient_banner, launch', async () => {
    const { launch } = await launchFor(suite.client);
    const got = await codeFor(suite.gw, suite.client, ehr('pub', launch));
    expect(got.state).toBe('ehr-state');
    const answer = await exchangePublic(suite.gw, got, 'pub', {}, { origin: suite.app.base });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toMatch(/no-store/);
    expect(answer.headers.get('pragma')).toMatch(/no-cache/);
    expect(answer.headers.get('access-control-allow-origin')).toBe(suite.app.base);
    expect(answer.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
    expect(typeof answer.body.need_patient_banner).toBe('boolean');
    expect(scopesOf(answer)).toEqual(EHR_SCOPE.split(' ').sort());
    expect(claimsOf(String(answer.body.id_token)).fhirUser).toBe(suite.client.person);
  });

  it('SMART-E1 (symmetric): a confidential app completes an EHR launch too', async () => {
    const { launch } = await launchFor(suite.client, 'sym');
    const got = await codeFor(suite.gw, suite.client, ehr('sym', launch));
    const answer = await exchangePublic(
      suite.gw,
      got,
      'sym',
      { client_id: undefined },
      basic('sym', SYM_SECRET),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
  });

  /** Expects the authorize request to come back to the app with an error and no code. */
  async function expectRefused(outcome: Awaited<ReturnType<typeof authorize>>, error: string): Promise<void> {
    expect(outcome.redirect).toBeDefined();
    expect(outcome.redirect!.searchParams.get('code')).toBeNull();
    expect(outcome.redirect!.searchParams.get('error')).toBe(error);
  }

  it('SMART-E3a: an unknown launch: invalid_request, no code', async () => {
    await expectRefused(
      await authorize(suite.gw, suite.client, ehr('pub', 'no-such-launch')),
      'invalid_request',
    );
  });

  it('SMART-E3b: a launch that was used already: invalid_request, no code', async () => {
    const { launch } = await launchFor(suite.client);
    await codeFor(suite.gw, suite.client, ehr('pub', launch));
    await expectRefused(await authorize(suite.gw, suite.client, ehr('pub', launch)), 'invalid_request');
  });

  it('SMART-E3c: a launch issued for another app: invalid_request, no code', async () => {
    const { launch } = await launchFor(suite.client, 'pub');
    await expectRefused(await authorize(suite.gw, suite.client, ehr('sym', launch)), 'invalid_request');
  });

  it("SMART-E3d: someone else logging in with a person's launch gets no code", async () => {
    const { launch } = await launchFor(suite.client);
    const other = await suite.gw.register(freshEmail('other'), suite.relative.patient, suite.relative.person);
    const outcome = await authorize(suite.gw, other, ehr('pub', launch), { browser: new Browser() });
    expect(outcome.redirect?.searchParams.get('code') ?? null).toBeNull();
  });

  it('SMART-E4: scope launch without a launch parameter: launch is dropped from the grant, no context from nowhere', async () => {
    const got = await codeFor(suite.gw, suite.client, {
      clientId: 'pub',
      redirectUri: suite.app.redirectUri('pub'),
      scope: 'launch openid fhirUser patient/*.rs',
    });
    const answer = await exchangePublic(suite.gw, got, 'pub');
    expect(answer.status).toBe(200);
    expect(scopesOf(answer)).not.toContain('launch');
    // The patient is the one the person logged in for (patient/ scopes need one), never another.
    expect(answer.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
  });
});
