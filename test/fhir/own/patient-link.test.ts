import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { ecdClientSystem } from '../../../src/vocabulary';
import { startFhirApi, type FhirApiUnderTest } from '../support/api';
import { startUpstreamProxy, type ProxiedRequest, type UpstreamProxy } from './upstream-proxy';

/**
 * The patient link (item 2 of issue 10): the gateway's Patient and the dossier's Patient upstream
 * are two resources with two ids, joined by the ECD client number. The portal app sees one id set
 * (README, "Ids the portal app sees"); a dossier that is not found upstream, or not exactly once,
 * gives 502 and nothing of anyone's dossier; a renumbered client is linked again. The upstream here
 * is the sandbox behind a proxy that can hide, duplicate or mislead.
 */
describe('the patient link', () => {
  let api: FhirApiUnderTest;
  let proxy: UpstreamProxy;
  /** Meerzicht clients with no scenario of their own, one per test. */
  let plain: string[];
  const system = ecdClientSystem('meerzicht');

  beforeAll(async () => {
    api = await startFhirApi({
      upstreamUrl: async (sandbox) => {
        proxy = await startUpstreamProxy(sandbox.url);
        return proxy.url;
      },
    });
    const lists = new Set(['elderlyCare', 'under12', 'age12to15', 'age16to17', 'adultsDisabilityCare']);
    const named = new Set<string>();
    for (const [key, value] of Object.entries(api.data.scenarios))
      if (!lists.has(key)) for (const id of [value].flat()) named.add(id);
    plain = api.data.scenarios.elderlyCare.filter((id) => !named.has(id));
    expect(plain.length).toBeGreaterThanOrEqual(5);
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  /** The client number an identifier search asks for, when the request is one for this system. */
  const numberAsked = (request: ProxiedRequest): string | undefined => {
    if (request.path !== '/Patient') return undefined;
    const identifier = request.query.get('identifier');
    if (!identifier?.startsWith(`${system}|`)) return undefined;
    return identifier.slice(system.length + 1);
  };
  const searchset = (resources: Resource[], next?: string): Bundle => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
  });
  const upstreamPatient = (id: string): Patient =>
    structuredClone(api.data.resources.find((r) => r.resourceType === 'Patient' && r.id === id) as Patient);
  /** Some of the client's dossier, as a portal app asks for it. */
  const dossierOf = async (token: string, patientId: string) => ({
    observations: await api.fhir(token, `/Observation?patient=Patient/${patientId}&_count=5`),
    appointments: await api.fhir(token, `/Appointment?patient=Patient/${patientId}&_count=5`),
  });
  /** Only identifier searches reached the upstream since `from`: nothing of a dossier was read. */
  const onlyPatientSearchesSince = (from: number) => {
    for (const path of proxy.asked.slice(from)) expect(path).toMatch(/^\/Patient\?identifier=/);
  };

  it("FHIR-OWN-14: the token's patient and every reference use the gateway's Patient id; dossier resources keep the upstream's", async () => {
    const clientId = plain[0]!;
    const patient = api.gateway.patientOf(clientId);
    const { accessToken, patientId } = await api.login(patient);
    expect(`Patient/${patientId}`).toBe(patient);
    expect(patientId).not.toBe(clientId); // the sandbox's Patient is `Patient/<ECD client id>`

    const upstreamIds = new Set(api.data.resources.map((r) => `${r.resourceType}/${r.id}`));
    const { observations, appointments } = await dossierOf(accessToken, patientId);
    for (const answer of [observations, appointments]) {
      expect(answer.status).toBe(200);
      expect(answer.body.entry.length).toBeGreaterThan(0);
      for (const entry of answer.body.entry) {
        const ref = `${entry.resource.resourceType}/${entry.resource.id}`;
        expect(upstreamIds.has(ref)).toBe(true);
        expect(entry.fullUrl).toBe(`${api.fhirBase}/${ref}`);
      }
      // Not one reference to the upstream's Patient: every one became the gateway's.
      expect(answer.text).not.toMatch(new RegExp(`Patient/${clientId}(?![A-Za-z0-9.-])`));
      expect(answer.text).toContain(`"${patient}"`);
      expect(answer.text).not.toContain(proxy.url);
    }
    expect(observations.body.entry[0].resource.subject.reference).toBe(patient);

    // The Patient is the gateway's (mapped from the ECD), never the upstream's, under either id.
    const read = await api.fhir(accessToken, `/Patient/${patientId}`);
    expect(read.body.id).toBe(patientId);
    expect(read.body.meta.profile).toContain(
      'https://inzage.example/fhir/StructureDefinition/inzage-patient',
    );
    expect((await api.fhir(accessToken, `/Patient/${clientId}`)).status).toBe(404);
    // A dossier resource is read by its upstream id.
    const one = observations.body.entry[0].resource;
    const again = await api.fhir(accessToken, `/Observation/${one.id}`);
    expect(again.status).toBe(200);
    expect(again.body.subject.reference).toBe(patient);
  });

  it('FHIR-OWN-15: a client whose dossier is not upstream gets 502 ERR_DOSSIER_NOT_FOUND and no data', async () => {
    const clientId = plain[1]!;
    proxy.intercept = async (request) =>
      numberAsked(request) === clientId ? { status: 200, body: searchset([]) } : request.forward();
    const { accessToken, patientId } = await api.login(api.gateway.patientOf(clientId));
    const from = proxy.asked.length;
    const { observations, appointments } = await dossierOf(accessToken, patientId);
    const ownObservation = api.data.resources.find(
      (r) =>
        r.resourceType === 'Observation' &&
        (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${clientId}`,
    )!;
    const read = await api.fhir(accessToken, `/Observation/${ownObservation.id}`);
    for (const answer of [observations, appointments, read]) {
      expect(answer.status).toBe(502);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue[0].details.text).toBe(
        "the client's dossier cannot be found at the care organisation's FHIR server",
      );
      expect(answer.text).not.toContain(clientId.replace(/^/, 'Patient/'));
    }
    onlyPatientSearchesSince(from);
  });

  it('FHIR-OWN-16: two upstream Patients with the same client number give 502 ERR_DOSSIER_AMBIGUOUS and no data', async () => {
    const clientId = plain[2]!;
    proxy.intercept = async (request) => {
      if (numberAsked(request) !== clientId) return request.forward();
      const twin = { ...upstreamPatient(clientId), id: `${clientId}-twin` };
      return { status: 200, body: searchset([upstreamPatient(clientId), twin]) };
    };
    const { accessToken, patientId } = await api.login(api.gateway.patientOf(clientId));
    const from = proxy.asked.length;
    const { observations } = await dossierOf(accessToken, patientId);
    expect(observations.status).toBe(502);
    expect(observations.body.issue[0].details.text).toBe(
      "the client's dossier is not unambiguous at the care organisation's FHIR server",
    );
    onlyPatientSearchesSince(from);
  });

  it('FHIR-OWN-17: an upstream that ignores the identifier parameter never links another person', async () => {
    const clientId = plain[3]!;
    const others = api.data.scenarios.adultsDisabilityCare.slice(0, 4).map(upstreamPatient);
    // The client's own number under another system, and another client's Patient relabelled with
    // an unrelated number: neither is the client.
    others[0]!.identifier = [{ system: 'https://elsewhere.example/client', value: clientId }];
    others[1]!.identifier = [{ system, value: `${clientId}0` }];
    const answers: ((request: ProxiedRequest) => Promise<{ status: number; body: unknown }>)[] = [
      // Whatever Patients it has, without the parameter, with a next page.
      (request) => request.forward(new URLSearchParams({ _count: '2' })),
      // Other people only, no next page.
      async () => ({ status: 200, body: searchset(others) }),
      // The client among others: more than one candidate without the number would still be fine,
      // but a next page may hold another Patient with the number.
      async () => ({
        status: 200,
        body: searchset([...others, upstreamPatient(clientId)], `${proxy.url}/Patient?page=2`),
      }),
    ];
    const { accessToken, patientId } = await api.login(api.gateway.patientOf(clientId));
    for (const answer of answers) {
      proxy.intercept = (request) =>
        numberAsked(request) === clientId ? answer(request) : request.forward();
      const from = proxy.asked.length;
      const { observations } = await dossierOf(accessToken, patientId);
      expect(observations.status).toBe(502);
      expect(observations.body.resourceType).toBe('OperationOutcome');
      onlyPatientSearchesSince(from);
    }
    // The refusals were not kept: once the upstream answers properly, the client's own dossier.
    proxy.intercept = (request) => request.forward();
    const { observations } = await dossierOf(accessToken, patientId);
    expect(observations.status).toBe(200);
    for (const entry of observations.body.entry)
      expect(entry.resource.subject.reference).toBe(`Patient/${patientId}`);
    const expected = api.data.resources
      .filter(
        (r) =>
          r.resourceType === 'Observation' &&
          (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${clientId}`,
      )
      .map((r) => r.id);
    for (const entry of observations.body.entry) expect(expected).toContain(entry.resource.id);
  });

  it('FHIR-OWN-18: when the ECD renumbers a client, the new Patient is linked to the same dossier again; a number given to someone else links nobody', async () => {
    const oldNumber = plain[4]!;
    const newNumber = `${oldNumber}-9`;
    const oldPatient = api.gateway.patientOf(oldNumber);
    const before = await api.login(oldPatient);
    expect((await dossierOf(before.accessToken, before.patientId)).observations.status).toBe(200);

    // The ECD renumbers the client, and the upstream's Patient carries the new number from now on.
    proxy.intercept = async (request) => {
      const asked = numberAsked(request);
      if (asked === oldNumber) return { status: 200, body: searchset([]) };
      if (asked !== newNumber) return request.forward();
      const answer = await request.forward(new URLSearchParams({ identifier: `${system}|${oldNumber}` }));
      const text = JSON.stringify(answer.body).split(`"value":"${oldNumber}"`).join(`"value":"${newNumber}"`);
      return { status: answer.status, body: JSON.parse(text) };
    };
    const exp = api.data.exports.find((e) => e.clients.some((c) => c.id === oldNumber))!;
    const renumbered = JSON.parse(JSON.stringify(exp).split(`"${oldNumber}"`).join(`"${newNumber}"`));
    renumbered.exportedAt = new Date().toISOString();
    await api.gateway.importExport(renumbered);
    // The test support finds a client's organisation in the sandbox's exports: let it know the new number.
    exp.clients.push({ ...exp.clients.find((c) => c.id === oldNumber)!, id: newNumber });

    const newPatient = `Patient/meerzicht-${newNumber}` as const;
    const after = await api.login(newPatient);
    expect(after.patientId).toBe(`meerzicht-${newNumber}`);
    const { observations } = await dossierOf(after.accessToken, after.patientId);
    expect(observations.status).toBe(200);
    expect(observations.body.entry.length).toBeGreaterThan(0);
    for (const entry of observations.body.entry) expect(entry.resource.subject.reference).toBe(newPatient);
    // The old Patient has ended: its token shows nothing of the dossier any more.
    const old = await dossierOf(before.accessToken, before.patientId);
    expect([200, 401, 403, 404]).toContain(old.observations.status);
    expect(old.observations.body?.entry ?? []).toEqual([]);

    // The ECD then gives the old number to someone else while the upstream still files the dossier
    // under it: the number now names a dossier linked to another client, so it links nobody.
    const client = renumbered.clients.find((c: { id: string }) => c.id === newNumber);
    const stranger = {
      ...client,
      id: oldNumber,
      bsn: undefined,
      name: { given: ['Iemand'], family: 'Anders' },
      careAgreements: client.careAgreements.map((a: { id: string }) => ({ ...a, id: `${a.id}-r` })),
    };
    delete stranger.bsn;
    const reused = {
      ...renumbered,
      exportedAt: new Date().toISOString(),
      clients: [...renumbered.clients, stranger],
    };
    await api.gateway.importExport(reused);
    // A lagging upstream: the sandbox still files the dossier under the old number.
    proxy.intercept = (request) => request.forward();
    const someoneElse = await api.login(oldPatient);
    const refused = await dossierOf(someoneElse.accessToken, someoneElse.patientId);
    expect(refused.observations.status).toBe(502);
    expect(refused.observations.body.issue[0].details.text).toBe(
      "the client's dossier is not unambiguous at the care organisation's FHIR server",
    );
    expect(refused.observations.text).not.toContain('"entry"');
  });
});
