import { PORTAL_ORIGIN, startFhirApi, type FhirApiUnderTest } from '../support/api';

/**
 * CORS for browser apps (item 5): the registered origin of a portal app gets
 * Access-Control-Allow-Origin on every /fhir answer, whatever its status, so that the app sees the
 * real status instead of an opaque network error; any other origin gets none. The upstream is down
 * here, so that a 5xx is at hand; the gateway's own Patient still answers 200.
 */
describe('CORS on every /fhir answer', () => {
  let api: FhirApiUnderTest;
  let token: string;
  let patientOnly: string;
  let patientId: string;
  const STRANGER = 'http://127.0.0.1:7800';

  beforeAll(async () => {
    api = await startFhirApi({ upstreamUrl: () => 'http://127.0.0.1:9/fhir' });
    const patient = api.gateway.patientOf(api.data.scenarios.elderlyCare[0]!);
    ({ accessToken: token, patientId } = await api.login(patient));
    ({ accessToken: patientOnly } = await api.login(
      patient,
      undefined,
      'openid fhirUser launch/patient patient/Patient.rs',
    ));
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Each answer of interest: what it is, and how to get it from the given origin. */
  const answers = () =>
    [
      ['200 read', 200, token, `/Patient/${patientId}`, {}],
      ['401 no token', 401, undefined, '/Observation', {}],
      ['403 scopes', 403, patientOnly, '/Observation', {}],
      ['404', 404, token, '/Patient/no-such-patient', {}],
      ['405 write', 405, token, '/Observation/o-1', { method: 'PUT', body: '{}' }],
      ['406 xml', 406, token, `/Patient/${patientId}?_format=xml`, {}],
      ['502 upstream down', 502, token, '/Observation', {}],
      ['502 $everything, upstream down', 502, token, `/Patient/${patientId}/$everything`, {}],
    ] as const;

  it('FHIR-INT-11: a registered origin gets Access-Control-Allow-Origin on 200, 401, 403, 404, 405, 406 and 5xx', async () => {
    for (const [what, status, bearer, path, init] of answers()) {
      const answer = await api.fhir(bearer, path, {
        ...init,
        headers: { origin: PORTAL_ORIGIN, 'content-type': 'application/fhir+json' },
      });
      expect([what, answer.status]).toEqual([what, status]);
      expect([what, answer.headers.get('access-control-allow-origin')]).toEqual([what, PORTAL_ORIGIN]);
      expect(answer.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
      expect(answer.headers.get('vary')).toMatch(/origin/i);
      if (status >= 400) expect(answer.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('FHIR-INT-17: /metadata is public: any origin may read it, its 406 and its preflight included', async () => {
    for (const origin of [PORTAL_ORIGIN, STRANGER]) {
      const ok = await api.fhir(undefined, '/metadata', { headers: { origin } });
      const xml = await api.fhir(undefined, '/metadata?_format=xml', { headers: { origin } });
      const preflight = await api.fhir(undefined, '/metadata', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
      expect([ok.status, xml.status, preflight.status]).toEqual([200, 406, 204]);
      for (const answer of [ok, xml, preflight])
        expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('FHIR-INT-12: a preflight from a registered origin is answered with what a portal app sends', async () => {
    const answer = await api.fhir(undefined, '/Observation?_count=5', {
      method: 'OPTIONS',
      headers: {
        origin: PORTAL_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
    expect(answer.headers.get('access-control-allow-methods')).toContain('GET');
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
  });

  it('FHIR-INT-13: an unregistered origin gets no CORS header, on any answer or preflight', async () => {
    for (const [what, status, bearer, path, init] of answers()) {
      const answer = await api.fhir(bearer, path, {
        ...init,
        headers: { origin: STRANGER, 'content-type': 'application/fhir+json' },
      });
      expect([what, answer.status]).toEqual([what, status]);
      expect([what, answer.headers.get('access-control-allow-origin')]).toEqual([what, null]);
    }
    const preflight = await api.fhir(undefined, '/Observation', {
      method: 'OPTIONS',
      headers: { origin: STRANGER, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });
});
