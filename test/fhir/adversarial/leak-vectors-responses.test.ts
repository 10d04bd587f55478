import type { AuditEvent, Observation, Resource } from '@medplum/fhirtypes';
import { relatedPersonId, type EcdExport } from '../../../src/ecd';
import { runPipeline } from '../../../src/fhir';
import {
  PORTAL_ORIGIN,
  startFhirApi,
  type FhirAnswer,
  type FhirApiUnderTest,
  type LoggedIn,
} from '../support/api';
import { HOSTILE_HEADERS, startHostileUpstream, type HostileUpstream } from '../support/hostile-upstream';
import { employeeNames, resourcesIn, resourcesOf, tracesIn } from '../support/leak-check';
import { directPipeline, type DirectPipeline } from '../support/pipeline';

/**
 * Leak vectors 17–24 of docs/leak-vectors.md: consent freshness and combining, redaction, response
 * headers and links, audit, scope parsing, and method and route variants, over HTTP with tokens from
 * the real authorization server, against the sandbox and a hostile upstream in front of it. (Leak
 * vector 22, fail-closed plumbing, is test/fhir/faults.)
 */
describe('leak vectors 17–24: freshness, redaction, responses, audit, scopes, routes', () => {
  let api: FhirApiUnderTest;
  let hostile: HostileUpstream;
  const OWN = 'mz-c009';
  const OTHER = 'mz-c010';
  let me: LoggedIn;
  let ownPatient: `Patient/${string}`;

  const clean = (answer: FhirAnswer, clientId = OWN, employeesMasked = false) =>
    tracesIn(api.data, answer, { clientId, employeesMasked, upstreamUrls: [hostile.url, api.sandbox.url] });
  const get = (path: string, token = me.accessToken, init?: RequestInit) => api.fhir(token, path, init);
  const ids = (answer: FhirAnswer) => resourcesIn(answer).map((r) => `${r.resourceType}/${r.id}`);
  const exportOf = (organisation: string): EcdExport =>
    structuredClone(api.data.exports.find((e) => e.organisation.id === organisation)!);

  beforeAll(async () => {
    api = await startFhirApi({
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

  describe('LV-17 and LV-18: consent freshness and combining', () => {
    it("LV-17: a withdrawn authorisation ends the relative's access on the next request, same token", async () => {
      const client = api.data.scenarios.firstContactAuthorised;
      const relative = await api.login(
        api.gateway.patientOf(client),
        api.gateway.relationOf(client, 'first-contact-person'),
      );
      const before = await get('/Observation?_count=20', relative.accessToken);
      expect(before.status).toBe(200);
      expect(resourcesIn(before).length).toBeGreaterThan(0);

      const changed = exportOf('meerzicht');
      for (const authorisation of changed.portalAuthorisations)
        if (authorisation.clientId === client)
          authorisation.withdrawal = { requestReceivedAt: new Date().toISOString() };
      changed.exportedAt = new Date().toISOString();
      await api.gateway.importExport(changed);

      for (const path of [
        '/Observation?_count=20',
        '/Appointment?_count=20',
        `/${api.gateway.patientOf(client)}`,
      ]) {
        const after = await get(path, relative.accessToken);
        if (after.status === 200)
          expect(resourcesIn(after)).toEqual(after.body.resourceType === 'Bundle' ? [] : [after.body]);
        expect(after.status === 200 ? after.body.resourceType : 'refused').not.toBe('Patient');
        expect(tracesIn(api.data, after, { clientId: 'nobody', upstreamUrls: [hostile.url] })).toEqual([]);
      }
    });

    it('LV-18: an authorisation withdrawn two days ago grants nothing, though it once permitted', async () => {
      const client = api.data.scenarios.withWithdrawnAuthorisation;
      let relative: LoggedIn;
      try {
        relative = await api.login(
          api.gateway.patientOf(client),
          api.gateway.relationOf(client, 'second-contact-person'),
        );
      } catch (err) {
        // No token at all is the strictest answer.
        expect(String(err)).toMatch(/access_denied|no code/);
        return;
      }
      for (const path of ['/Observation?_count=20', '/Appointment?_count=20']) {
        const answer = await get(path, relative.accessToken);
        if (answer.status === 200) expect(resourcesIn(answer)).toEqual([]);
        else expect([403, 404]).toContain(answer.status);
      }
    });
  });

  describe('LV-19: redaction that still leaks', () => {
    const otherPatient = () => resourcesOf(api.data, OTHER, 'Patient')[0]!;
    const otherObservation = () => resourcesOf(api.data, OTHER, 'Observation')[0]!;

    it('LV-19: contained resources of another client are not shown', async () => {
      hostile.behave({
        transform: (r) =>
          r.resourceType === 'Observation'
            ? ({
                ...r,
                contained: [
                  { ...otherPatient(), id: 'p1' },
                  { ...otherObservation(), id: 'o1' },
                ],
                hasMember: [{ reference: '#o1' }],
              } as Resource)
            : r,
      });
      for (const path of [
        '/Observation?_count=5',
        `/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`,
      ]) {
        const answer = await get(path);
        expect([200, 404]).toContain(answer.status);
        expect(clean(answer)).toEqual([]);
      }
    });

    it('LV-19: a hidden resource is dropped whole: no stub with its id or type', async () => {
      hostile.behave({ extraMatches: [otherObservation()] });
      const answer = await get('/Observation?_count=100');
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(otherObservation().id!);
      for (const resource of resourcesIn(answer)) expect(Object.keys(resource).length).toBeGreaterThan(3);
    });

    it('LV-19: where employees are masked, no narrative, display, contained Practitioner or extension names them', async () => {
      const client = 'ah-c008';
      const amerhof = await api.login(api.gateway.patientOf(client));
      const [name, second] = employeeNames(api.data);
      hostile.behave({
        transform: (r) =>
          ({
            ...r,
            text: {
              status: 'generated',
              div: `<div xmlns="http://www.w3.org/1999/xhtml">Gezien door ${name}</div>`,
            },
            contained: [{ resourceType: 'Practitioner', id: 'pr1', name: [{ text: second }] }],
            extension: [
              {
                url: 'https://upstream.example/author',
                valueReference: { reference: '#pr1', display: second },
              },
              { url: 'https://upstream.example/seen-by', valueReference: { display: name } },
            ],
            ...(r.resourceType === 'Observation'
              ? { performer: [{ reference: 'Practitioner/ah-p01', display: name }, { display: second }] }
              : {}),
          }) as Resource,
      });
      const answer = await get('/Observation?_count=10', amerhof.accessToken);
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer).length).toBeGreaterThan(0);
      expect(
        tracesIn(api.data, answer, { clientId: client, employeesMasked: true, upstreamUrls: [hostile.url] }),
      ).toEqual([]);
      for (const resource of resourcesIn(answer)) expect(resource).not.toHaveProperty('text');
    });
  });

  describe('LV-20: response headers and links', () => {
    const observation = () => resourcesOf(api.data, OWN, 'Observation')[0] as Observation;

    it("LV-20: none of the upstream's headers passes; the version headers are the gateway's own", async () => {
      hostile.behave({ ownHeaders: true });
      for (const path of [`/Observation/${observation().id}`, '/Observation?_count=3']) {
        const answer = await get(path);
        expect(answer.status).toBe(200);
        for (const name of ['set-cookie', 'x-upstream-secret', 'location', 'content-location'])
          expect(answer.headers.get(name)).toBeNull();
        expect(answer.headers.get('server')).not.toBe(HOSTILE_HEADERS.server);
        expect(answer.headers.get('etag')).not.toBe(HOSTILE_HEADERS.etag);
        expect(answer.headers.get('last-modified')).not.toBe(HOSTILE_HEADERS['last-modified']);
        expect(clean(answer)).toEqual([]);
      }
      const read = await get(`/Observation/${observation().id}`);
      expect(read.headers.get('etag')).toBe(`W/"${observation().meta!.versionId}"`);
    });

    it('LV-20: links, fullUrls and absolute references are on the gateway, never on the upstream', async () => {
      hostile.behave({
        ownLinks: true,
        transform: (r) =>
          r.resourceType === 'Observation'
            ? ({ ...r, basedOn: [{ reference: `${hostile.url}/CarePlan/${OWN}-zorgplan01` }] } as Resource)
            : r,
      });
      const answer = await get('/Observation?_count=3');
      expect(answer.status).toBe(200);
      for (const link of answer.body.link ?? []) expect(link.url.startsWith(`${api.fhirBase}/`)).toBe(true);
      for (const entry of answer.body.entry ?? [])
        expect(entry.fullUrl.startsWith(`${api.fhirBase}/`)).toBe(true);
      for (const resource of resourcesIn(answer) as Observation[])
        expect(resource.basedOn?.[0]?.reference).toBe(`${api.fhirBase}/CarePlan/${OWN}-zorgplan01`);
      expect(clean(answer)).toEqual([]);
    });

    it('LV-20: error answers carry CORS for the portal app, so that a browser app sees the real status', async () => {
      const origin = { headers: { origin: PORTAL_ORIGIN } };
      const missing = await get('/Observation/mz-c009-does-not-exist', me.accessToken, origin);
      const unauthenticated = await api.fhir(undefined, '/Observation', origin);
      hostile.behave({ errorStatus: 500 });
      const failed = await get('/Observation?_count=1', me.accessToken, origin);
      for (const [answer, status] of [
        [missing, 404],
        [unauthenticated, 401],
        [failed, 502],
      ] as const) {
        expect(answer.status).toBe(status);
        expect(answer.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
      }
      const stranger = await get('/Observation/mz-c009-does-not-exist', me.accessToken, {
        headers: { origin: 'https://evil.example' },
      });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    });

    it.each([500, 400, 422])("LV-20: the upstream's %i error body is never forwarded", async (status) => {
      hostile.behave({ errorStatus: status, ownHeaders: true });
      const answer = await get('/Observation?_count=3');
      expect(answer.status).toBe(502);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(clean(answer)).toEqual([]);
    });
  });

  describe('LV-21: audit completeness', () => {
    let direct: DirectPipeline;
    beforeAll(() => {
      direct = directPipeline(api, hostile.url);
    });
    afterAll(async () => {
      await direct?.close();
    });
    const run = async (token: string | undefined, path: string, method = 'GET') => {
      const input = direct.input(token, path, method);
      const status = await runPipeline(direct.deps, input).then(
        (r) => r.status,
        (err: { status?: number }) => err.status ?? 500,
      );
      const entry = direct.audit.entries.find((e) => e.requestId === input.requestId);
      return { status, entry };
    };

    it('LV-21: a permitted read is recorded with the actor, the app, the query, the basis and what was shown', async () => {
      const id = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
      const { status, entry } = await run(me.accessToken, `/Observation/${id}`);
      expect(status).toBe(200);
      expect(entry).toMatchObject({
        status: 200,
        clientApp: 'portal-app',
        user: ownPatient,
        patient: ownPatient,
        interaction: 'read',
        shown: [`Observation/${id}`],
      });
      expect(entry!.query).toContain(`Observation/${id}`);
      expect(entry!.basis!.length).toBeGreaterThan(0);
    });

    it.each([
      [
        'a denied read (404)',
        () => [me.accessToken, `/Observation/${resourcesOf(api.data, OTHER, 'Observation')[0]!.id}`],
        404,
      ],
      ['no token (401)', () => [undefined, '/Observation'], 401],
      ['an unsafe query (400)', () => [me.accessToken, '/Observation?_has:Condition:subject:code=x'], 400],
      ['a write (405)', () => [me.accessToken, '/Observation/x', 'DELETE'], 405],
      [
        "another client's compartment",
        () => [me.accessToken, `/${api.gateway.patientOf(OTHER)}/Observation`],
        400,
      ],
    ] as [string, () => [string | undefined, string, string?], number][])(
      'LV-21: %s is recorded as a refusal that showed nothing',
      async (_what, request, expected) => {
        const [token, path, method] = request();
        const { status, entry } = await run(token, path, method);
        expect(status).toBe(expected);
        expect(entry).toBeDefined();
        expect(entry!.status).toBe(expected);
        expect(entry!.errorCode).toEqual(expect.any(String));
        expect(entry!.shown).toEqual([]);
      },
    );

    it('LV-21: the default sink of a running gateway records without failing the request', async () => {
      expect((await get('/Observation?_count=1')).status).toBe(200);
    });

    // The client's access log is served from the audit trail (src/fhir/audit-log), through this
    // same pipeline: the client's steward reads the client's AuditEvents, nobody reads another
    // client's, and someone who is not the steward reads none. No upstream AuditEvent is ever asked.
    it("LV-21: the steward reads the client's own AuditEvents and nobody else's; a non-steward reads none", async () => {
      // The other client of these tests, their own steward, with a login of their own.
      const client = OTHER;
      const patient = api.gateway.patientOf(client);
      const steward = await api.login(patient);
      const read = await get(`/${patient}`, steward.accessToken);
      expect(read.status).toBe(200);
      const answer = await get('/AuditEvent?_count=50', steward.accessToken);
      expect(answer.status).toBe(200);
      const events = resourcesIn(answer) as AuditEvent[];
      expect(events.map((e) => e.resourceType).every((t) => t === 'AuditEvent')).toBe(true);
      expect(events.some((e) => JSON.stringify(e).includes(read.headers.get('x-request-id')!))).toBe(true);
      for (const event of events)
        expect(event.entity!.filter((e) => e.role?.code === '1').map((e) => e.what?.reference)).toEqual([
          patient,
        ]);
      expect(clean(answer, client)).toEqual([]);
      expect(hostile.dossierRequests().filter((r) => r.path.includes('AuditEvent'))).toEqual([]);

      // Another client's log: refused by parameter, by compartment, and by id (the one 404).
      expect((await get(`/AuditEvent?patient=${ownPatient}`, steward.accessToken)).status).toBe(400);
      expect((await get(`/${ownPatient}/AuditEvent`, steward.accessToken)).status).toBe(400);
      const mine = resourcesIn(await get('/AuditEvent?_count=1'))[0]!;
      const foreign = await get(`/AuditEvent/${mine.id}`, steward.accessToken);
      expect(foreign.status).toBe(404);
      expect(foreign.body.resourceType).toBe('OperationOutcome');

      // Not the steward: a parent whom a client of 16 authorised sees none of the client's log.
      const authorising = api.data.scenarios.sixteenPlusAuthorisedParent;
      const grant = exportOf('amerhof').portalAuthorisations.find(
        (a) => a.clientId === authorising && !a.withdrawal,
      )!;
      const relative = await api.login(
        api.gateway.patientOf(authorising),
        `RelatedPerson/${relatedPersonId('amerhof', grant.granteeRelationId)}`,
      );
      const none = await get('/AuditEvent?_total=accurate', relative.accessToken);
      expect(none.status).toBe(200);
      expect(resourcesIn(none).filter((r) => r.resourceType !== 'OperationOutcome')).toEqual([]);
      expect(none.body.total).toBe(0);
    });
  });

  describe('LV-23: scope parser edge cases grant nothing', () => {
    it.each([
      'patient/Observation.',
      'patient/Observation.sr',
      'patient/observation.rs',
      'PATIENT/Observation.rs',
      'patient/Observation.rs?code=1234',
      'patient/Observation.rs?category:not=vital-signs',
      'patient/Bogus.rs',
      'patient/*.',
      'patient/Observation.x',
      'launch/patient',
    ])('LV-23: "%s" reads no Observation', async (scope) => {
      let token: LoggedIn;
      try {
        token = await api.login(ownPatient, undefined, `openid fhirUser launch/patient ${scope}`);
      } catch {
        return; // refused at the authorization server: nothing granted
      }
      const answer = await get('/Observation?_count=5', token.accessToken);
      expect(answer.status).toBe(403);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it('LV-23: a granular category scope shows that category only, whatever the upstream sends', async () => {
      const token = await api.login(
        ownPatient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
      );
      hostile.behave({ ignoreNarrowing: true });
      const answer = await get('/Observation?_count=50', token.accessToken);
      expect(answer.status).toBe(200);
      const categories = (resourcesIn(answer) as Observation[]).flatMap(
        (o) => o.category?.flatMap((c) => c.coding?.map((x) => x.code) ?? []) ?? [],
      );
      expect(categories.every((c) => c === 'vital-signs')).toBe(true);
      expect(clean(answer)).toEqual([]);
    });

    it('LV-23: two granular scopes of one type are OR-ed', async () => {
      const token = await api.login(
        ownPatient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs?category=vital-signs patient/Observation.rs?category=11591000146107',
      );
      const all = await get('/Observation?_count=100');
      const answer = await get('/Observation?_count=100', token.accessToken);
      expect(answer.status).toBe(200);
      expect(ids(answer).sort()).toEqual(ids(all).sort());
    });

    it('LV-23: a search-only scope searches but does not read', async () => {
      const token = await api.login(
        ownPatient,
        undefined,
        'openid fhirUser launch/patient patient/Observation.s',
      );
      expect((await get('/Observation?_count=1', token.accessToken)).status).toBe(200);
      const read = await get(
        `/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`,
        token.accessToken,
      );
      expect(read.status).toBe(403);
    });
  });

  describe('LV-24: method and route variants take one path', () => {
    const form = (body: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

    it('LV-24: GET, POST _search, the compartment form, a trailing slash, percent-encoding and _format answer alike', async () => {
      const reference = await get('/Observation?_count=7&_sort=date');
      expect(reference.status).toBe(200);
      const variants: [string, RequestInit?][] = [
        ['/Observation/_search', form('_count=7&_sort=date')],
        ['/Observation/_search?_count=7', form('_sort=date')],
        [`/${ownPatient}/Observation?_count=7&_sort=date`],
        [`/${ownPatient}/Observation/_search`, form('_count=7&_sort=date')],
        ['/Observation/?_count=7&_sort=date'],
        ['/Obs%65rvation?_count=7&_so%72t=date'],
        ['/Observation?_count=7&_sort=date&_format=json'],
        ['/Observation?_count=7&_sort=date&_format=application/fhir%2Bjson'],
        ['/Observation?_count=7&_sort=date', { headers: { accept: 'application/json' } }],
      ];
      for (const [path, init] of variants) {
        const answer = await get(path, me.accessToken, init);
        expect([path, answer.status]).toEqual([path, 200]);
        expect([path, ids(answer)]).toEqual([path, ids(reference)]);
      }
    });

    it('LV-24: HEAD answers like GET without a body', async () => {
      const id = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
      const head = await get(`/Observation/${id}`, me.accessToken, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      const missing = await get(
        `/Observation/${resourcesOf(api.data, OTHER, 'Observation')[0]!.id}`,
        me.accessToken,
        {
          method: 'HEAD',
        },
      );
      expect(missing.status).toBe(404);
    });

    it.each([
      () => `/Observation?patient=${ownPatient}&patient=${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?subject=${ownPatient}&subject=${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?patient=${ownPatient},${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?subject:Patient=${api.gateway.patientOf(OTHER).slice(8)}`,
      () => `/Observation?subject:Patient=${OTHER}`,
      () => `/Observation?subject:missing=true`,
      () => `/Observation?subject=${api.fhirBase}/${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?subject=${hostile.url}/Patient/${OTHER}`,
      () => `/Observation?subject=Patient/${OTHER}`,
      () => `/Observation?PATIENT=${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?Subject=${api.gateway.patientOf(OTHER)}`,
      () => `/Observation?_method=GET`,
      () => `/Observation?subject%3APatient=${OTHER}`,
      () => `/Observation?subject=Patient%2F${OTHER}`,
    ])('LV-24: %s is refused with 400 before anything is asked upstream', async (path) => {
      const answer = await get(path());
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it("LV-24: another client's patient in the body of a POST _search is refused like in the URL", async () => {
      const answer = await get(
        `/Observation/_search?patient=${ownPatient}`,
        me.accessToken,
        form(`patient=${api.gateway.patientOf(OTHER)}`),
      );
      expect(answer.status).toBe(400);
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it.each([
      ['/Observation?_format=xml', undefined],
      ['/Observation?_format=application/fhir%2Bxml', undefined],
      ['/Observation', { headers: { accept: 'application/fhir+xml' } }],
    ] as [string, RequestInit | undefined][])('LV-24: %s (not JSON) is 406', async (path, init) => {
      const answer = await get(path, me.accessToken, init);
      expect(answer.status).toBe(406);
      expect(hostile.dossierRequests()).toEqual([]);
    });
  });
});
