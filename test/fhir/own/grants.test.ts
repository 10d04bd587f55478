import { freshEmail } from '../../smart/support/gateway';
import { codeFor, exchangePublic } from '../../smart/support/oauth';
import { CODE_SYSTEM } from '../../../src/vocabulary';
import { PORTAL_REDIRECT, PORTAL_SCOPES, startFhirApi, type FhirApiUnderTest } from '../support/api';

/**
 * The administrator's grants through the FHIR API: `POST /fhir/Consent` grants a relation
 * sections, `DELETE /fhir/Consent/<id>` withdraws the grant, both applied by the consent engine
 * (grantAccess, withdrawAccess), effective on the next request; refused for anyone who may not grant.
 */
const GRANT_APP = 'grant-app';
const GRANT_SCOPES = `${PORTAL_SCOPES} patient/Consent.cd`;

describe("the administrator's grants", () => {
  let api: FhirApiUnderTest;
  let patient: `Patient/${string}`;
  let secondRef: string;
  let firstRef: string;
  let admin: string;
  let first: string;
  let second: string;

  /** A token of the grant app (which may create and delete Consents) for a person. */
  const loginGrantApp = async (person: string): Promise<string> => {
    const registered = await api.gateway.register(freshEmail('grant'), patient, person);
    const got = await codeFor(api.gateway, registered, {
      clientId: GRANT_APP,
      redirectUri: PORTAL_REDIRECT,
      scope: GRANT_SCOPES,
    });
    const token = await exchangePublic(api.gateway, got, GRANT_APP);
    expect(token.status).toBe(200);
    return String(token.body.access_token);
  };
  const grantOf = (grantee: string, sections: string[]) => ({
    resourceType: 'Consent',
    status: 'active',
    patient: { reference: patient },
    provision: {
      type: 'permit',
      actor: [{ reference: { reference: grantee } }],
      code: sections.map((code) => ({ coding: [{ system: CODE_SYSTEM.portalSection, code }] })),
    },
  });
  const post = (token: string, body: unknown) =>
    api.fhir(token, '/Consent', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
    });
  const measurements = (token: string) =>
    api.fhir(token, `/Observation?patient=${patient}&category=vital-signs&_count=3`);

  beforeAll(async () => {
    api = await startFhirApi({
      apps: [
        {
          id: GRANT_APP,
          name: 'Grant app',
          type: 'public',
          redirectUris: [PORTAL_REDIRECT],
          scopes: GRANT_SCOPES,
        },
      ],
    });
    const clientId = api.data.scenarios.administratorGrantedSections;
    patient = api.gateway.patientOf(clientId);
    firstRef = api.gateway.relationOf(clientId, 'first-contact-person');
    secondRef = api.gateway.relationOf(clientId, 'second-contact-person');
    admin = await loginGrantApp(patient);
    first = await loginGrantApp(firstRef);
    second = await loginGrantApp(secondRef);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('FHIR-OWN-19, A-3: the administrator grants a relation a section; it counts from the next request, until withdrawn', async () => {
    const before = await measurements(second);
    expect(before.status === 200 ? (before.body.entry ?? []) : []).toEqual([]);

    const granted = await post(admin, grantOf(secondRef, ['measurements']));
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      patient: { reference: patient },
      performer: [{ reference: patient }],
      provision: { type: 'permit', actor: [{ reference: { reference: secondRef } }] },
    });
    expect(granted.headers.get('location')).toBe(`${api.fhirBase}/Consent/${granted.body.id}/_history/1`);

    const after = await measurements(second);
    expect(after.status).toBe(200);
    expect(after.body.entry.length).toBeGreaterThan(0);
    // The grantee sees the Consent that names them; the administrator sees it among all.
    expect((await api.fhir(second, `/Consent/${granted.body.id}`)).status).toBe(200);

    const withdrawn = await api.fhir(admin, `/Consent/${granted.body.id}`, { method: 'DELETE' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'inactive', meta: { versionId: '2' } });
    const gone = await measurements(second);
    expect(gone.status === 200 ? (gone.body.entry ?? []) : []).toEqual([]);
  });

  it('FHIR-OWN-20, A-3: nobody but the administrator grants or withdraws', async () => {
    const refused = await post(first, grantOf(secondRef, ['measurements']));
    expect(refused.status).toBe(403);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    // Not even for themself.
    expect((await post(first, grantOf(firstRef, ['medication']))).status).toBe(403);

    const granted = await post(admin, grantOf(firstRef, ['medication']));
    expect(granted.status).toBe(201);
    const notTheirs = await api.fhir(second, `/Consent/${granted.body.id}`, { method: 'DELETE' });
    expect(notTheirs.status).toBe(403);
    const byGrantee = await api.fhir(first, `/Consent/${granted.body.id}`, { method: 'DELETE' });
    expect(byGrantee.status).toBe(403);
    expect((await api.fhir(admin, `/Consent/${granted.body.id}`)).body.status).toBe('active');
  });

  it('FHIR-OWN-21: grants are checked: the field named, the patient in context, a current relation, a grant of the gateway', async () => {
    const wrongSection = await post(admin, grantOf(secondRef, ['everything']));
    expect(wrongSection.status).toBe(400);
    expect(wrongSection.body.issue[0].details.text).toContain('Consent.provision.code[0].coding[0].code');
    const extra = await post(admin, {
      ...grantOf(secondRef, ['reports']),
      performer: [{ reference: secondRef }],
    });
    expect(extra.status).toBe(400);
    expect(extra.body.issue[0].details.text).toContain('Consent.performer');

    const other = api.gateway.patientOf(api.data.scenarios.withCurator);
    const elsewhere = await post(admin, {
      ...grantOf(secondRef, ['reports']),
      patient: { reference: other },
    });
    expect(elsewhere.status).toBe(403);
    const stranger = api.gateway.relationOf(api.data.scenarios.withCurator, 'first-contact-person');
    expect((await post(admin, grantOf(stranger, ['reports']))).status).toBe(403);

    // The grants that came from the ECD are withdrawn in the ECD; a Consent of nobody is the one 404.
    const all = await api.fhir(admin, `/Consent?patient=${patient}`);
    const fromEcd = all.body.entry.find(
      (e: { resource: { id: string } }) => !e.resource.id.startsWith('grant-'),
    );
    expect((await api.fhir(admin, `/Consent/${fromEcd.resource.id}`, { method: 'DELETE' })).status).toBe(409);
    const missing = await api.fhir(admin, '/Consent/grant-does-not-exist', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body.issue[0].details.text).toBe('Resource not found');
  });

  it("FHIR-OWN-21: the portal app's scopes do not cover Consent writes: 403 before anything is decided", async () => {
    const portal = await api.login(patient);
    expect((await post(portal.accessToken, grantOf(secondRef, ['reports']))).status).toBe(403);
  });
});
