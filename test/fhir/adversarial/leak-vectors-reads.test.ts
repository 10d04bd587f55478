import type { MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { startHostileUpstream, type HostileUpstream } from '../support/hostile-upstream';
import { comparable, employeeNames, resourcesIn, resourcesOf, tracesIn } from '../support/leak-check';

/**
 * Leak vectors 1–9 of docs/leak-vectors.md (reads and searches), over HTTP with tokens from the real
 * authorization server, against the sandbox and against a hostile upstream in front of it that
 * ignores narrowing, answers with other clients' resources and inflates totals: the filter must be
 * right on its own.
 */
describe('leak vectors 1–9: reads and searches', () => {
  let api: FhirApiUnderTest;
  let hostile: HostileUpstream;
  /** An ordinary Meerzicht client reading their own dossier, and another client of the same organisation. */
  const OWN = 'mz-c010';
  const OTHER = 'mz-c009';
  let me: LoggedIn;

  const clean = (answer: FhirAnswer, clientId = OWN, employeesMasked = false) =>
    tracesIn(api.data, answer, {
      clientId,
      employeesMasked,
      upstreamUrls: [hostile.url, api.sandbox.url],
    });
  const get = (path: string, token = me.accessToken) => api.fhir(token, path);
  const otherObservation = () => resourcesOf(api.data, OTHER, 'Observation')[0] as Observation;

  beforeAll(async () => {
    api = await startFhirApi({
      upstreamUrl: async (sandbox) => (hostile = await startHostileUpstream(sandbox.url)).url,
    });
    me = await api.login(api.gateway.patientOf(OWN));
    // The dossier is linked while the upstream is honest; the tests then turn it hostile.
    expect((await get('/Observation?_count=1')).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await hostile?.close();
  });
  beforeEach(() => hostile.reset());

  describe('LV-1: totals and counts', () => {
    it('LV-1: an inflated upstream total never reaches the client', async () => {
      hostile.behave({ total: 9999, ignoreNarrowing: true });
      const answer = await get('/Observation?_count=5');
      expect(answer.status).toBe(200);
      expect(answer.body.total === undefined || answer.body.total <= resourcesOf(api.data, OWN).length).toBe(
        true,
      );
      expect(answer.body.total).not.toBe(9999);
      expect(clean(answer)).toEqual([]);
    });

    it.each(['_summary=count', '_total=accurate'])(
      'LV-1: %s is refused or counts only the narrowed set, whatever the upstream says',
      async (parameter) => {
        const honest = await get(`/Observation?${parameter}`);
        hostile.behave({ total: 9999, ignoreNarrowing: true, extraMatches: [otherObservation()] });
        const lying = await get(`/Observation?${parameter}`);
        expect(lying.status).toBe(honest.status);
        if (lying.status === 200) {
          expect(lying.body.total).toBe(honest.body.total);
          expect(honest.body.total).toBeLessThanOrEqual(resourcesOf(api.data, OWN, 'Observation').length);
        } else {
          expect(lying.status).toBe(400);
          expect(lying.body.resourceType).toBe('OperationOutcome');
        }
        expect(clean(lying)).toEqual([]);
      },
    );
  });

  describe('LV-2: short pages and empty last pages', () => {
    /** Every page of a search, following the gateway's next links. */
    async function allPages(first: string): Promise<FhirAnswer[]> {
      const pages: FhirAnswer[] = [];
      let next: string | undefined = first;
      while (next !== undefined && pages.length < 40) {
        const page = await api.fhir(
          me.accessToken,
          next.startsWith(api.fhirBase) ? next.slice(api.fhirBase.length) : next,
        );
        expect(page.status).toBe(200);
        pages.push(page);
        const link = (page.body.link ?? []).find((l: { relation: string }) => l.relation === 'next');
        next = link?.url;
      }
      return pages;
    }

    it('LV-2: every page but the last is full, no page is empty, and the pages hold the whole visible set', async () => {
      const pages = await allPages('/Observation?_count=4');
      const sizes = pages.map((p) => resourcesIn(p).length);
      expect(sizes.slice(0, -1).every((n) => n === 4)).toBe(true);
      expect(sizes.at(-1)).toBeGreaterThan(0);
      const ids = pages.flatMap((p) => resourcesIn(p).map((r) => r.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThan(4);
      for (const page of pages) expect(clean(page)).toEqual([]);
    });

    it('LV-2: a hostile upstream that ignores the narrowing fills no page with hidden data', async () => {
      hostile.behave({ ignoreNarrowing: true, extraMatches: [otherObservation()] });
      const answer = await get('/Observation?_count=10');
      expect(answer.status).toBe(200);
      expect(clean(answer)).toEqual([]);
      for (const resource of resourcesIn(answer))
        expect((resource as Observation).subject?.reference).toBe(api.gateway.patientOf(OWN));
    });

    it('LV-2: when the upstream ignores the narrowing, the page is refilled rather than short', async () => {
      hostile.behave({ ignoreNarrowing: true });
      const answer = await get('/Observation?_count=5');
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer)).toHaveLength(5);
      expect(clean(answer)).toEqual([]);
    });
  });

  describe('LV-3: paging cursors', () => {
    const nextOf = (answer: FhirAnswer): string | undefined =>
      (answer.body.link ?? []).find((l: { relation: string }) => l.relation === 'next')?.url;

    it('LV-3: no link of the answer leads to the upstream; every link is on the gateway', async () => {
      hostile.behave({ ownLinks: true });
      const answer = await get('/Observation?_count=3');
      expect(answer.status).toBe(200);
      for (const link of answer.body.link ?? []) expect(link.url.startsWith(`${api.fhirBase}/`)).toBe(true);
      expect(answer.text).not.toContain('_getpages');
      expect(clean(answer)).toEqual([]);
    });

    it('LV-3: the next link is a signed cursor, refused to another user and when tampered with', async () => {
      const first = await get('/Observation?_count=3');
      const next = nextOf(first);
      expect(next).toBeDefined();
      expect(next!.startsWith(`${api.fhirBase}/`)).toBe(true);
      expect(next).toContain('_cursor=');
      const path = next!.slice(api.fhirBase.length);
      const second = await get(path);
      expect(second.status).toBe(200);
      expect(clean(second)).toEqual([]);

      const other = await api.login(api.gateway.patientOf(OTHER));
      const stolen = await get(path, other.accessToken);
      expect([403, 404, 410]).toContain(stolen.status);
      expect(stolen.body.resourceType).toBe('OperationOutcome');
      expect(tracesIn(api.data, stolen, { clientId: OTHER, upstreamUrls: [hostile.url] })).toEqual([]);

      const cursor = new URL(next!).searchParams.get('_cursor')!;
      const flipped = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.at(-1);
      const tampered = await get(`/Observation?_cursor=${encodeURIComponent(flipped)}`);
      expect([400, 410]).toContain(tampered.status);
      expect(tampered.body.resourceType).toBe('OperationOutcome');
    });
  });

  describe('LV-4: _include, _revinclude, :iterate and *', () => {
    it('LV-4: included resources outside the compartment (employees, other clients) are dropped', async () => {
      const answer = await get('/Observation?_count=5&_include=Observation:performer');
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer).map((r) => r.resourceType)).not.toContain('Practitioner');
      expect(clean(answer)).toEqual([]);
    });

    it("LV-4: another client's resources sent as includes are dropped, and the matches are the same as without them", async () => {
      const honest = await get('/Observation?_count=5&_include=Observation:subject');
      const foreign: Resource[] = [
        resourcesOf(api.data, OTHER, 'Patient')[0]!,
        otherObservation(),
        resourcesOf(api.data, OTHER, 'Condition')[0]!,
      ];
      hostile.behave({ extraIncludes: foreign, extraMatches: [otherObservation()] });
      const answer = await get('/Observation?_count=5&_include=Observation:subject');
      expect(answer.status).toBe(200);
      expect(clean(answer)).toEqual([]);
      const ids = (a: FhirAnswer) => resourcesIn(a).map((r) => `${r.resourceType}/${r.id}`);
      expect(ids(answer)).toEqual(ids(honest));
    });

    it.each([
      '_include=*',
      '_include:iterate=Observation:subject',
      '_revinclude=Provenance:target',
      '_revinclude:iterate=*',
      '_include=Observation:performer:Practitioner',
    ])('LV-4: %s is refused or answers only what may be seen', async (parameter) => {
      hostile.behave({ extraIncludes: [resourcesOf(api.data, OTHER, 'Patient')[0]!] });
      const answer = await get(`/Observation?_count=3&${parameter}`);
      expect([200, 400]).toContain(answer.status);
      if (answer.status === 400) expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(clean(answer)).toEqual([]);
    });
  });

  describe('LV-5: _has, chains, _filter, _text, _content as oracles', () => {
    it.each([
      '/Patient?_has:Observation:patient:code=11591000146107',
      '/Observation?subject.name=Jansen',
      '/Observation?subject:Patient.name=Jansen',
      '/Observation?patient.identifier=999909356',
      '/Observation?_filter=subject eq Patient/mz-c009',
      '/Observation?_text=verdriet',
      '/Observation?_content=verdriet',
      '/Observation?_list=Patient/mz-c009',
      '/Observation?_type=Condition',
      '/Observation?performer.name=Gerritsen',
    ])('LV-5: %s is refused with an OperationOutcome before anything is asked upstream', async (path) => {
      const answer = await get(path);
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(hostile.dossierRequests()).toEqual([]);
      expect(clean(answer)).toEqual([]);
    });
  });

  describe('LV-6: searching and sorting on masked elements', () => {
    const AMERHOF = 'ah-c008';
    let amerhof: LoggedIn;
    let employee: string;
    beforeAll(async () => {
      amerhof = await api.login(api.gateway.patientOf(AMERHOF));
      const observation = resourcesOf(api.data, AMERHOF, 'Observation').find((o) =>
        (o as Observation).performer?.[0]?.reference?.startsWith('Practitioner/'),
      ) as Observation;
      employee = observation.performer![0]!.reference!;
    });

    it.each(['performer', 'requester'])(
      'LV-6: where employees are masked (A-2), a search by an employee (%s) is refused',
      async (parameter) => {
        const type = parameter === 'performer' ? 'Observation' : 'MedicationRequest';
        const answer = await get(`/${type}?${parameter}=${employee}`, amerhof.accessToken);
        expect(answer.status).toBe(400);
        expect(answer.body.resourceType).toBe('OperationOutcome');
        expect(
          tracesIn(api.data, answer, {
            clientId: AMERHOF,
            employeesMasked: true,
            upstreamUrls: [hostile.url],
          }),
        ).toEqual([]);
      },
    );

    it.each(['requester', '-requester'])(
      'LV-6: where employees are masked, _sort=%s is refused (the order would tell who it was)',
      async (sort) => {
        const answer = await get(`/MedicationRequest?_sort=${sort}`, amerhof.accessToken);
        expect(answer.status).toBe(400);
        expect(answer.body.resourceType).toBe('OperationOutcome');
      },
    );

    it('LV-6: where employees are not masked (Meerzicht), a search by requester is answered', async () => {
      const own = resourcesOf(api.data, OWN, 'MedicationRequest')[0] as MedicationRequest;
      const answer = await get(`/MedicationRequest?requester=${own.requester!.reference}`);
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer).length).toBeGreaterThan(0);
      expect(clean(answer)).toEqual([]);
    });

    it('LV-6: masked answers name no employee even when the upstream adds names everywhere', async () => {
      const names = employeeNames(api.data);
      hostile.behave({
        transform: (r) =>
          ({
            ...r,
            text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${names[0]}</div>` },
          }) as Resource,
      });
      const answer = await get('/Observation?_count=10', amerhof.accessToken);
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer).length).toBeGreaterThan(0);
      expect(
        tracesIn(api.data, answer, { clientId: AMERHOF, employeesMasked: true, upstreamUrls: [hostile.url] }),
      ).toEqual([]);
    });
  });

  describe('LV-7 and LV-9: one 404 for missing and denied', () => {
    let missing: ReturnType<typeof comparable>;
    beforeAll(async () => {
      missing = comparable(await get('/Observation/mz-c010-does-not-exist'));
    });

    it('LV-7: the 404 of a missing resource is an OperationOutcome that says nothing else', async () => {
      expect(missing.status).toBe(404);
      const answer = await get('/Observation/mz-c010-does-not-exist');
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue[0].code).toBe('not-found');
    });

    it.each([
      ["another client's Observation", () => `/Observation/${otherObservation().id}`],
      ["another client's Patient (gateway id)", () => `/Patient/meerzicht-${OTHER}`],
      ["another client's Patient (upstream id)", () => `/Patient/${OTHER}`],
      ['the own Patient under its upstream id', () => `/Patient/${OWN}`],
      [
        'an employee (Practitioner)',
        () => `/Practitioner/${api.data.resources.find((r) => r.resourceType === 'Practitioner')!.id}`,
      ],
      ['the organisation', () => '/Organization/meerzicht'],
      [
        "another client's EpisodeOfCare",
        () => `/EpisodeOfCare/${resourcesOf(api.data, OTHER, 'EpisodeOfCare')[0]!.id}`,
      ],
    ])('LV-9: reading %s answers exactly the 404 of a missing resource', async (_what, path) => {
      expect(comparable(await get(path()))).toEqual({ ...missing });
    });

    it('LV-9: a vread of a denied version answers exactly the 404 of a missing version', async () => {
      const absent = comparable(await get('/Observation/mz-c010-does-not-exist/_history/1'));
      expect(absent.status).toBe(404);
      expect(comparable(await get(`/Observation/${otherObservation().id}/_history/1`))).toEqual(absent);
      expect(absent).toEqual(missing);
    });

    it("LV-7: a search by _id of another client's resource answers as one of a missing id", async () => {
      hostile.behave({ ignoreNarrowing: true });
      const denied = await get(`/Observation?_id=${otherObservation().id}`);
      const absent = await get('/Observation?_id=mz-c010-does-not-exist');
      expect(denied.status).toBe(200);
      expect(resourcesIn(denied)).toEqual([]);
      const withoutSelf = (a: FhirAnswer) => ({ ...a.body, link: undefined });
      expect(withoutSelf(denied)).toEqual(withoutSelf(absent));
    });

    it('LV-7: the compartment of another client and of no client are refused alike', async () => {
      const other = comparable(await get(`/Patient/meerzicht-${OTHER}/Observation`));
      const nobody = comparable(await get('/Patient/meerzicht-mz-c999/Observation'));
      expect(other.status).toBeGreaterThanOrEqual(400);
      expect(nobody).toEqual(other);
    });

    it("LV-9: an upstream that answers a missing id with another client's resource gets the same 404", async () => {
      hostile.behave({ readAnswer: () => otherObservation() });
      expect(comparable(await get('/Observation/mz-c010-does-not-exist'))).toEqual(missing);
    });

    it("LV-7: an upstream 404 full of secrets becomes the gateway's own 404", async () => {
      hostile.behave({ errorStatus: 404, ownHeaders: true });
      const answer = await get(`/Observation/${resourcesOf(api.data, OWN, 'Observation')[0]!.id}`);
      expect(comparable(answer)).toEqual(missing);
      expect(clean(answer)).toEqual([]);
    });

    it("LV-7: a section the caller may not see gives the 404 of a missing resource (a relative's read)", async () => {
      // The first contact person of mz-c001 is authorised for some sections only.
      const client = api.data.scenarios.firstContactAuthorised;
      const relative = await api.login(
        api.gateway.patientOf(client),
        api.gateway.relationOf(client, 'first-contact-person'),
      );
      const gone = comparable(await get('/Observation/mz-c001-does-not-exist', relative.accessToken));
      const types = [
        'Observation',
        'Condition',
        'CarePlan',
        'Appointment',
        'MedicationRequest',
        'DocumentReference',
        'Goal',
      ];
      let refused = 0;
      for (const type of types) {
        for (const resource of resourcesOf(api.data, client, type).slice(0, 3)) {
          const answer = await get(`/${type}/${resource.id}`, relative.accessToken);
          if (answer.status === 200) continue;
          refused += 1;
          expect(comparable(answer)).toEqual({ ...gone });
        }
      }
      expect(refused).toBeGreaterThan(0);
    });
  });

  describe('LV-8: the scope check comes before the query', () => {
    let narrow: LoggedIn;
    beforeAll(async () => {
      narrow = await api.login(
        api.gateway.patientOf(OWN),
        undefined,
        'openid fhirUser launch/patient patient/Observation.rs',
      );
    });

    it('LV-8: a type outside the scopes is refused with 403 before any upstream call', async () => {
      expect(narrow.scope).not.toContain('Condition');
      for (const path of [
        '/Condition',
        `/Condition/${resourcesOf(api.data, OWN, 'Condition')[0]!.id}`,
        '/Immunization',
      ]) {
        hostile.reset();
        const answer = await get(path, narrow.accessToken);
        expect(answer.status).toBe(403);
        expect(answer.body.resourceType).toBe('OperationOutcome');
        expect(hostile.dossierRequests()).toEqual([]);
      }
    });

    it('LV-8: the refusal is the same whether the type has resources for this client or not', async () => {
      expect(resourcesOf(api.data, OWN, 'Condition').length).toBeGreaterThan(0);
      expect(resourcesOf(api.data, OWN, 'Immunization')).toEqual([]);
      const withData = comparable(await get('/Condition', narrow.accessToken));
      const withoutData = comparable(await get('/Immunization', narrow.accessToken));
      expect(withData.status).toBe(403);
      const sized = (c: typeof withData) => ({
        ...c,
        headers: c.headers.filter(([name]) => name !== 'content-length'),
        body: c.body.replace('Immunization', 'Condition'),
      });
      expect(sized(withoutData)).toEqual(sized(withData));
    });

    it('LV-8: the type in scope is answered', async () => {
      const answer = await get('/Observation?_count=2', narrow.accessToken);
      expect(answer.status).toBe(200);
      expect(resourcesIn(answer).every((r) => r.resourceType === 'Observation')).toBe(true);
    });
  });
});
