import type { Patient } from '@medplum/fhirtypes';
import type { AccessDecision, PolicyEngine } from '../../../src/consent';
import { StoreError } from '../../../src/store';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import {
  closedPortUrl,
  startHostileUpstream,
  UPSTREAM_SECRET,
  type Garbage,
  type HostileBehaviour,
  type HostileUpstream,
} from '../support/hostile-upstream';
import { resourcesOf, tracesIn } from '../support/leak-check';
import { directPipeline, type DirectPipeline } from '../support/pipeline';

/**
 * Fail closed (issue 10, item 7; leak vector 22): the upstream down, slow, answering garbage, too
 * much or a redirect; the database down; a filter that throws. Each answer is an OperationOutcome
 * with the status of the failure and nothing of the dossier, nor anything the upstream said.
 */
describe('fault injection: the gateway fails closed', () => {
  let api: FhirApiUnderTest;
  let hostile: HostileUpstream;
  const OWN = 'mz-c006';
  let me: LoggedIn;
  let observationId: string;

  /** Nothing of any dossier (not even the caller's own), nothing of the upstream. */
  const noDossier = (answer: FhirAnswer) => {
    expect(answer.body?.resourceType).toBe('OperationOutcome');
    expect(
      tracesIn(api.data, answer, { clientId: 'nobody', upstreamUrls: [hostile.url, api.sandbox.url] }),
    ).toEqual([]);
    expect(answer.text).not.toContain(UPSTREAM_SECRET);
    expect(answer.text).not.toContain('"entry"');
  };
  const get = (path: string) => api.fhir(me.accessToken, path);
  const paths = () => [`/Observation/${observationId}`, '/Observation?_count=5', `/Condition?_count=5`];

  beforeAll(async () => {
    api = await startFhirApi({
      config: { upstream: { timeoutMs: 300, connectTimeoutMs: 200, maxResponseSize: '64kb' } as never },
      upstreamUrl: async (sandbox) => (hostile = await startHostileUpstream(sandbox.url)).url,
    });
    me = await api.login(api.gateway.patientOf(OWN));
    observationId = resourcesOf(api.data, OWN, 'Observation')[0]!.id!;
    // Linked while the upstream is sound; the faults come after.
    expect((await get('/Observation?_count=1')).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await hostile?.close();
  });
  beforeEach(() => hostile.reset());

  const failing: [string, HostileBehaviour, number][] = [
    ['the upstream hangs up', { hangUp: true }, 502],
    ['the upstream answers after the timeout', { delayMs: 1500 }, 504],
    ['the upstream stalls in the middle of the body', { bodyDelayMs: 1500 }, 504],
    ['the upstream redirects to another host', { redirect: true }, 502],
    ['the upstream answers more than upstream.maxResponseSize', { oversizeBytes: 100_000 }, 502],
    ...(['not-json', 'html', 'truncated', 'not-a-bundle'] as Garbage[]).map(
      (garbage): [string, HostileBehaviour, number] => [
        `the upstream answers garbage (${garbage})`,
        { garbage },
        502,
      ],
    ),
    ...[500, 503, 400, 401, 403, 429].map((status): [string, HostileBehaviour, number] => [
      `the upstream answers ${status} with secrets in its body and headers`,
      { errorStatus: status, ownHeaders: true },
      502,
    ]),
  ];

  it.each(failing)(
    'LV-22: %s: an OperationOutcome of the failure, no dossier data',
    async (_what, behaviour, status) => {
      hostile.behave(behaviour);
      for (const path of paths()) {
        const answer = await get(path);
        // A read answered with another resource than the one asked for is the one 404; a search never is.
        const read = !path.includes('?');
        expect([status, ...(read && behaviour.garbage === 'not-a-bundle' ? [404] : [])]).toContain(
          answer.status,
        );
        noDossier(answer);
        expect(answer.headers.get('set-cookie')).toBeNull();
        expect(answer.headers.get('x-upstream-secret')).toBeNull();
      }
    },
  );

  it('LV-22: a search of the upstream that answers more than the cap is 502', async () => {
    hostile.behave({ oversizeBytes: 100_000 });
    const answer = await get('/Observation?_count=5');
    expect(answer.status).toBe(502);
    noDossier(answer);
  });

  it('LV-22: an upstream that answers 200 with an empty body to a search is 502', async () => {
    hostile.behave({ garbage: 'empty-200' });
    const answer = await get('/Observation?_count=5');
    expect(answer.status).toBe(502);
    noDossier(answer);
  });

  it('LV-22: a resource nested too deeply for the filter to walk is a bare 500, nothing of it shown', async () => {
    const depth = 25_000;
    const deep = `${'['.repeat(depth)}"${UPSTREAM_SECRET}deep"${']'.repeat(depth)}`;
    const observation = (id: string) =>
      `{"resourceType":"Observation","id":"${id}","status":"final","category":[{"coding":[{"code":"11591000146107"}]}],` +
      `"code":{"text":"x"},"subject":{"reference":"Patient/${OWN}"},"valueString":"${OWN}-visible","extension":${deep}}`;
    hostile.behave({
      rawAnswer: (path) =>
        path.startsWith('/Observation?')
          ? `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":${observation('deep-1')},"search":{"mode":"match"}}]}`
          : path.startsWith(`/Observation/${observationId}`)
            ? observation(observationId)
            : undefined,
    });
    for (const path of [`/Observation/${observationId}`, '/Observation?_count=5']) {
      const answer = await get(path);
      expect(answer.status).toBe(500);
      noDossier(answer);
      expect(answer.text).not.toContain(`${OWN}-visible`);
    }
  });

  describe('the patient link under faults', () => {
    it("LV-22: a lookup that ignores the identifier (all Patients) links nobody: 502, no one else's data", async () => {
      const fresh = await api.login(api.gateway.patientOf('mz-c007'));
      hostile.behave({ ignoreNarrowing: true, lookupToo: true });
      const answer = await api.fhir(fresh.accessToken, '/Observation?_count=5');
      expect(answer.status).toBe(502);
      noDossier(answer);
    });

    it('LV-22: two upstream Patients with the client number: 502, nothing read', async () => {
      const client = 'mz-c008';
      const fresh = await api.login(api.gateway.patientOf(client));
      const twin = { ...(resourcesOf(api.data, client, 'Patient')[0] as Patient), id: 'twin-of-the-client' };
      hostile.behave({ extraMatches: [twin], lookupToo: true });
      const answer = await api.fhir(fresh.accessToken, '/Observation?_count=5');
      expect(answer.status).toBe(502);
      noDossier(answer);
      expect(hostile.dossierRequests().filter((r) => r.path.startsWith('/Observation'))).toEqual([]);
    });

    it('LV-22: a lookup answered with an error is 502 and is tried again later', async () => {
      const client = 'mz-c009';
      const fresh = await api.login(api.gateway.patientOf(client));
      hostile.behave({ errorStatus: 500, lookupToo: true });
      const answer = await api.fhir(fresh.accessToken, '/Observation?_count=5');
      expect(answer.status).toBe(502);
      noDossier(answer);
      hostile.reset();
      expect((await api.fhir(fresh.accessToken, '/Observation?_count=5')).status).toBe(200);
    });
  });

  describe('the pipeline driven directly', () => {
    let direct: DirectPipeline | undefined;
    afterEach(async () => {
      await direct?.close();
      direct = undefined;
    });

    it('LV-22: the upstream down (a closed port) is 502 with an OperationOutcome', async () => {
      direct = directPipeline(api, await closedPortUrl());
      const url = await direct.serve();
      for (const path of paths()) {
        const answer = await fetchAnswer(`${url}${path}`, me.accessToken);
        expect(answer.status).toBe(502);
        noDossier(answer);
      }
    });

    it('LV-22: a filter that throws is a bare 500: nothing of the body, nothing of the error', async () => {
      direct = directPipeline(api, hostile.url, (deps) => ({ engine: throwingJudge(deps.engine) }));
      const url = await direct.serve();
      for (const path of paths()) {
        const answer = await fetchAnswer(`${url}${path}`, me.accessToken);
        expect(answer.status).toBe(500);
        noDossier(answer);
        expect(answer.text).not.toContain('FILTER-SECRET');
      }
      // The failure is recorded as a refusal that showed nothing.
      expect(direct.audit.entries.length).toBeGreaterThan(0);
      for (const entry of direct.audit.entries) {
        expect(entry.status).toBe(500);
        expect(entry.shown).toEqual([]);
      }
    });

    it('LV-22: the consent store timing out is 503, not an unfiltered answer', async () => {
      direct = directPipeline(api, hostile.url, (deps) => ({
        engine: new Proxy(deps.engine, {
          get: (target, name) =>
            name === 'check'
              ? async () => {
                  throw new StoreError('ERR_STORE_UNREACHABLE', 'FILTER-SECRET: connection timed out');
                }
              : Reflect.get(target, name, target),
        }) as PolicyEngine,
      }));
      const url = await direct.serve();
      const answer = await fetchAnswer(`${url}/Observation?_count=5`, me.accessToken);
      expect(answer.status).toBe(503);
      noDossier(answer);
      expect(answer.text).not.toContain('FILTER-SECRET');
      expect(hostile.dossierRequests()).toEqual([]);
    });

    it('LV-22: an audit record that cannot be written is 503: no unaudited answer', async () => {
      direct = directPipeline(api, hostile.url, () => ({
        audit: {
          record: async () => {
            throw new Error('FILTER-SECRET: the audit trail is full');
          },
        },
      }));
      const url = await direct.serve();
      const answer = await fetchAnswer(`${url}/Observation?_count=5`, me.accessToken);
      expect(answer.status).toBe(503);
      noDossier(answer);
      expect(answer.text).not.toContain('FILTER-SECRET');
    });
  });

  // Last: it takes the gateway's database away.
  describe('the database down', () => {
    it('LV-22: with the database closed under the running gateway, a FHIR request is 503 with an OperationOutcome', async () => {
      await api.gateway.running.store.close();
      for (const path of paths()) {
        const answer = await get(path);
        expect(answer.status).toBe(503);
        noDossier(answer);
      }
      expect(hostile.dossierRequests()).toEqual([]);
    });
  });
});

/** A GET with a token, answered as the api helper answers (status, headers, text, parsed body). */
async function fetchAnswer(url: string, token: string): Promise<FhirAnswer> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** The real engine, whose decisions' filters throw (as a bug in judge would). */
function throwingJudge(engine: PolicyEngine): PolicyEngine {
  const boom = () => {
    throw new Error('FILTER-SECRET: judge failed on Observation/mz-c006-rap01');
  };
  return new Proxy(engine, {
    get(target, name) {
      if (name !== 'check') return Reflect.get(target, name, target);
      return async (...args: Parameters<PolicyEngine['check']>) => {
        const decision = await target.check(...args);
        return new Proxy(decision, {
          get(d, key) {
            if (key === 'judge') return boom;
            if (key === 'inCompartmentOf')
              return (patient: Parameters<AccessDecision['inCompartmentOf']>[0]) => ({
                ...d.inCompartmentOf(patient),
                judge: boom,
              });
            const value = Reflect.get(d, key, d) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(d) : value;
          },
        });
      };
    },
  });
}
