import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { allPages, matchesOf, nextLink } from '../support/pages';

/** Paging through the gateway: its own signed cursors, full pages, no upstream link (leak vector 3). */
describe('search paging', () => {
  let api: FhirApiUnderTest;
  let client: LoggedIn;
  let other: LoggedIn;
  const clientId = 'mz-c006';

  beforeAll(async () => {
    api = await startFhirApi();
    client = await api.login(api.gateway.patientOf(clientId));
    other = await api.login(api.gateway.patientOf('mz-c007'));
  });
  afterAll(async () => {
    await api?.close();
  });

  const ownObservations = () =>
    api.data.resources
      .filter(
        (r) =>
          r.resourceType === 'Observation' &&
          (r as { subject?: { reference?: string } }).subject?.reference === `Patient/${clientId}`,
      )
      .map((r) => `Observation/${r.id}`)
      .sort();

  it('FHIR-SEARCH-1, LV-3: pages of _count follow signed cursors of the gateway to the whole set, full but the last', async () => {
    const pages = await allPages(api, client.accessToken, '/Observation?_count=6');
    const expected = ownObservations();
    expect(expected.length).toBe(20);
    expect(pages.map((p) => matchesOf(p).length)).toEqual([6, 6, 6, 2]);
    const seen = pages.flatMap(matchesOf);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(expected);
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body.total).toBeUndefined();
      expect(page.text).not.toContain(api.sandbox.url);
      expect(page.text).not.toContain('_offset');
      for (const link of page.body.link)
        expect(link.url.startsWith(`${api.fhirBase}/Observation?`)).toBe(true);
    }
    for (const page of pages.slice(0, -1))
      expect(nextLink(page)).toMatch(new RegExp(`^${api.fhirBase}/Observation\\?_cursor=[^&]+$`));
    expect(nextLink(pages.at(-1)!)).toBeUndefined();
    expect(pages[0]!.body.link[0]).toEqual({ relation: 'self', url: `${api.fhirBase}/Observation?_count=6` });
  });

  it('FHIR-SEARCH-2: a page that holds exactly the rest promises no next page (no empty last page)', async () => {
    const pages = await allPages(api, client.accessToken, '/Observation?_count=10');
    expect(pages.map((p) => matchesOf(p).length)).toEqual([10, 10]);
    const whole = await api.fhir(client.accessToken, '/Observation');
    // The default page size (20) holds all of them: one page, no next.
    expect(matchesOf(whole)).toHaveLength(20);
    expect(nextLink(whole)).toBeUndefined();
  });

  it('FHIR-SEARCH-3, LV-3: a cursor keeps the search it was made for: its parameters travel sealed', async () => {
    const first = await api.fhir(client.accessToken, '/Observation?category=vital-signs&_count=3');
    expect(matchesOf(first)).toHaveLength(3);
    const pages = await allPages(api, client.accessToken, '/Observation?category=vital-signs&_count=3');
    const seen = pages.flatMap(matchesOf);
    expect(seen.every((ref) => ref.includes('-meting'))).toBe(true);
    expect(seen).toHaveLength(8);
  });

  it('FHIR-SEARCH-4, LV-3: a cursor of another user, another query, tampered or made up is refused with 410', async () => {
    const first = await api.fhir(client.accessToken, '/Observation?_count=5');
    const next = nextLink(first)!;
    const path = next.slice(api.fhirBase.length);
    const token = new URL(next).searchParams.get('_cursor')!;
    expect((await api.fhir(client.accessToken, path)).status).toBe(200);

    const refused = async (who: string, cursorPath: string) => {
      const answer = await api.fhir(who, cursorPath);
      expect({ path: cursorPath, status: answer.status }).toEqual({ path: cursorPath, status: 410 });
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.text).not.toContain('Observation/');
    };
    await refused(other.accessToken, path);
    await refused(client.accessToken, `/Condition?_cursor=${encodeURIComponent(token)}`);
    await refused(client.accessToken, `${path}&category=vital-signs`);
    await refused(
      client.accessToken,
      `/Patient/${client.patientId}/Observation?_cursor=${encodeURIComponent(token)}`,
    );
    // Sealed, not only signed: nothing of the upstream can be read from it, nothing changed in it.
    const raw = Buffer.from(token, 'base64url');
    expect(raw.toString('latin1')).not.toMatch(/Observation|Patient|mz-c|_offset/);
    for (const at of [0, 20, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at] = changed[at]! ^ 1;
      await refused(client.accessToken, `/Observation?_cursor=${changed.toString('base64url')}`);
    }
    await refused(
      client.accessToken,
      `/Observation?_cursor=${raw.subarray(0, raw.length - 1).toString('base64url')}`,
    );
    await refused(client.accessToken, '/Observation?_cursor=made-up');
  });

  it('FHIR-SEARCH-5: _count above the maximum is the maximum; a _count that is no number is refused', async () => {
    const big = await api.fhir(client.accessToken, '/Observation?_count=5000');
    expect(big.status).toBe(200);
    expect(matchesOf(big)).toHaveLength(20);
    expect((await api.fhir(client.accessToken, '/Observation?_count=many')).status).toBe(400);
    expect((await api.fhir(client.accessToken, '/Observation?_count=2&_count=3')).status).toBe(400);
  });

  it('FHIR-SEARCH-6: _sort passes and the upstream order is kept, page after page', async () => {
    const pages = await allPages(api, client.accessToken, '/Observation?_sort=-date&_count=7');
    const dates = pages.flatMap((p) =>
      (p.body.entry ?? []).map((e: { resource: { effectiveDateTime: string } }) =>
        Date.parse(e.resource.effectiveDateTime),
      ),
    );
    expect(dates).toHaveLength(20);
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
  });

  it("FHIR-SEARCH-7: the gateway's own types page the same way (Patient: the client alone)", async () => {
    const patients = await allPages(api, client.accessToken, '/Patient?_count=1');
    expect(patients.flatMap(matchesOf)).toEqual([`Patient/${client.patientId}`]);
    expect(nextLink(patients[0]!)).toBeUndefined();
  });
});
