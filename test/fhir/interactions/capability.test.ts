import { validateResource } from '@medplum/core';
import type { CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../../src/definitions';
import { startFhirApi, type FhirApiUnderTest } from '../support/api';
import { startProxyUpstream, type ProxyUpstream } from './proxy-upstream';

/**
 * `/fhir/metadata` says what the API does, and the API does it: every interaction the statement
 * claims answers, and what it says is refused is refused. Formats (item 5) and writes (item 3: 405,
 * and nothing reaches the upstream, which here counts every call).
 */
describe('the CapabilityStatement, formats and writes', () => {
  let api: FhirApiUnderTest;
  let upstream: ProxyUpstream;
  let token: string;
  let patientId: string;
  let statement: CapabilityStatement;

  beforeAll(async () => {
    api = await startFhirApi({
      upstreamUrl: async (sandbox) => (upstream = await startProxyUpstream(sandbox.url)).url,
    });
    const client = api.data.scenarios.elderlyCare[0]!;
    ({ accessToken: token, patientId } = await api.login(api.gateway.patientOf(client)));
    statement = (await api.fhir(undefined, '/metadata')).body as CapabilityStatement;
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
  });

  it('FHIR-INT-1: /metadata is a valid CapabilityStatement with the SMART security extension', async () => {
    loadFhirDefinitions();
    expect(() => validateResource(statement as Resource)).not.toThrow();
    const [rest] = statement.rest!;
    expect(rest!.security?.service?.[0]?.coding?.[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
      code: 'SMART-on-FHIR',
    });
    const oauth = rest!.security?.extension?.find(
      (e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
    );
    expect(oauth?.extension?.map((e) => e.url)).toEqual(expect.arrayContaining(['authorize', 'token']));
    for (const refused of ['_has', '_filter', '_text', '_content', '_type', 'chained', 'transaction', '405'])
      expect(rest!.documentation).toContain(refused);
    const types = rest!.resource!.map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining(['Patient', 'RelatedPerson', 'Observation', 'CarePlan', 'Task']),
    );
    // Never shown, so not offered: types outside the compartment or outside every section.
    for (const never of ['Practitioner', 'Organization', 'Medication']) expect(types).not.toContain(never);
    const task = rest!.resource!.find((r) => r.type === 'Task')!;
    expect(task.interaction!.map((i) => i.code)).toEqual(['create', 'read', 'search-type']);
    const observation = rest!.resource!.find((r) => r.type === 'Observation')!;
    expect(observation.interaction!.map((i) => i.code)).toEqual([
      'read',
      'vread',
      'search-type',
      'history-instance',
    ]);
    expect(observation.searchParam!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['category', 'code', 'date', 'patient', '_count', '_sort', '_lastUpdated']),
    );
    expect(observation.searchInclude).toEqual(expect.arrayContaining(['Observation:has-member']));
    expect(observation.searchInclude).not.toContain('Observation:subject');
    const patient = rest!.resource!.find((r) => r.type === 'Patient')!;
    expect(patient.operation?.map((o) => o.name)).toEqual(['everything']);
    // The client's access log, from the audit trail: read and search, nothing else.
    const auditEvent = rest!.resource!.find((r) => r.type === 'AuditEvent')!;
    expect(auditEvent.interaction!.map((i) => i.code)).toEqual(['read', 'search-type']);
    expect(auditEvent.searchParam!.map((p) => p.name)).toEqual(['patient', 'date', '_count', '_sort']);
    expect(auditEvent.searchInclude).toBeUndefined();
    expect(rest!.documentation).toContain('access log');
  });

  it('FHIR-INT-2: every interaction the statement claims answers; a refused one answers 4xx', async () => {
    const resources = statement.rest![0]!.resource!.filter(
      (r) => r.type !== 'Task' && r.type !== 'Consent' && r.type !== 'AuditEvent',
    );
    let exercised = 0;
    for (const resource of resources) {
      const codes = resource.interaction!.map((i) => i.code);
      expect(codes).toContain('search-type');
      const search = await api.fhir(token, `/${resource.type}?_count=1`);
      expect([resource.type, search.status]).toEqual([resource.type, 200]);
      const found = search.body.entry?.[0]?.resource as Resource | undefined;
      if (!found) continue;
      const read = await api.fhir(token, `/${found.resourceType}/${found.id}`);
      expect([resource.type, read.status]).toEqual([resource.type, 200]);
      const vread = await api.fhir(
        token,
        `/${found.resourceType}/${found.id}/_history/${found.meta!.versionId}`,
      );
      expect([resource.type, vread.status]).toEqual([resource.type, 200]);
      const history = await api.fhir(token, `/${found.resourceType}/${found.id}/_history`);
      expect([resource.type, history.status, history.body.type]).toEqual([resource.type, 200, 'history']);
      exercised += 1;
    }
    expect(exercised).toBeGreaterThanOrEqual(5);
    // Every _include and _revinclude it names is accepted.
    for (const resource of resources) {
      for (const [name, values] of [
        ['_include', resource.searchInclude ?? []],
        ['_revinclude', resource.searchRevInclude ?? []],
      ] as const) {
        for (const value of values) {
          const answer = await api.fhir(token, `/${resource.type}?${name}=${value}&_count=1`);
          expect([resource.type, name, value, answer.status]).toEqual([resource.type, name, value, 200]);
        }
      }
    }
    expect((await api.fhir(token, `/Patient/${patientId}/$everything`)).status).toBe(200);
    // The access log: its search and read answer; it has no versions to read.
    const log = await api.fhir(token, '/AuditEvent?_count=1');
    expect(log.status).toBe(200);
    const event = log.body.entry[0].resource as Resource;
    expect((await api.fhir(token, `/AuditEvent/${event.id}`)).status).toBe(200);
    expect((await api.fhir(token, `/AuditEvent/${event.id}/_history`)).status).toBe(405);
    const refused = [
      `/Observation?_has:Observation:patient:code=x`,
      `/Observation?subject.name=x`,
      `/Observation?_filter=code eq x`,
      `/Observation?_text=x`,
      `/Observation?_content=x`,
      `/Observation?_type=Observation,CarePlan`,
      `/Observation/_history`,
      `/_history`,
      `/Observation?_format=xml`,
    ];
    for (const path of refused) {
      const answer = await api.fhir(token, path);
      expect([path, answer.status >= 400 && answer.status < 500]).toEqual([path, true]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
    const task = await api.fhir(token, '/Task', { method: 'PUT', body: '{}' });
    expect(task.status).toBe(405);
  });

  it('FHIR-INT-18: every search parameter the statement lists is accepted', async () => {
    const valueOf = (type: string, name: string, kind: string): string => {
      if (name === '_sort') return type === 'AuditEvent' ? '-date' : '_lastUpdated';
      if (name === '_id' && type === 'Patient') return patientId;
      const values: Record<string, string> = {
        token: 'x',
        string: 'x',
        date: '2020',
        reference: `Patient/${patientId}`,
        number: '1',
        quantity: '1',
        uri: 'http://x.example',
      };
      return values[kind]!;
    };
    let tried = 0;
    for (const resource of statement.rest![0]!.resource!) {
      for (const p of resource.searchParam ?? []) {
        const value = encodeURIComponent(valueOf(resource.type, p.name, p.type));
        const answer = await api.fhir(token, `/${resource.type}?${p.name}=${value}`);
        expect([resource.type, p.name, answer.status]).toEqual([resource.type, p.name, 200]);
        tried += 1;
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('FHIR-INT-3: Accept application/json, application/fhir+json and _format=json give FHIR JSON', async () => {
    for (const [path, accept] of [
      [`/Patient/${patientId}`, 'application/json'],
      [`/Patient/${patientId}`, 'application/fhir+json'],
      [`/Patient/${patientId}?_format=json`, undefined],
      [`/Patient/${patientId}?_format=application/fhir%2Bjson`, 'application/fhir+json'],
      [`/Observation?_count=2&_format=json`, 'application/json'],
      ['/metadata', 'application/json'],
    ] as const) {
      const answer = await api.fhir(token, path, accept ? { headers: { accept } } : {});
      expect([path, accept, answer.status]).toEqual([path, accept, 200]);
      expect(answer.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      expect(typeof answer.body.resourceType).toBe('string');
    }
  });

  it('FHIR-INT-4: XML (Accept or _format) is refused with a 406 OperationOutcome', async () => {
    for (const [path, accept] of [
      [`/Patient/${patientId}`, 'application/fhir+xml'],
      [`/Patient/${patientId}?_format=xml`, undefined],
      [`/Observation?_format=application/fhir%2Bxml`, undefined],
      ['/metadata?_format=xml', undefined],
      ['/metadata', 'application/fhir+xml'],
    ] as const) {
      const answer = await api.fhir(token, path, accept ? { headers: { accept } } : {});
      expect([path, answer.status]).toEqual([path, 406]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('LV-15: writes on the dossier, a batch and a transaction get 405 and never reach the upstream', async () => {
    // The patient link is resolved first, so that any upstream call afterwards is the write's.
    expect((await api.fhir(token, '/Observation?_count=1')).status).toBe(200);
    const before = upstream.calls.length;
    const json = { 'content-type': 'application/fhir+json' };
    const observation = JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    const bundle = (type: string) => JSON.stringify({ resourceType: 'Bundle', type, entry: [] });
    for (const [method, path, body] of [
      ['POST', '/Observation', observation],
      ['PUT', '/Observation/o-1', observation],
      ['PATCH', '/Observation/o-1', '[]'],
      ['DELETE', '/Observation/o-1', undefined],
      ['POST', '/CarePlan', '{"resourceType":"CarePlan"}'],
      ['PUT', `/Patient/${patientId}`, '{"resourceType":"Patient"}'],
      ['DELETE', `/Patient/${patientId}`, undefined],
      ['PUT', '/Consent/c-1', '{"resourceType":"Consent"}'],
      ['POST', '/', bundle('batch')],
      ['POST', '/', bundle('transaction')],
    ] as const) {
      const answer = await api.fhir(token, path, { method, headers: json, ...(body ? { body } : {}) });
      expect([method, path, answer.status]).toEqual([method, path, 405]);
      expect(answer.body.resourceType).toBe('OperationOutcome');
    }
    expect(upstream.calls.slice(before)).toEqual([]);
  });
});
