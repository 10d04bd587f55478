import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { allPages, matchesOf, nextLink } from '../support/pages';

/** One search, whatever its form: GET, POST _search, HEAD, the compartment path (leak vector 24). */
describe('search forms', () => {
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

  /** The body without the cursors' tokens (they carry their moment of sealing). */
  const withoutTokens = (text: string) => text.replace(/_cursor=[^"&]+/g, '_cursor=…');

  it('FHIR-SEARCH-19, LV-24: POST _search with a form body gives what GET gives, cursors included', async () => {
    const get = await api.fhir(
      client.accessToken,
      '/Observation?category=vital-signs&_count=3&_total=accurate',
    );
    const post = await api.fhir(client.accessToken, '/Observation/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'category=vital-signs&_count=3&_total=accurate',
    });
    expect(post.status).toBe(200);
    expect(withoutTokens(post.text)).toBe(withoutTokens(get.text));
    const mixed = await api.fhir(client.accessToken, '/Observation/_search?category=vital-signs', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_count=3&_total=accurate',
    });
    expect(withoutTokens(mixed.text)).toBe(withoutTokens(get.text));
    // A cursor made by a POST is followed with GET, to the same pages as GET's own.
    const fromPost = await allPages(api, client.accessToken, nextLink(post)!.slice(api.fhirBase.length));
    const fromGet = await allPages(api, client.accessToken, nextLink(get)!.slice(api.fhirBase.length));
    expect(fromPost.flatMap(matchesOf)).toEqual(fromGet.flatMap(matchesOf));
  });

  it('FHIR-SEARCH-20, LV-24: HEAD answers as GET does, without a body', async () => {
    const get = await api.fhir(client.accessToken, '/Observation?_count=2');
    const head = await api.fhir(client.accessToken, '/Observation?_count=2', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    const refused = await api.fhir(client.accessToken, '/Observation?_has:Observation:patient:code=x', {
      method: 'HEAD',
    });
    expect(refused.status).toBe(400);
  });

  it('FHIR-SEARCH-21: Patient/<id>/Observation is Observation?patient=…, paged on the compartment path', async () => {
    const compartment = await allPages(
      api,
      client.accessToken,
      `/Patient/${client.patientId}/Observation?_count=8`,
    );
    const plain = await allPages(
      api,
      client.accessToken,
      `/Observation?patient=Patient/${client.patientId}&_count=8`,
    );
    expect(compartment.flatMap(matchesOf)).toEqual(plain.flatMap(matchesOf));
    expect(compartment.flatMap(matchesOf)).toHaveLength(20);
    expect(compartment[0]!.body.link[0].url).toBe(
      `${api.fhirBase}/Patient/${client.patientId}/Observation?_count=8`,
    );
    expect(nextLink(compartment[0]!)).toMatch(
      new RegExp(`^${api.fhirBase}/Patient/${client.patientId}/Observation\\?_cursor=`),
    );
    // A compartment's cursor opens only on that compartment path.
    const token = new URL(nextLink(compartment[0]!)!).searchParams.get('_cursor')!;
    expect(
      (await api.fhir(client.accessToken, `/Observation?_cursor=${encodeURIComponent(token)}`)).status,
    ).toBe(410);
  });

  it("FHIR-SEARCH-22: another patient's compartment is refused, whether or not it exists", async () => {
    const answers = await Promise.all(
      [`/Patient/${other.patientId}/Observation`, '/Patient/no-such-client/Observation'].map((path) =>
        api.fhir(client.accessToken, path),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.text).not.toContain('Observation/');
    }
    expect(answers[0]!.body.issue[0].details).toEqual(answers[1]!.body.issue[0].details);
    const param = await api.fhir(client.accessToken, `/Observation?patient=Patient/${other.patientId}`);
    expect(param.status).toBe(400);
  });
});
