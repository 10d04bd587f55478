import type { Bundle, Resource } from '@medplum/fhirtypes';
import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { startProxyUpstream, type ProxyUpstream } from './proxy-upstream';

/**
 * Patient/$everything as the client's own export (M-9, leak vector 13): composed by the gateway of
 * one narrowed, judged search per type the caller may see, every upstream page followed (the page
 * size is 5 here, so that there are many), streamed; and cut off, never closed, when the upstream
 * fails half way.
 */
describe('Patient/$everything', () => {
  let api: FhirApiUnderTest;
  let upstream: ProxyUpstream;
  let sandboxUrl: string;
  const clientId = () => api.data.scenarios.firstContactAuthorised;
  let client: LoggedIn;
  let firstContact: LoggedIn;

  beforeAll(async () => {
    api = await startFhirApi({
      config: { fhir: { pageSize: 5, maxPageSize: 5 } },
      upstreamUrl: async (sandbox) => {
        sandboxUrl = sandbox.url;
        return (upstream = await startProxyUpstream(sandbox.url)).url;
      },
    });
    const patient = api.gateway.patientOf(clientId());
    client = await api.login(patient);
    firstContact = await api.login(patient, api.gateway.relationOf(clientId(), 'first-contact-person'));
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
  });
  afterEach(() => {
    upstream.fault = () => undefined;
    upstream.rewrite = (p) => p;
  });

  const resourcesOf = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource as Resource);
  const inUpstream = (type: string) =>
    api.data.resources.filter(
      (r) => r.resourceType === type && JSON.stringify(r).includes(`"Patient/${clientId()}"`),
    );

  it('M-9: the client gets their whole dossier in one streamed Bundle, the gateway Patient first', async () => {
    const answer = await api.fhir(client.accessToken, `/Patient/${client.patientId}/$everything`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(answer.headers.get('content-length')).toBeNull();
    const bundle = answer.body as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(bundle.total).toBeUndefined();
    expect(bundle.link).toEqual([
      { relation: 'self', url: `${api.fhirBase}/Patient/${client.patientId}/$everything` },
    ]);
    const resources = resourcesOf(bundle);
    expect(resources[0]).toMatchObject({ resourceType: 'Patient', id: client.patientId });
    const keys = resources.map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Every page of the upstream was followed: all of the client's Observations and CarePlans.
    for (const type of ['Observation', 'CarePlan', 'Appointment']) {
      const expected = inUpstream(type)
        .map((r) => r.id)
        .sort();
      expect([
        type,
        resources
          .filter((r) => r.resourceType === type)
          .map((r) => r.id)
          .sort(),
      ]).toEqual([type, expected]);
    }
    expect(inUpstream('Observation').length).toBeGreaterThan(5);
    // In the portal's ids, nothing of the upstream's.
    expect(answer.text).not.toContain(sandboxUrl);
    expect(answer.text).not.toContain(upstream.url);
    expect(answer.text).not.toContain(`"Patient/${clientId()}"`);
    for (const entry of bundle.entry!) {
      expect(entry.fullUrl).toBe(`${api.fhirBase}/${entry.resource!.resourceType}/${entry.resource!.id}`);
    }
    // Never shown on their own: no compartment.
    for (const never of ['Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Consent'])
      expect(resources.some((r) => r.resourceType === never)).toBe(false);
  });

  it('LV-13: the first contact person gets only the sections the client authorised', async () => {
    const answer = await api.fhir(firstContact.accessToken, `/Patient/${firstContact.patientId}/$everything`);
    expect(answer.status).toBe(200);
    const resources = resourcesOf(answer.body);
    const types = new Set<string>(resources.map((r) => r.resourceType));
    expect(types.has('Patient')).toBe(true);
    expect(types.has('CarePlan')).toBe(true);
    // Measurements and medication were not authorised.
    for (const type of ['MedicationRequest', 'MedicationStatement', 'MedicationAdministration'])
      expect(types.has(type)).toBe(false);
    const observations = resources.filter((r) => r.resourceType === 'Observation');
    expect(observations.length).toBeGreaterThan(0);
    expect(JSON.stringify(observations)).not.toContain('vital-signs');
    expect(JSON.stringify(observations)).not.toContain('"laboratory"');
  });

  it('LV-13: every type is held against the scopes: a token for Patient and Observation gets only those', async () => {
    const narrow = await api.login(
      api.gateway.patientOf(clientId()),
      undefined,
      'openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs',
    );
    const answer = await api.fhir(narrow.accessToken, `/Patient/${narrow.patientId}/$everything`);
    expect(answer.status).toBe(200);
    expect([...new Set(resourcesOf(answer.body).map((r) => r.resourceType))].sort()).toEqual([
      'Observation',
      'Patient',
    ]);
    const granular = await api.login(
      api.gateway.patientOf(clientId()),
      undefined,
      'openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs?category=vital-signs',
    );
    const measured = resourcesOf(
      (await api.fhir(granular.accessToken, `/Patient/${granular.patientId}/$everything`)).body,
    );
    const observations = measured.filter((r) => r.resourceType === 'Observation');
    expect(observations.length).toBeGreaterThan(0);
    for (const o of observations) expect(JSON.stringify(o)).toContain('vital-signs');
  });

  it('LV-13: an upstream that ignores every narrowing parameter still yields only what may be seen', async () => {
    const keysOf = async (who: LoggedIn) =>
      resourcesOf((await api.fhir(who.accessToken, `/Patient/${who.patientId}/$everything`)).body)
        .map((r) => `${r.resourceType}/${r.id}`)
        .sort();
    const expected = [await keysOf(client), await keysOf(firstContact)];
    // Everything but paging is dropped: the upstream answers with every client's resources.
    let widened = 0;
    upstream.rewrite = (p) => {
      const [path, query = ''] = p.split('?');
      if (path === '/Patient' || query === '') return p;
      const kept = new URLSearchParams(query);
      for (const name of [...kept.keys()]) if (name !== '_count' && name !== '_offset') kept.delete(name);
      widened += 1;
      return `${path}?${kept.toString()}`;
    };
    expect([await keysOf(client), await keysOf(firstContact)]).toEqual(expected);
    expect(widened).toBeGreaterThan(20);
  });

  it("LV-13: another patient's $everything is the one 404", async () => {
    const other = api.gateway.patientOf(api.data.scenarios.elderlyCare.find((c) => c !== clientId())!);
    const answer = await api.fhir(client.accessToken, `/${other}/$everything`);
    const missing = await api.fhir(client.accessToken, `/Patient/no-such-patient`);
    expect(answer.status).toBe(404);
    expect(answer.body.issue.map(({ diagnostics: _d, ...i }: { diagnostics: string }) => i)).toEqual(
      missing.body.issue.map(({ diagnostics: _d, ...i }: { diagnostics: string }) => i),
    );
  });

  it('FHIR-INT-8: _type limits the types, _since the changes; other parameters are refused', async () => {
    const path = `/Patient/${client.patientId}/$everything`;
    const typed = await api.fhir(client.accessToken, `${path}?_type=CarePlan,Goal`);
    expect(typed.status).toBe(200);
    const types = new Set(resourcesOf(typed.body).map((r) => r.resourceType));
    expect([...types].sort()).toEqual(['CarePlan', 'Goal'].filter((t) => inUpstream(t).length > 0));
    const future = await api.fhir(client.accessToken, `${path}?_since=2999-01-01T00:00:00Z`);
    expect(future.status).toBe(200);
    expect(future.body.entry).toBeUndefined();
    const posted = await api.fhir(client.accessToken, path, { method: 'POST' });
    expect(posted.status).toBe(405);
    const head = await api.fhir(client.accessToken, path, { method: 'HEAD' });
    expect([head.status, head.text]).toEqual([200, '']);
    for (const bad of [
      '_since=yesterday',
      'start=2020-01-01',
      '_count=10',
      '_type=observation',
      '_elements=id',
    ])
      expect([bad, (await api.fhir(client.accessToken, `${path}?${bad}`)).status]).toEqual([bad, 400]);
  });

  it('FHIR-INT-9: an upstream failure half way cuts the connection: no Bundle ends with part of the data', async () => {
    upstream.fault = (p) => (p.startsWith('/Observation?') && p.includes('_offset=') ? 'error' : undefined);
    const res = await fetch(`${api.fhirBase}/Patient/${client.patientId}/$everything`, {
      headers: { authorization: `Bearer ${client.accessToken}` },
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();

    upstream.fault = (p) => (p.startsWith('/CarePlan?') ? 'reset' : undefined);
    const reset = await fetch(`${api.fhirBase}/Patient/${client.patientId}/$everything`, {
      headers: { authorization: `Bearer ${client.accessToken}` },
    });
    await expect(reset.text()).rejects.toThrow();
  });

  it('FHIR-INT-10: a failure before anything is sent is an ordinary error answer', async () => {
    // A client whose dossier the gateway has not linked yet: the link is resolved before streaming.
    let fresh: LoggedIn | undefined;
    for (const id of api.data.scenarios.elderlyCare.filter((c) => c !== clientId())) {
      fresh = await api.login(api.gateway.patientOf(id)).catch(() => undefined);
      if (fresh) break;
    }
    if (!fresh) throw new Error('no other client to log in as');
    upstream.fault = (p) => (p.startsWith('/Patient?') ? 'error' : undefined);
    const answer = await api.fhir(fresh.accessToken, `/Patient/${fresh.patientId}/$everything`);
    expect(answer.status).toBe(502);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    upstream.fault = () => undefined;
    expect((await api.fhir(fresh.accessToken, `/Patient/${fresh.patientId}/$everything`)).status).toBe(200);
  });
});
