import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { allPages, matchesOf, nextLink } from '../support/pages';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/** Totals, `_count=0`, `_summary` and `_elements`: computed and applied by the gateway (leak vector 1). */
describe('search result parameters', () => {
  let api: FhirApiUnderTest;
  let client: LoggedIn;
  let relation: LoggedIn;
  const clientId = 'mz-c001';

  beforeAll(async () => {
    api = await startFhirApi();
    const patient = api.gateway.patientOf(clientId);
    client = await api.login(patient);
    // The first contact person is authorised for reports, care plan, appointments and basic details: not measurements.
    relation = await api.login(patient, api.gateway.relationOf(clientId, 'first-contact-person'));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('FHIR-SEARCH-8, LV-1: _total=accurate is the number of visible matches, counted by the gateway', async () => {
    for (const who of [client, relation]) {
      const pages = await allPages(api, who.accessToken, '/Observation?_count=4&_total=accurate');
      const visible = pages.flatMap(matchesOf).length;
      expect(visible).toBeGreaterThan(0);
      for (const page of pages) expect(page.body.total).toBe(visible);
    }
    const own = await api.fhir(client.accessToken, '/Observation?_total=accurate');
    const related = await api.fhir(relation.accessToken, '/Observation?_total=accurate');
    // The relation sees fewer (no measurements), and the total says only that many.
    expect(related.body.total).toBeLessThan(own.body.total);
    expect(matchesOf(related)).toHaveLength(related.body.total);
  });

  it('FHIR-SEARCH-9, LV-1: _summary=count is the total alone; _count=0 gives entries to no one and a total only where asked', async () => {
    const accurate = await api.fhir(relation.accessToken, '/Observation?_total=accurate');
    const count = await api.fhir(relation.accessToken, '/Observation?_summary=count');
    expect(count.status).toBe(200);
    expect(count.body.total).toBe(accurate.body.total);
    expect(count.body.entry).toBeUndefined();
    expect(nextLink(count)).toBeUndefined();

    const zero = await api.fhir(relation.accessToken, '/Observation?_count=0');
    expect(zero.body.entry).toBeUndefined();
    expect(zero.body.total).toBeUndefined();
    expect(nextLink(zero)).toBeUndefined();
    const zeroTotal = await api.fhir(relation.accessToken, '/Observation?_count=0&_total=accurate');
    expect(zeroTotal.body.entry).toBeUndefined();
    expect(zeroTotal.body.total).toBe(accurate.body.total);
  });

  it('FHIR-SEARCH-10, LV-1: _total=none and _total=estimate give no total; a bad _total or _summary is refused', async () => {
    for (const total of ['none', 'estimate']) {
      const answer = await api.fhir(client.accessToken, `/Observation?_total=${total}`);
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBeUndefined();
    }
    expect((await api.fhir(client.accessToken, '/Observation?_total=exact')).status).toBe(400);
    expect((await api.fhir(client.accessToken, '/Observation?_summary=short')).status).toBe(400);
    expect((await api.fhir(client.accessToken, '/Observation?_summary=true&_elements=code')).status).toBe(
      400,
    );
  });

  it('FHIR-SEARCH-11: _elements keeps id, meta, the mandatory and the named elements, tagged SUBSETTED', async () => {
    const answer = await api.fhir(client.accessToken, '/Observation?_elements=effective,subject&_count=5');
    expect(answer.status).toBe(200);
    expect(matchesOf(answer)).toHaveLength(5);
    for (const { resource } of answer.body.entry) {
      expect(Object.keys(resource).sort()).toEqual([
        'code',
        'effectiveDateTime',
        'id',
        'meta',
        'resourceType',
        'status',
        'subject',
      ]);
      expect(resource.meta.tag).toContainEqual(expect.objectContaining(SUBSETTED));
      expect(resource.subject.reference).toBe(`Patient/${client.patientId}`);
    }
    const typed = await api.fhir(client.accessToken, '/Observation?_elements=Observation.status&_count=1');
    expect(Object.keys(typed.body.entry[0].resource).sort()).toEqual([
      'code',
      'id',
      'meta',
      'resourceType',
      'status',
    ]);
    expect((await api.fhir(client.accessToken, '/Observation?_elements=Patient.name')).status).toBe(400);
  });

  it('FHIR-SEARCH-12: _summary=true, text and data subset the judged copy', async () => {
    const full = await api.fhir(client.accessToken, '/Observation?category=11591000146107&_count=3');
    const summary = await api.fhir(
      client.accessToken,
      '/Observation?category=11591000146107&_count=3&_summary=true',
    );
    expect(matchesOf(summary)).toEqual(matchesOf(full));
    for (const { resource } of summary.body.entry) {
      expect(resource.meta.tag).toContainEqual(expect.objectContaining(SUBSETTED));
      // In the summary: status, code, subject, effective, performer, value; not category or note.
      expect(resource.status).toBeDefined();
      expect(resource.subject).toBeDefined();
      expect(resource.category).toBeUndefined();
    }
    const text = await api.fhir(client.accessToken, '/Observation?_count=2&_summary=text');
    for (const { resource } of text.body.entry)
      expect(
        Object.keys(resource).every((k) =>
          ['resourceType', 'id', 'meta', 'text', 'status', 'code'].includes(k),
        ),
      ).toBe(true);
    const data = await api.fhir(client.accessToken, '/Observation?_count=2&_summary=data');
    for (const { resource } of data.body.entry) {
      expect(resource.text).toBeUndefined();
      expect(resource.subject).toBeDefined();
      expect(resource.meta.tag).toContainEqual(expect.objectContaining(SUBSETTED));
    }
    const notSummarised = await api.fhir(client.accessToken, '/Observation?_count=2&_summary=false');
    expect(notSummarised.body.entry[0].resource.meta.tag).toBeUndefined();
  });

  it('FHIR-SEARCH-13: a subset is never more than judge shows (the relation sees no measurement, also in part)', async () => {
    const pages = await allPages(api, relation.accessToken, '/Observation?_elements=category&_count=5');
    for (const page of pages)
      for (const { resource } of page.body.entry ?? [])
        expect(JSON.stringify(resource.category)).not.toContain('vital-signs');
  });

  it('FHIR-SEARCH-31, LV-3: a further page is authorised again: after a withdrawal its cursor shows nothing', async () => {
    const first = await api.fhir(relation.accessToken, '/Observation?_count=2');
    expect(matchesOf(first)).toHaveLength(2);
    const next = nextLink(first)!;
    const exp = structuredClone(api.data.exports.find((e) => e.clients.some((c) => c.id === clientId))!);
    const authorisations = exp.portalAuthorisations.filter((a) => a.clientId === clientId);
    expect(authorisations.length).toBeGreaterThan(0);
    for (const authorisation of authorisations)
      authorisation.withdrawal = { requestReceivedAt: new Date(Date.now() - 60_000).toISOString() };
    await api.gateway.importExport(exp);
    const after = await api.fhir(relation.accessToken, next.slice(api.fhirBase.length));
    expect(after.text).not.toContain('"resourceType":"Observation"');
    expect(after.status).toBe(200);
    expect(after.body.entry).toBeUndefined();
  });
});
