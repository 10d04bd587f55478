import { startFhirApi, type FhirApiUnderTest } from './support/api';

/** The pipeline end to end, once: a client logs in and reads their own dossier through the gateway. */
describe('the FHIR API (smoke)', () => {
  let api: FhirApiUnderTest;

  beforeAll(async () => {
    api = await startFhirApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('M-1: a client reads their own Patient and searches their own Observations', async () => {
    const clientId = api.data.scenarios.elderlyCare[0]!;
    const patient = api.gateway.patientOf(clientId);
    const { accessToken, patientId } = await api.login(patient);
    expect(`Patient/${patientId}`).toBe(patient);

    const read = await api.fhir(accessToken, `/Patient/${patientId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ resourceType: 'Patient', id: patientId });

    const search = await api.fhir(accessToken, `/Observation?patient=Patient/${patientId}&_count=5`);
    expect(search.status).toBe(200);
    expect(search.body.resourceType).toBe('Bundle');
    expect(search.body.entry.length).toBeGreaterThan(0);
    for (const entry of search.body.entry) {
      expect(entry.resource.subject.reference).toBe(patient);
    }
    expect(search.body.total).toBeUndefined();
  });

  it('LV-11: the bare id of the patient in context is taken as Patient/<id> (fhirclient names it so); another bare id is refused', async () => {
    const clientId = api.data.scenarios.elderlyCare[1]!;
    const patient = api.gateway.patientOf(clientId);
    const { accessToken, patientId } = await api.login(patient);
    const bare = await api.fhir(accessToken, `/Observation?patient=${patientId}&_count=3`);
    expect(bare.status).toBe(200);
    expect(bare.body.entry.length).toBeGreaterThan(0);
    const other = await api.fhir(accessToken, `/Observation?subject=${patientId}x`);
    expect(other.status).toBe(400);
    expect(other.body.resourceType).toBe('OperationOutcome');
  });

  it('answers 401 without a token, before anything else', async () => {
    const answer = await api.fhir(undefined, '/Observation');
    expect(answer.status).toBe(401);
    expect(answer.body.resourceType).toBe('OperationOutcome');
  });
});
