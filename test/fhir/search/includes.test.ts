import { PORTAL_SCOPES, startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { includesOf, matchesOf } from '../support/pages';

/** `_include` and `_revinclude`: every included resource judged as if read directly (leak vector 4). */
describe('search includes', () => {
  let api: FhirApiUnderTest;
  let client: LoggedIn;
  const clientId = 'mz-c006';

  beforeAll(async () => {
    api = await startFhirApi();
    client = await api.login(api.gateway.patientOf(clientId));
  });
  afterAll(async () => {
    await api?.close();
  });

  it("FHIR-SEARCH-14, LV-4: an include of the client's upstream Patient is the gateway's Patient", async () => {
    const answer = await api.fhir(client.accessToken, '/Observation?_include=Observation:subject&_count=5');
    expect(answer.status).toBe(200);
    expect(matchesOf(answer)).toHaveLength(5);
    expect(includesOf(answer)).toEqual([`Patient/${client.patientId}`]);
    const patient = answer.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'include');
    expect(patient.fullUrl).toBe(`${api.fhirBase}/Patient/${client.patientId}`);
    const read = await api.fhir(client.accessToken, `/Patient/${client.patientId}`);
    expect(patient.resource).toEqual(read.body);
    // Nothing of the upstream's Patient: not its id, not a reference to it.
    expect(answer.text).not.toContain(`Patient/${clientId}"`);
    expect(answer.text).not.toContain(api.sandbox.url);
  });

  it('FHIR-SEARCH-15, LV-4: includes of Practitioners cannot be placed and are dropped; the matches and the total stay the same', async () => {
    const plain = await api.fhir(client.accessToken, '/Observation?_count=7&_total=accurate');
    const withPerformer = await api.fhir(
      client.accessToken,
      '/Observation?_count=7&_total=accurate&_include=Observation:performer',
    );
    expect(withPerformer.status).toBe(200);
    // The upstream does bring the Practitioners: the gateway drops them.
    const direct = await fetch(
      `${api.sandbox.url}/Observation?subject=Patient/${clientId}&_include=Observation:performer&_count=7`,
    );
    expect(JSON.stringify(await direct.json())).toMatch(/"resourceType":"Practitioner/);
    expect(includesOf(withPerformer)).toEqual([]);
    expect(withPerformer.text).not.toMatch(/"resourceType":"Practitioner/);
    expect(matchesOf(withPerformer)).toEqual(matchesOf(plain));
    expect(withPerformer.body.total).toBe(plain.body.total);
    const carePlan = await api.fhir(
      client.accessToken,
      '/CarePlan?_include=CarePlan:performer&_include=CarePlan:goal&_include=CarePlan:care-team',
    );
    expect(matchesOf(carePlan)).toEqual([`CarePlan/${clientId}-zorgplan01`]);
    expect(includesOf(carePlan).sort()).toEqual([
      `CareTeam/${clientId}-team01`,
      `Goal/${clientId}-doel01`,
      `Goal/${clientId}-doel02`,
    ]);
  });

  it('FHIR-SEARCH-16, LV-4: _revinclude brings the visible resources that refer to the matches', async () => {
    const answer = await api.fhir(client.accessToken, '/Goal?_revinclude=CarePlan:goal');
    expect(answer.status).toBe(200);
    expect(matchesOf(answer).sort()).toEqual([`Goal/${clientId}-doel01`, `Goal/${clientId}-doel02`]);
    expect(includesOf(answer)).toEqual([`CarePlan/${clientId}-zorgplan01`]);
  });

  it('FHIR-SEARCH-17, LV-13: an included resource needs a scope for its own type', async () => {
    const narrow = await api.login(
      api.gateway.patientOf(clientId),
      undefined,
      'openid fhirUser launch/patient patient/Observation.rs patient/CarePlan.rs',
    );
    const observations = await api.fhir(
      narrow.accessToken,
      '/Observation?_include=Observation:subject&_count=3',
    );
    expect(observations.status).toBe(200);
    expect(matchesOf(observations)).toHaveLength(3);
    expect(includesOf(observations)).toEqual([]);
    const carePlans = await api.fhir(narrow.accessToken, '/CarePlan?_include=CarePlan:goal');
    expect(matchesOf(carePlans)).toHaveLength(1);
    expect(includesOf(carePlans)).toEqual([]);
    expect(PORTAL_SCOPES).toContain('patient/*.rs');
  });

  it('FHIR-SEARCH-18, LV-4: _include=*, :iterate and includes of another type are refused (400)', async () => {
    for (const query of [
      '_include=*',
      '_include=Observation:*',
      '_include:iterate=Observation:subject',
      '_revinclude:iterate=CarePlan:goal',
      '_include=CarePlan:goal',
    ]) {
      const answer = await api.fhir(client.accessToken, `/Observation?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('FHIR-SEARCH-36, LV-5: where employees are masked (Amerhof), no sort by them and no include of them', async () => {
    const amerhof = await api.login(api.gateway.patientOf('ah-c008'));
    const sorted = await api.fhir(amerhof.accessToken, '/Observation?_sort=performer');
    expect(sorted.status).toBe(400);
    expect(sorted.body.resourceType).toBe('OperationOutcome');
    expect((await api.fhir(amerhof.accessToken, '/Observation?_sort=-performer,date')).status).toBe(400);
    expect((await api.fhir(amerhof.accessToken, '/Observation?_sort=-date&_count=3')).status).toBe(200);
    const included = await api.fhir(
      amerhof.accessToken,
      '/Observation?_include=Observation:performer&_count=5',
    );
    expect(included.status).toBe(200);
    expect(matchesOf(included)).toHaveLength(5);
    expect(includesOf(included)).toEqual([]);
    expect(included.text).not.toContain('Practitioner/');
    // Meerzicht does not mask: the same sort passes there.
    expect((await api.fhir(client.accessToken, '/Observation?_sort=performer&_count=2')).status).toBe(200);
  });

  it("FHIR-SEARCH-37, LV-4: the gateway's own types include the gateway's resources, judged", async () => {
    const related = await api.fhir(client.accessToken, '/RelatedPerson?_include=RelatedPerson:patient');
    expect(related.status).toBe(200);
    expect(matchesOf(related).length).toBeGreaterThan(0);
    expect(matchesOf(related).every((ref) => ref.startsWith('RelatedPerson/'))).toBe(true);
    expect(includesOf(related)).toEqual([`Patient/${client.patientId}`]);
    const plain = await api.fhir(client.accessToken, '/RelatedPerson');
    expect(matchesOf(related)).toEqual(matchesOf(plain));
  });
});
