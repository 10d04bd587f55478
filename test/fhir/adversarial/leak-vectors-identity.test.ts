import type { Appointment, Observation, Resource } from '@medplum/fhirtypes';
import { backendToken, clientKey, type ClientKey } from '../../support/backend-clients';
import { relatedPersonId } from '../../../src/ecd';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { startHostileUpstream, type HostileUpstream } from '../support/hostile-upstream';
import { comparable, resourcesIn, resourcesOf, tracesIn } from '../support/leak-check';

/**
 * Leak vectors 10–16 of docs/leak-vectors.md: patient detection over the whole compartment, exact
 * reference matching, missing context, operations, history and vread, and writes, over HTTP against
 * the sandbox and a hostile upstream in front of it.
 */
describe('leak vectors 10–16: identity, operations, history, writes', () => {
  let api: FhirApiUnderTest;
  let hostile: HostileUpstream;
  const OWN = 'mz-c008';
  const OTHER = 'mz-c007';
  let me: LoggedIn;
  let key: ClientKey;
  let ownPatient: `Patient/${string}`;

  const clean = (answer: FhirAnswer, clientId = OWN) =>
    tracesIn(api.data, answer, { clientId, upstreamUrls: [hostile.url, api.sandbox.url] });
  const get = (path: string, token = me.accessToken) => api.fhir(token, path);
  const upstreamOwn = `Patient/${OWN}`;

  beforeAll(async () => {
    key = await clientKey('ES384', 'ecd-1');
    api = await startFhirApi({
      apps: [
        {
          id: 'ecd-backend',
          name: 'ECD',
          type: 'backend',
          organisation: 'meerzicht',
          scopes: 'system/Observation.rs system/Patient.rs',
          jwks: [key.publicJwk] as never,
        },
      ],
      upstreamUrl: async (sandbox) => (hostile = await startHostileUpstream(sandbox.url)).url,
    });
    ownPatient = api.gateway.patientOf(OWN);
    me = await api.login(ownPatient);
    expect((await get('/Observation?_count=1')).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await hostile?.close();
  });
  beforeEach(() => hostile.reset());

  describe('LV-10: patient detection covers the whole compartment', () => {
    it('LV-10: an Appointment is placed by its participant.actor', async () => {
      const answer = await get('/Appointment?_count=50');
      expect(answer.status).toBe(200);
      const shown = resourcesIn(answer) as Appointment[];
      expect(shown.length).toBe(resourcesOf(api.data, OWN, 'Appointment').length);
      for (const appointment of shown)
        expect(appointment.participant.map((p) => p.actor?.reference)).toContain(ownPatient);
      expect(clean(answer)).toEqual([]);
    });

    it("LV-10: an Appointment whose client participant is another client's is dropped", async () => {
      hostile.behave({
        transform: (r) =>
          JSON.parse(JSON.stringify(r).split(`"${upstreamOwn}"`).join(`"Patient/${OTHER}"`)) as Resource,
      });
      const answer = await get('/Appointment?_count=50');
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer)).toEqual([]);
    });

    it('LV-10: a resource with no patient reference at all is dropped, not taken for "not patient data"', async () => {
      hostile.behave({
        transform: (r) => {
          const { subject: _subject, performer: _performer, ...rest } = r as Observation;
          return rest as Resource;
        },
      });
      for (const path of [
        '/Observation?_count=10',
        `/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`,
      ]) {
        const answer = await get(path);
        if (answer.status === 200) expect(resourcesIn(answer)).toEqual([]);
        else expect(answer.status).toBe(404);
      }
    });
  });

  describe('LV-11: reference matching is exact', () => {
    const near = [
      `Patient/${OWN}0`,
      `Patient/${OWN.slice(0, -1)}`,
      OWN,
      `Group/${OWN}`,
      `patient/${OWN}`,
      `http://other-server.invalid/fhir/Patient/${OWN}`,
      `urn:uuid:0b7c2c9e-7e0c-4c1e-9a0e-${OWN.replace(/\W/g, '').padEnd(12, '0').slice(0, 12)}`,
      `#${OWN}`,
      `Patient/${OTHER}`,
    ];
    it.each(near)('LV-11: a subject "%s" places nothing in the client\'s compartment', async (reference) => {
      hostile.behave({
        transform: (r) =>
          r.resourceType === 'Observation'
            ? ({ ...r, subject: { reference }, performer: [] } as Resource)
            : r,
      });
      const search = await get('/Observation?_count=10');
      expect(search.status).toBe(200);
      expect(resourcesIn(search)).toEqual([]);
      const read = await get(`/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`);
      expect(read.status).toBe(404);
    });

    it("LV-11: the client's upstream Patient, absolute, versioned or relative, is shown as the gateway's Patient", async () => {
      hostile.behave({
        transform: (r) =>
          r.resourceType === 'Observation'
            ? ({
                ...r,
                focus: [
                  { reference: `${hostile.url}/${upstreamOwn}` },
                  { reference: `${upstreamOwn}/_history/1` },
                  { reference: `${hostile.url}/${upstreamOwn}/_history/7` },
                  { reference: upstreamOwn },
                ],
              } as Resource)
            : r,
      });
      const answer = await get('/Observation?_count=3');
      expect(answer.status).toBe(200);
      const shown = resourcesIn(answer) as Observation[];
      expect(shown.length).toBeGreaterThan(0);
      for (const observation of shown) {
        expect(observation.subject?.reference).toBe(ownPatient);
        expect(observation.focus?.map((f) => f.reference)).toEqual([
          `${api.fhirBase}/${ownPatient}`,
          ownPatient,
          `${api.fhirBase}/${ownPatient}`,
          ownPatient,
        ]);
      }
      expect(answer.text).not.toContain(`"${upstreamOwn}`);
      expect(clean(answer)).toEqual([]);
    });

    it.each([
      () => `/Patient/${ownPatient.slice('Patient/'.length, -1)}`,
      () => `/Patient/${ownPatient.slice('Patient/'.length)}0`,
    ])('LV-11: a Patient id next to the own one is not the own one', async (path) => {
      const answer = await get(path());
      expect(answer.status).toBe(404);
    });
  });

  describe('LV-12: missing context fails closed', () => {
    it('LV-12: a system token (no user, no patient) reads nothing, and nothing is asked upstream', async () => {
      const token = await backendToken(
        api.gateway.base,
        'ecd-backend',
        key,
        'system/Observation.rs system/Patient.rs',
      );
      for (const path of [
        '/Observation',
        `/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`,
        `/${ownPatient}`,
      ]) {
        const answer = await get(path, token);
        expect(answer.status).toBe(403);
        expect(answer.body.resourceType).toBe('OperationOutcome');
        expect(clean(answer)).toEqual([]);
      }
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it("LV-12: without launch/patient the context is still the token's own account link, never another's", async () => {
      const token = await api.login(ownPatient, undefined, 'openid fhirUser patient/*.rs');
      const claims = JSON.parse(Buffer.from(token.accessToken.split('.')[1]!, 'base64url').toString()) as {
        patient?: string;
      };
      expect(claims.patient === undefined || `Patient/${claims.patient}` === ownPatient).toBe(true);
      const answer = await get('/Observation?_count=20', token.accessToken);
      if (claims.patient === undefined) expect(answer.status).toBe(403);
      else {
        expect(answer.status).toBe(200);
        expect(clean(answer)).toEqual([]);
      }
    });

    it('LV-12: a parent of two children holds two tokens, each bound to its own child, used in turns', async () => {
      const [first, second] = api.data.scenarios.siblingsSharedParent;
      // The parent each child's portal is administered by (the organisation registered them as such).
      const administratorOf = (child: string) => {
        const exp = api.data.exports.find((e) => e.organisation.id === 'amerhof')!;
        const registration = exp.portalRegistrations.find(
          (r) => r.clientId === child && r.requestedRole === 'administrator' && r.person.kind === 'relation',
        )!;
        return `RelatedPerson/${relatedPersonId('amerhof', (registration.person as { relationId: string }).relationId)}`;
      };
      const a = await api.login(api.gateway.patientOf(first), administratorOf(first));
      const b = await api.login(api.gateway.patientOf(second), administratorOf(second));
      for (let round = 0; round < 2; round += 1) {
        for (const [token, mine, theirs] of [
          [a, first, second],
          [b, second, first],
        ] as const) {
          expect((await get(`/${api.gateway.patientOf(mine)}`, token.accessToken)).status).toBe(200);
          expect((await get(`/${api.gateway.patientOf(theirs)}`, token.accessToken)).status).toBe(404);
          const search = await get('/Observation?_count=20', token.accessToken);
          expect(search.status).toBe(200);
          expect(tracesIn(api.data, search, { clientId: mine, upstreamUrls: [hostile.url] })).toEqual([]);
        }
      }
    });
  });

  describe('LV-13: operations do not escape the scopes', () => {
    it.each([
      ['$graph', () => `/${ownPatient}/$graph?graph=x`],
      ['$document', () => `/Composition/x/$document`],
      ['$export', () => `/Patient/$export`],
      ['$lastn', () => `/Observation/$lastn`],
      ['Binary', () => `/Binary/${resourcesOf(api.data, OWN, 'DocumentReference')[0]!.id}`],
      ['a system $export', () => `/$export`],
      ['a search of all types', () => `/?_type=Observation`],
    ])('LV-13: %s is refused with an OperationOutcome and nothing of the dossier', async (_what, path) => {
      const answer = await get(path());
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(clean(answer)).toEqual([]);
    });

    it("LV-13: a compartment search of another client's Patient is refused before anything is asked upstream", async () => {
      const answer = await get(`/${api.gateway.patientOf(OTHER)}/Observation`);
      expect([400, 403, 404]).toContain(answer.status);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it('LV-13: a compartment search answers what the plain search does, and no other type', async () => {
      const plain = await get('/Condition?_count=50');
      hostile.behave({
        ignoreNarrowing: true,
        extraMatches: [resourcesOf(api.data, OWN, 'Observation')[0]!],
      });
      const compartment = await get(`/${ownPatient}/Condition?_count=50`);
      expect(compartment.status).toBe(200);
      expect(resourcesIn(compartment).every((r) => r.resourceType === 'Condition')).toBe(true);
      expect(clean(compartment)).toEqual([]);
      expect(resourcesIn(compartment).length).toBeLessThanOrEqual(resourcesIn(plain).length);
    });

    it('LV-13: a compartment search of a type outside the scopes is refused with 403', async () => {
      const narrow = await api.login(
        ownPatient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs',
      );
      const answer = await get(`/${ownPatient}/Condition`, narrow.accessToken);
      expect(answer.status).toBe(403);
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it("LV-13: an attachment URL on the upstream's base points at the gateway, which does not serve the upstream's Binary", async () => {
      const document = resourcesOf(api.data, OWN, 'DocumentReference')[0]!;
      hostile.behave({
        transform: (r) =>
          r.resourceType === 'DocumentReference'
            ? ({
                ...r,
                content: [
                  {
                    attachment: {
                      contentType: 'application/pdf',
                      url: `${hostile.url}/Binary/${OTHER}-scan`,
                    },
                  },
                ],
              } as Resource)
            : r,
      });
      const answer = await get(`/DocumentReference/${document.id}`);
      expect(answer.status).toBe(200);
      expect(answer.body.content[0].attachment.url).toBe(`${api.fhirBase}/Binary/${OTHER}-scan`);
      hostile.reset();
      const binary = await get(`/Binary/${OTHER}-scan`);
      expect(binary.status).toBeGreaterThanOrEqual(400);
      expect(binary.status).toBeLessThan(500);
      expect(binary.body.resourceType).toBe('OperationOutcome');
      expect(hostile.dossierRequests().filter((r) => r.path.startsWith('/Binary'))).toEqual([]);
    });

    it('LV-13: $everything holds only the types in scope, each judged, whatever the upstream adds', async () => {
      const narrow = await api.login(
        ownPatient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs',
      );
      hostile.behave({
        ignoreNarrowing: true,
        extraMatches: [
          resourcesOf(api.data, OTHER, 'Observation')[0]!,
          resourcesOf(api.data, OWN, 'Condition')[0]!,
        ],
      });
      const answer = await get(`/${ownPatient}/$everything`, narrow.accessToken);
      expect(answer.status).toBe(200);
      const types = new Set(resourcesIn(answer).map((r) => r.resourceType));
      expect([...types].every((t) => t === 'Observation' || t === 'Patient')).toBe(true);
      expect(clean(answer)).toEqual([]);
    });
  });

  describe('LV-14: history and vread', () => {
    it('LV-14: a version that belongs to another client is the 404 of a missing version', async () => {
      const id = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
      const missing = comparable(await get(`/Observation/${OWN}-missing/_history/1`));
      hostile.behave({
        transform: (r) =>
          JSON.parse(JSON.stringify(r).split(`"${upstreamOwn}"`).join(`"Patient/${OTHER}"`)) as Resource,
      });
      const answer = await get(`/Observation/${id}/_history/1`);
      expect(comparable(answer)).toEqual(missing);
    });

    it("LV-14: a vread of an own version is shown in the gateway's ids", async () => {
      const id = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
      const answer = await get(`/Observation/${id}/_history/1`);
      expect(answer.status).toBe(200);
      expect(answer.body.subject.reference).toBe(ownPatient);
      expect(clean(answer)).toEqual([]);
    });

    it('LV-14: a history holds only the versions the client may see, each judged on its own', async () => {
      const id = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
      hostile.behave({
        transform: (r) =>
          JSON.parse(JSON.stringify(r).split(`"${upstreamOwn}"`).join(`"Patient/${OTHER}"`)) as Resource,
      });
      const answer = await get(`/Observation/${id}/_history`);
      expect([200, 404]).toContain(answer.status);
      if (answer.status === 200) expect(resourcesIn(answer)).toEqual([]);
      hostile.reset();
      const honest = await get(`/Observation/${id}/_history`);
      expect(honest.status).toBe(200);
      expect(resourcesIn(honest).length).toBeGreaterThan(0);
      expect(clean(honest)).toEqual([]);
    });
  });

  describe('LV-15 and LV-16: writes', () => {
    const observation = () => resourcesOf(api.data, OWN, 'Observation')[0] as Observation;
    const json = (method: string, body: unknown, type = 'application/fhir+json'): RequestInit => ({
      method,
      headers: { 'content-type': type },
      body: JSON.stringify(body),
    });
    it.each([
      ['create', () => ['/Observation', json('POST', { ...observation(), id: undefined })]],
      ['update', () => [`/Observation/${observation().id}`, json('PUT', observation())]],
      [
        'update moving to another patient',
        () => [
          `/Observation/${observation().id}`,
          json('PUT', { ...observation(), subject: { reference: `Patient/${OTHER}` } }),
        ],
      ],
      [
        'patch',
        () => [
          `/Observation/${observation().id}`,
          json(
            'PATCH',
            [{ op: 'replace', path: '/subject/reference', value: `Patient/${OTHER}` }],
            'application/json-patch+json',
          ),
        ],
      ],
      ['delete', () => [`/Observation/${observation().id}`, { method: 'DELETE' }]],
      ['conditional update', () => [`/Observation?subject=${ownPatient}`, json('PUT', observation())]],
      ['conditional delete', () => [`/Observation?subject=${ownPatient}`, { method: 'DELETE' }]],
      [
        'a transaction',
        () => [
          '/',
          json('POST', {
            resourceType: 'Bundle',
            type: 'transaction',
            entry: [{ resource: observation(), request: { method: 'POST', url: 'Observation' } }],
          }),
        ],
      ],
      [
        'LV-16: a label change',
        () => [
          `/Observation/${observation().id}`,
          json('PUT', {
            ...observation(),
            meta: {
              security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
            },
          }),
        ],
      ],
      [
        'a Patient update',
        () => [`/${ownPatient}`, json('PUT', { resourceType: 'Patient', id: ownPatient.slice(8) })],
      ],
    ] as [string, () => [string, RequestInit]][])(
      'LV-15: %s is refused with 405 and never reaches the upstream',
      async (_what, request) => {
        const [path, init] = request();
        const answer = await api.fhir(me.accessToken, path, init);
        expect(answer.status).toBe(405);
        expect(answer.body.resourceType).toBe('OperationOutcome');
        expect(hostile.dossierRequests()).toEqual([]);
        expect(clean(answer)).toEqual([]);
      },
    );

    it.each(['_security:not', '_tag:not', '_security:missing', '_tag:missing'])(
      'LV-16: %s cannot widen what is shown',
      async (name) => {
        const honest = await get('/Observation?_count=100');
        const value = name.endsWith(':missing')
          ? 'true'
          : 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R';
        const answer = await get(`/Observation?_count=100&${name}=${encodeURIComponent(value)}`);
        if (answer.status === 400) {
          expect(answer.body.resourceType).toBe('OperationOutcome');
          return;
        }
        expect(answer.status).toBe(200);
        const allowed = new Set(resourcesIn(honest).map((r) => r.id));
        for (const r of resourcesIn(answer)) expect(allowed.has(r.id)).toBe(true);
        expect(clean(answer)).toEqual([]);
      },
    );
  });
});
