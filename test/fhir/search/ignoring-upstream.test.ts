import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import {
  FOREIGN_LINK,
  INFLATED_TOTAL,
  NAMELESS,
  startIgnoringUpstream,
  type IgnoringUpstream,
} from '../support/ignoring-upstream';
import { SEARCH_LIMITS } from '../../../src/fhir/search/limits';
import { allPages, includesOf, matchesOf, nextLink } from '../support/pages';

/**
 * The filter on its own: an upstream that drops the compartment, category and date parameters,
 * answers with every client's resources, inflates its totals and adds links and headers of its own.
 * The answers through it must be those through a faithful upstream: full pages (leak vector 2), the
 * gateway's totals (1), nothing of another client (4), no upstream link or header (3, 20).
 */
describe('search against an upstream that ignores narrowing', () => {
  let api: FhirApiUnderTest;
  let proxy: IgnoringUpstream;
  let relation: LoggedIn;
  let client: LoggedIn;
  const clientId = 'mz-c001';

  beforeAll(async () => {
    api = await startFhirApi({
      upstreamUrl: async (sandbox) => (proxy = await startIgnoringUpstream(sandbox.url)).url,
    });
    const patient = api.gateway.patientOf(clientId);
    client = await api.login(patient);
    // Authorised for reports, care plan, appointments and basic details: not measurements.
    relation = await api.login(patient, api.gateway.relationOf(clientId, 'first-contact-person'));
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  /** The pages of a search, through the faithful proxy and through the ignoring one. */
  async function both(
    who: LoggedIn,
    path: string,
  ): Promise<{ faithful: FhirAnswer[]; ignoring: FhirAnswer[] }> {
    proxy.ignoring = false;
    const faithful = await allPages(api, who.accessToken, path);
    proxy.ignoring = true;
    const before = proxy.searches.length;
    const ignoring = await allPages(api, who.accessToken, path);
    // The proxy did drop the narrowing: the upstream was asked without the patient (unless the
    // decision allows nothing of the type, and nothing was asked of the upstream at all).
    const asked = proxy.searches.slice(before);
    if (faithful.flatMap(matchesOf).length > 0)
      expect(asked.some((s) => !s.includes('Patient%2F') && !s.includes('Patient/'))).toBe(true);
    return { faithful, ignoring };
  }

  function expectNothingOfTheUpstream(pages: FhirAnswer[]): void {
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body.total).not.toBe(INFLATED_TOTAL);
      expect(page.text).not.toContain(FOREIGN_LINK);
      expect(page.text).not.toContain(NAMELESS);
      expect(page.text).not.toContain(proxy.url);
      expect(page.text).not.toContain(api.sandbox.url);
      expect(page.headers.get('x-upstream-secret')).toBeNull();
      expect(page.headers.get('content-location')).toBeNull();
      for (const link of page.body.link) expect(['self', 'next']).toContain(link.relation);
    }
  }

  function expectOwnOnly(pages: FhirAnswer[]): void {
    const patient = api.gateway.patientOf(clientId);
    for (const page of pages)
      for (const { resource } of page.body.entry ?? []) {
        if (resource.resourceType === 'Patient') expect(`Patient/${resource.id}`).toBe(patient);
        else expect(JSON.stringify(resource)).toContain(`"${patient}"`);
        expect(JSON.stringify(resource)).not.toMatch(/Patient\/(mz|ah)-c\d{3}"/);
      }
  }

  it('LV-2, FHIR-SEARCH-23: pages stay full and end without an empty page when the upstream sends everyone', async () => {
    proxy.ignoring = true;
    const raw = (await (
      await fetch(`${proxy.url}/Observation?subject=Patient/${clientId}&_count=60`)
    ).json()) as {
      entry: { resource: { subject: { reference: string } } }[];
    };
    // What the gateway meets: a page of mostly other clients' Observations.
    expect(
      raw.entry.filter((e) => e.resource.subject.reference !== `Patient/${clientId}`).length,
    ).toBeGreaterThan(30);
    const { faithful, ignoring } = await both(relation, '/Observation?_count=4');
    const expected = faithful.flatMap(matchesOf);
    expect(expected.length).toBeGreaterThan(4);
    expect(ignoring.flatMap(matchesOf).sort()).toEqual([...expected].sort());
    const sizes = ignoring.map((p) => matchesOf(p).length);
    expect(sizes.slice(0, -1).every((n) => n === 4)).toBe(true);
    expect(sizes.at(-1)).toBeGreaterThan(0);
    expectNothingOfTheUpstream(ignoring);
    expectOwnOnly(ignoring);
    // Not a measurement among them: the relation is not authorised for those.
    expect(ignoring.map((p) => p.text).join()).not.toContain('vital-signs');
  });

  it('FHIR-SEARCH-38: a narrowing upstream is asked for one entry more than the page shows; only when judge drops one are larger pages asked for', async () => {
    const countsAsked = (from: number) =>
      proxy.searches
        .slice(from)
        .filter((s) => s.includes('/Observation'))
        .map((s) => new URLSearchParams(s.split('?')[1] ?? '').get('_count'));
    proxy.ignoring = false;
    let before = proxy.searches.length;
    const narrowed = await api.fhir(relation.accessToken, '/Observation?_count=4');
    expect(narrowed.status).toBe(200);
    expect(countsAsked(before)).toEqual(['5']);
    proxy.ignoring = true;
    before = proxy.searches.length;
    const ignored = await api.fhir(relation.accessToken, '/Observation?_count=4');
    expect(matchesOf(ignored)).toEqual(matchesOf(narrowed));
    // The small page first; once judge drops a match there, larger ones (FHIR-SEARCH-23 shows they fill the page).
    const asked = countsAsked(before);
    expect(asked[0]).toBe('5');
    expect(asked.slice(1).every((c) => c === '50')).toBe(true);
  });

  it("LV-1, FHIR-SEARCH-24: totals are the gateway's own count of the visible set, never the upstream's", async () => {
    proxy.ignoring = false;
    const faithful = await api.fhir(relation.accessToken, '/Observation?_total=accurate&_count=3');
    proxy.ignoring = true;
    const accurate = await api.fhir(relation.accessToken, '/Observation?_total=accurate&_count=3');
    const count = await api.fhir(relation.accessToken, '/Observation?_summary=count');
    const plain = await api.fhir(relation.accessToken, '/Observation?_count=3');
    expect(faithful.body.total).toBeGreaterThan(3);
    expect(accurate.body.total).toBe(faithful.body.total);
    expect(count.body.total).toBe(faithful.body.total);
    expect(plain.body.total).toBeUndefined();
    expectNothingOfTheUpstream([accurate, count, plain]);
    const own = await allPages(api, client.accessToken, '/Observation?_total=accurate&_count=5');
    expect(own[0]!.body.total).toBe(own.flatMap(matchesOf).length);
    expect(own[0]!.body.total).toBe(
      api.data.resources.filter(
        (r) =>
          r.resourceType === 'Observation' &&
          (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${clientId}`,
      ).length,
    );
    expectOwnOnly(own);
  });

  it('LV-4, FHIR-SEARCH-25: includes through it are the visible ones of the shown matches; no other Patient', async () => {
    const { faithful, ignoring } = await both(
      relation,
      '/Observation?_include=Observation:subject&_include=Observation:performer&_count=5',
    );
    expect(ignoring.flatMap(matchesOf).sort()).toEqual(faithful.flatMap(matchesOf).sort());
    expect([...new Set(ignoring.flatMap(includesOf))]).toEqual([`Patient/${relation.patientId}`]);
    expectNothingOfTheUpstream(ignoring);
    expectOwnOnly(ignoring);
  });

  it('FHIR-SEARCH-26: other types and the compartment form too: the same set, full pages', async () => {
    for (const path of [
      '/Appointment?_count=2',
      '/Condition?_count=1',
      `/Patient/${relation.patientId}/CarePlan?_include=CarePlan:goal`,
      '/DocumentReference?_count=2',
    ]) {
      const { faithful, ignoring } = await both(relation, path);
      // Documents are not among the relation's sections: nothing, either way.
      if (path.startsWith('/DocumentReference')) expect(faithful.flatMap(matchesOf)).toEqual([]);
      else expect(faithful.flatMap(matchesOf).length).toBeGreaterThan(0);
      expect({ path, matches: ignoring.flatMap(matchesOf).sort() }).toEqual({
        path,
        matches: faithful.flatMap(matchesOf).sort(),
      });
      expect(ignoring.flatMap(includesOf).sort()).toEqual(faithful.flatMap(includesOf).sort());
      expectNothingOfTheUpstream(ignoring);
      expectOwnOnly(ignoring);
    }
  });

  it('LV-2, FHIR-SEARCH-29: an upstream that never ends is read up to the limit; the page then says there may be more', async () => {
    proxy.endless = true;
    try {
      const before = proxy.searches.length;
      const first = await api.fhir(relation.accessToken, '/Observation?_count=5');
      expect(first.status).toBe(200);
      expect(matchesOf(first)).toEqual([]);
      const asked = proxy.searches.length - before;
      expect(asked).toBe(SEARCH_LIMITS.pagesPerAnswer);
      // Not "no more": a cursor where the reading stopped, which reads on from there.
      const next = nextLink(first)!;
      expect(next).toMatch(new RegExp(`^${api.fhirBase}/Observation\\?_cursor=`));
      const second = await api.fhir(relation.accessToken, next.slice(api.fhirBase.length));
      expect(second.status).toBe(200);
      expect(proxy.searches.length - before).toBe(2 * SEARCH_LIMITS.pagesPerAnswer);
      expectNothingOfTheUpstream([first, second]);
    } finally {
      proxy.endless = false;
    }
  });

  it('LV-1, FHIR-SEARCH-30: a total that would take too much reading is refused (400 too-costly), not estimated', async () => {
    proxy.endless = true;
    try {
      for (const query of ['_total=accurate', '_summary=count']) {
        const answer = await api.fhir(relation.accessToken, `/Observation?${query}`);
        expect({ query, status: answer.status }).toEqual({ query, status: 400 });
        expect(answer.body.resourceType).toBe('OperationOutcome');
        expect(answer.body.issue[0].code).toBe('too-costly');
        expect(answer.text).not.toContain(String(INFLATED_TOTAL));
      }
    } finally {
      proxy.endless = false;
    }
  });
});
