import { resourcesOfPatient } from '../../../src/resources';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';

/**
 * What the gateway holds itself (item 2 of issue 10): the client's Patient and RelatedPersons as
 * mapped from the ECD, read and searched from the gateway's store and judged like any resource
 * (basic details section); and the Consents, which no section holds, read under the gateway's own
 * rule (src/fhir/requests/own-access.ts): the steward of the portal sees all of the client's
 * Consents, anyone else only those that name them.
 */
describe("the gateway's own resources", () => {
  let api: FhirApiUnderTest;

  beforeAll(async () => {
    api = await startFhirApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  type Entry = { resource: { resourceType: string; id: string; [key: string]: unknown } };
  const ids = (answer: FhirAnswer): string[] =>
    (answer.body.entry as Entry[]).map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  /** What the store holds for the client (current versions), as `Type/id`. */
  const held = async (patient: string, type: string): Promise<string[]> =>
    (await resourcesOfPatient(api.gateway.running.store, patient.slice('Patient/'.length), [type]))
      .filter((r) => r.endedAt === null)
      .map((r) => `${type}/${r.id}`)
      .sort();
  /** The one 404, whatever the reason: the body differs only in its request id. */
  const expectTheOne404 = async (token: string, path: string) => {
    const answer = await api.fhir(token, path);
    const missing = await api.fhir(token, path.replace(/\/[^/]+$/, '/does-not-exist'));
    expect(answer.status).toBe(404);
    const bare = (a: FhirAnswer) => a.text.replace(/request id [0-9a-zA-Z-]+/, '');
    expect(bare(answer)).toBe(bare(missing));
    expect(answer.headers.get('content-type')).toBe(missing.headers.get('content-type'));
  };
  const actorsOf = (consent: Entry['resource']): string[] => {
    const provision = consent.provision as { actor?: { reference?: { reference?: string } }[] } | undefined;
    return (provision?.actor ?? []).map((a) => a.reference?.reference ?? '');
  };

  describe('Meerzicht: the client authorised the first contact person (with basic details)', () => {
    let clientId: string;
    let patient: `Patient/${string}`;
    let firstRef: string;
    let client: LoggedIn;
    let first: LoggedIn;

    beforeAll(async () => {
      clientId = api.data.scenarios.firstContactAuthorised;
      patient = api.gateway.patientOf(clientId);
      firstRef = api.gateway.relationOf(clientId, 'first-contact-person');
      client = await api.login(patient);
      first = await api.login(patient, firstRef);
    });

    it('FHIR-OWN-1, M-1: the client reads their Patient and searches their relations, from the gateway', async () => {
      const read = await api.fhir(client.accessToken, `/Patient/${client.patientId}`);
      expect(read.status).toBe(200);
      expect(read.body.meta.profile).toEqual([
        'https://inzage.example/fhir/StructureDefinition/inzage-patient',
      ]);
      const relations = await api.fhir(client.accessToken, `/RelatedPerson?patient=${patient}`);
      expect(relations.status).toBe(200);
      expect(ids(relations)).toEqual(await held(patient, 'RelatedPerson'));
      for (const e of relations.body.entry as Entry[])
        expect(e.resource.patient).toEqual(expect.objectContaining({ reference: patient }));
      const searched = await api.fhir(client.accessToken, `/Patient?_id=${client.patientId}`);
      expect(ids(searched)).toEqual([patient]);
    });

    it("FHIR-OWN-1, M-2: the first contact person, granted basic details, sees the client's and their own, not the other relations' details", async () => {
      expect((await api.fhir(first.accessToken, `/Patient/${first.patientId}`)).status).toBe(200);
      const relations = await api.fhir(first.accessToken, `/RelatedPerson?patient=${patient}`);
      expect(ids(relations)).toEqual([firstRef]);
      const others = (await held(patient, 'RelatedPerson')).filter((r) => r !== firstRef);
      expect(others.length).toBeGreaterThan(0);
      const missing = await api.fhir(first.accessToken, '/RelatedPerson/does-not-exist');
      for (const other of others) {
        const read = await api.fhir(first.accessToken, `/${other}`);
        expect(read.status).toBe(404);
        expect(read.body.issue).toEqual(
          missing.body.issue.map((i: object) => ({ ...i, diagnostics: expect.any(String) })),
        );
      }
      expect((await api.fhir(first.accessToken, `/${firstRef}`)).status).toBe(200);
    });

    it("FHIR-OWN-1: another client's relations are refused, not silently emptied", async () => {
      const other = api.gateway.patientOf(api.data.scenarios.withWithdrawnAuthorisation);
      const answer = await api.fhir(client.accessToken, `/RelatedPerson?patient=${other}`);
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      await expectTheOne404(
        client.accessToken,
        `/${api.gateway.relationOf(api.data.scenarios.withWithdrawnAuthorisation, 'first-contact-person')}`,
      );
    });

    it('FHIR-OWN-2, M-1: the client sees every one of their Consents', async () => {
      const consents = await api.fhir(client.accessToken, `/Consent?patient=${patient}`);
      expect(consents.status).toBe(200);
      const expected = await held(patient, 'Consent');
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(consents)).toEqual(expected);
      const grant = (consents.body.entry as Entry[]).find((e) => actorsOf(e.resource).includes(firstRef));
      expect(grant).toBeDefined();
      expect((await api.fhir(client.accessToken, `/Consent/${grant!.resource.id}`)).status).toBe(200);
    });

    it('FHIR-OWN-2, M-2: the first contact person sees only the Consents that name them', async () => {
      const consents = await api.fhir(first.accessToken, `/Consent?patient=${patient}`);
      expect(consents.status).toBe(200);
      const shown = consents.body.entry as Entry[];
      expect(shown.length).toBeGreaterThan(0);
      for (const e of shown) expect(actorsOf(e.resource)).toContain(firstRef);
      const all = await api.fhir(client.accessToken, `/Consent?patient=${patient}`);
      for (const e of all.body.entry as Entry[]) {
        if (actorsOf(e.resource).includes(firstRef)) continue;
        await expectTheOne404(first.accessToken, `/Consent/${e.resource.id}`);
      }
    });

    it('FHIR-OWN-2: Consents of another patient, or with what cannot be answered, are refused 400', async () => {
      const other = api.gateway.patientOf(api.data.scenarios.withWithdrawnAuthorisation);
      for (const query of [
        `patient=${other}`,
        `patient=${patient}&_include=Consent:actor`,
        'actor:missing=true',
      ]) {
        const answer = await api.fhir(client.accessToken, `/Consent?${query}`);
        expect([query, answer.status]).toEqual([query, 400]);
      }
      const otherClient = await api.login(other);
      const theirs = await api.fhir(otherClient.accessToken, `/Consent?patient=${other}`);
      const otherIds = ids(theirs);
      expect(otherIds.length).toBeGreaterThan(0);
      for (const id of otherIds) await expectTheOne404(client.accessToken, `/${id}`);
    });
  });

  describe('Meerzicht: a mentor represents the client (and counts as the client)', () => {
    it('FHIR-OWN-2, M-1: the legal representative sees every Consent of the client', async () => {
      const clientId = api.data.scenarios.withMentorElderlyCare;
      const patient = api.gateway.patientOf(clientId);
      const mentor = await api.login(patient, api.gateway.relationOf(clientId, 'mentor'));
      const consents = await api.fhir(mentor.accessToken, `/Consent?patient=${patient}`);
      expect(ids(consents)).toEqual(await held(patient, 'Consent'));
    });
  });

  describe('Amerhof: the client is administrator and granted two relations some sections', () => {
    let patient: `Patient/${string}`;
    let firstRef: string;
    let secondRef: string;
    let admin: LoggedIn;
    let first: LoggedIn;
    let second: LoggedIn;

    beforeAll(async () => {
      const clientId = api.data.scenarios.administratorGrantedSections;
      patient = api.gateway.patientOf(clientId);
      firstRef = api.gateway.relationOf(clientId, 'first-contact-person');
      secondRef = api.gateway.relationOf(clientId, 'second-contact-person');
      admin = await api.login(patient);
      first = await api.login(patient, firstRef);
      second = await api.login(patient, secondRef);
    });

    it('FHIR-OWN-1, A-3: a relation without basic details sees no Patient and no relations', async () => {
      await expectTheOne404(first.accessToken, `/Patient/${first.patientId}`);
      await expectTheOne404(second.accessToken, `/${secondRef}`);
      const relations = await api.fhir(first.accessToken, `/RelatedPerson?patient=${patient}`);
      expect(relations.status).toBe(200);
      expect(relations.body.entry ?? []).toEqual([]);
      // The administrator sees them all.
      const all = await api.fhir(admin.accessToken, `/RelatedPerson?patient=${patient}`);
      expect(ids(all)).toEqual(await held(patient, 'RelatedPerson'));
    });

    it('FHIR-OWN-2, A-3: the administrator sees every Consent; each relation only their own grant', async () => {
      const all = await api.fhir(admin.accessToken, `/Consent?patient=${patient}`);
      expect(ids(all)).toEqual(await held(patient, 'Consent'));
      for (const [person, ref, other] of [
        [first, firstRef, secondRef],
        [second, secondRef, firstRef],
      ] as const) {
        const own = await api.fhir(person.accessToken, `/Consent?patient=${patient}`);
        const shown = own.body.entry as Entry[];
        expect(shown.length).toBeGreaterThan(0);
        for (const e of shown) expect(actorsOf(e.resource)).toContain(ref);
        const othersGrant = (all.body.entry as Entry[]).find((e) => actorsOf(e.resource).includes(other))!;
        await expectTheOne404(person.accessToken, `/Consent/${othersGrant.resource.id}`);
      }
    });
  });

  describe('Amerhof: a child of 12 to 15 who agreed that the parents may look', () => {
    it('FHIR-OWN-2, A-8: the child (administrator) sees every Consent; a parent only those that name them', async () => {
      const clientId = api.data.scenarios.minorCapableParentalAccessAgreed;
      const patient = api.gateway.patientOf(clientId);
      const parentRef = api.gateway.relationOf(clientId, 'parent');
      const child = await api.login(patient);
      const parent = await api.login(patient, parentRef);
      const all = await api.fhir(child.accessToken, `/Consent?patient=${patient}`);
      expect(ids(all)).toEqual(await held(patient, 'Consent'));
      const theirs = await api.fhir(parent.accessToken, `/Consent?patient=${patient}`);
      expect(theirs.status).toBe(200);
      for (const e of theirs.body.entry as Entry[]) expect(actorsOf(e.resource)).toContain(parentRef);
      for (const e of all.body.entry as Entry[])
        if (!actorsOf(e.resource).includes(parentRef))
          await expectTheOne404(parent.accessToken, `/Consent/${e.resource.id}`);
      // With the child's consent the parent sees the dossier itself.
      expect((await api.fhir(parent.accessToken, `/Patient/${parent.patientId}`)).status).toBe(200);
    });
  });

  describe('Amerhof: a curator is administrator instead of the client', () => {
    it('FHIR-OWN-2, A-6: the curator sees every Consent; the first contact person only their own', async () => {
      const clientId = api.data.scenarios.withCurator;
      const patient = api.gateway.patientOf(clientId);
      const firstRef = api.gateway.relationOf(clientId, 'first-contact-person');
      const curator = await api.login(patient, api.gateway.relationOf(clientId, 'curator'));
      const first = await api.login(patient, firstRef);
      const all = await api.fhir(curator.accessToken, `/Consent?patient=${patient}`);
      expect(ids(all)).toEqual(await held(patient, 'Consent'));
      const own = await api.fhir(first.accessToken, `/Consent?patient=${patient}`);
      for (const e of own.body.entry as Entry[]) expect(actorsOf(e.resource)).toContain(firstRef);
      expect((own.body.entry as Entry[]).length).toBeGreaterThan(0);
    });
  });
});
