/**
 * Conformance, which scopes a launch is granted (checklist §3.3 N10 and N12, §3.4): v1 scopes come
 * back as v1, granular category scopes as asked, nothing beyond the client's registration, and an
 * unknown or malformed scope grants nothing.
 */
import { codeFor, exchangePublic, scopesOf, type TokenAnswer } from './support/oauth';
import { startSuite, type Suite } from './support/suite';

const LAB =
  'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
const PROBLEMS =
  'patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item';

describe('the scopes granted', () => {
  let suite: Suite;

  beforeAll(async () => {
    suite = await startSuite();
  });
  afterAll(async () => {
    await suite?.close();
  });

  async function granted(clientId: string, scope: string): Promise<TokenAnswer> {
    const got = await codeFor(suite.gw, suite.client, {
      clientId,
      redirectUri: suite.app.redirectUri(clientId),
      scope,
    });
    const answer = await exchangePublic(suite.gw, got, clientId);
    expect(answer.status).toBe(200);
    return answer;
  }

  it('SMART-N10: v1 patient/X.read scopes are granted as v1, with openid fhirUser launch/patient offline_access', async () => {
    const v1 = ['Patient', 'Observation', 'Condition', 'AllergyIntolerance', 'MedicationRequest'].map(
      (t) => `patient/${t}.read`,
    );
    const answer = await granted(
      'pub',
      ['launch/patient', 'openid', 'fhirUser', 'offline_access', ...v1].join(' '),
    );
    const scopes = scopesOf(answer);
    expect(scopes).toEqual(
      expect.arrayContaining(['openid', 'fhirUser', 'launch/patient', 'offline_access', ...v1]),
    );
    for (const s of scopes.filter((x) => x.startsWith('patient/'))) {
      expect(s).toMatch(/^patient\/(\*|[A-Z][A-Za-z]+)\.(read|c?r?u?d?s?|\*)$/);
    }
    expect(answer.body.patient).toBe(suite.client.patient.slice('Patient/'.length));
  });

  it('SMART-N10 (wildcard): patient/*.read is granted as asked', async () => {
    const answer = await granted('pub', 'launch/patient openid fhirUser patient/*.read');
    expect(scopesOf(answer)).toEqual(['fhirUser', 'launch/patient', 'openid', 'patient/*.read']);
  });

  it('SMART-N12: granular category scopes are granted exactly as asked, without the resource-level scope', async () => {
    const answer = await granted(
      'pub',
      `launch/patient openid fhirUser ${PROBLEMS} ${LAB} patient/Patient.rs`,
    );
    const scopes = scopesOf(answer);
    expect(scopes).toEqual(
      ['fhirUser', 'launch/patient', 'openid', LAB, PROBLEMS, 'patient/Patient.rs'].sort(),
    );
    expect(scopes).not.toContain('patient/Observation.rs');
    expect(scopes).not.toContain('patient/Condition.rs');
  });

  it('SMART-X16: scopes beyond the registration are dropped, the rest granted', async () => {
    // NARROW is registered for openid fhirUser launch/patient offline_access patient/Observation.rs.
    const answer = await granted(
      'narrow',
      `launch/patient openid fhirUser profile patient/*.rs patient/Observation.rs ${LAB} patient/Condition.rs user/*.rs`,
    );
    expect(scopesOf(answer)).toEqual(
      ['fhirUser', 'launch/patient', 'openid', LAB, 'patient/Observation.rs'].sort(),
    );
  });

  it('SMART-X16 (identity): an unregistered offline_access is dropped, no refresh token, and no consent loop', async () => {
    const got = await codeFor(suite.gw, suite.client, {
      clientId: 'portal',
      redirectUri: suite.app.redirectUri('portal'),
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
    });
    const answer = await exchangePublic(suite.gw, got, 'portal');
    expect(answer.status).toBe(200);
    expect(scopesOf(answer)).toEqual(['fhirUser', 'launch/patient', 'openid', 'patient/*.rs']);
    expect(answer.body.refresh_token).toBeUndefined();
  });

  it.each([
    ['out of order', 'patient/Observation.sr'],
    ['a parameter without a value', 'patient/Foo.rs?x'],
    ['a lower-case type', 'patient/observation.rs'],
    ['a type FHIR does not have', 'patient/Foo.rs'],
    ['an unknown permission', 'patient/Observation.rx'],
    ['no permission', 'patient/Observation.'],
    ['a repeated permission', 'patient/Observation.rrs'],
    ['an upper-case context', 'Patient/*.rs'],
    ['the v1 * context', '*/*.read'],
    ['an unknown context', 'group/*.rs'],
    ['an unknown word', 'everything'],
    ['a launch context the gateway does not offer', 'launch/encounter'],
  ])('SMART-X17: %s (%s) grants nothing; the rest is granted', async (_what, bad) => {
    const answer = await granted('pub', `launch/patient openid fhirUser ${bad} patient/Observation.rs`);
    expect(scopesOf(answer)).toEqual(['fhirUser', 'launch/patient', 'openid', 'patient/Observation.rs']);
  });

  it('SMART-X17 (only malformed): a request of nothing valid is granted no resource scope at all', async () => {
    const answer = await granted('pub', 'launch/patient openid patient/Observation.sr patient/Foo.rs?x');
    expect(scopesOf(answer)).toEqual(['launch/patient', 'openid']);
  });
});
