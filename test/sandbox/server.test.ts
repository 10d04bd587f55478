import { validateResource } from '@medplum/core';
import type {
  Bundle,
  CapabilityStatement,
  Observation,
  OperationOutcome,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../src/definitions';
import { generateSandboxData, startSandboxServer, type SandboxServer } from '../../src/sandbox';
import { TODAY } from './helpers';

const FHIR_JSON = /^application\/fhir\+json/;

interface Answer<T> {
  status: number;
  contentType: string | null;
  body: T;
}

async function call<T = Resource>(url: string, init?: RequestInit): Promise<Answer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

function searchForm(params: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  };
}

describe('sandbox server (read only)', () => {
  const data = generateSandboxData({ today: TODAY });
  const patientId = data.scenarios.firstContactAuthorised;
  let server: SandboxServer;

  beforeAll(async () => {
    loadFhirDefinitions();
    server = await startSandboxServer({ data, port: 0 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 with a /fhir base', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/fhir`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('reads a Patient exactly as generated, with FHIR JSON and an ETag', async () => {
    const response = await fetch(`${server.url}/Patient/${patientId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(FHIR_JSON);
    expect(response.headers.get('etag')).toBe('W/"1"');
    const patient = (await response.json()) as Patient;
    expect(patient).toEqual(data.resources.find((r) => r.resourceType === 'Patient' && r.id === patientId));
  });

  it('answers an unknown id with 404 and an OperationOutcome', async () => {
    const answer = await call<OperationOutcome>(`${server.url}/Patient/does-not-exist`);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toMatch(FHIR_JSON);
    expect(answer.body.resourceType).toBe('OperationOutcome');
    expect(answer.body.issue?.[0]?.code).toBe('not-found');
  });

  it('answers an unknown resource type and a path outside /fhir with 404', async () => {
    expect((await call(`${server.url}/Nonsense/1`)).status).toBe(404);
    const outside = await call<OperationOutcome>(server.url.replace('/fhir', '/other'));
    expect(outside.status).toBe(404);
    expect(outside.body.resourceType).toBe('OperationOutcome');
  });

  it('reads version 1 (vread) and the history of a resource', async () => {
    const version = await call<Patient>(`${server.url}/Patient/${patientId}/_history/1`);
    expect(version.status).toBe(200);
    expect(version.body.id).toBe(patientId);
    expect((await call(`${server.url}/Patient/${patientId}/_history/2`)).status).toBe(404);
    const history = await call<Bundle>(`${server.url}/Patient/${patientId}/_history`);
    expect(history.body.type).toBe('history');
    expect(history.body.entry).toHaveLength(1);
  });

  it("searches Observation?patient=X&category=vital-signs and returns only X's vital signs", async () => {
    const expected = data.resources.filter(
      (r): r is Observation =>
        r.resourceType === 'Observation' &&
        r.subject?.reference === `Patient/${patientId}` &&
        r.category?.[0]?.coding?.[0]?.code === 'vital-signs',
    );
    const answer = await call<Bundle<Observation>>(
      `${server.url}/Observation?patient=${patientId}&category=vital-signs`,
    );
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(FHIR_JSON);
    expect(answer.body.type).toBe('searchset');
    expect(answer.body.total).toBe(expected.length);
    const found = (answer.body.entry ?? []).map((e) => e.resource as Observation);
    expect(found.map((o) => o.id).sort()).toEqual(expected.map((o) => o.id).sort());
    for (const observation of found) {
      expect(observation.subject?.reference).toBe(`Patient/${patientId}`);
      expect(observation.category?.[0]?.coding?.[0]?.code).toBe('vital-signs');
    }
    for (const entry of answer.body.entry ?? []) {
      expect(entry.fullUrl).toBe(`${server.url}/Observation/${entry.resource?.id}`);
    }
    expect(answer.body.link?.find((l) => l.relation === 'self')?.url).toContain(`${server.url}/Observation?`);
  });

  it('gives the same answer to POST _search as to GET, with parameters in body and URL', async () => {
    const get = await call<Bundle>(
      `${server.url}/Observation?patient=Patient/${patientId}&category=vital-signs`,
    );
    const post = await call<Bundle>(
      `${server.url}/Observation/_search`,
      searchForm({ patient: `Patient/${patientId}`, category: 'vital-signs' }),
    );
    expect(post.status).toBe(200);
    expect(post.body.entry?.map((e) => e.resource?.id)).toEqual(get.body.entry?.map((e) => e.resource?.id));
    const mixed = await call<Bundle>(
      `${server.url}/Observation/_search?category=vital-signs`,
      searchForm({ patient: `Patient/${patientId}` }),
    );
    expect(mixed.body.total).toBe(get.body.total);
  });

  it('finds reports by the SNOMED daily-report code, and appointments by patient', async () => {
    const reports = await call<Bundle<Observation>>(
      `${server.url}/Observation?patient=${patientId}&code=http://snomed.info/sct|11591000146107`,
    );
    expect(reports.body.total).toBeGreaterThanOrEqual(8);
    expect(reports.body.entry?.every((e) => e.resource?.valueString)).toBe(true);
    const appointments = await call<Bundle>(`${server.url}/Appointment?patient=${patientId}`);
    expect(appointments.body.total).toBeGreaterThanOrEqual(3);
  });

  it('pages searches with next and previous links that walk the whole result', async () => {
    const total = data.resources.filter((r) => r.resourceType === 'Observation').length;
    const seen = new Set<string>();
    let url: string | undefined = `${server.url}/Observation?_count=200`;
    let pages = 0;
    while (url) {
      const page: Answer<Bundle> = await call<Bundle>(url);
      expect(page.body.total).toBe(total);
      for (const entry of page.body.entry ?? []) {
        seen.add(entry.resource?.id as string);
      }
      if (pages > 0) {
        expect(page.body.link?.some((l) => l.relation === 'previous')).toBe(true);
      }
      url = page.body.link?.find((l) => l.relation === 'next')?.url;
      pages++;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 200));
    const defaultPage = await call<Bundle>(`${server.url}/Observation`);
    expect(defaultPage.body.entry).toHaveLength(50);
  });

  it('refuses unknown search parameters and _has, unless asked to be lenient', async () => {
    const unknown = await call<OperationOutcome>(
      `${server.url}/Observation?patient=${patientId}&colour=blue`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue?.[0]?.details?.text).toContain('colour');
    expect((await call(`${server.url}/Patient?_has:Observation:patient:code=1234`)).status).toBe(400);
    const lenient = await call<Bundle>(`${server.url}/Observation?patient=${patientId}&colour=blue`, {
      headers: { prefer: 'handling=lenient' },
    });
    expect(lenient.status).toBe(200);
    expect(lenient.body.total).toBeGreaterThan(10);
    expect(lenient.body.link?.[0]?.url).not.toContain('colour');
    expect((await call(`${server.url}/Observation?date=not-a-date`)).status).toBe(400);
  });

  it('B20: an operation at any level ($everything, $lastn, $meta, …) is a 501 OperationOutcome naming it', async () => {
    const operations: [string, string, string][] = [
      ['GET', `/Patient/${patientId}/$everything`, '$everything'],
      ['GET', '/Observation/$lastn', '$lastn'],
      ['GET', `/Patient/${patientId}/$meta`, '$meta'],
      ['GET', `/Patient/${patientId}/_history/1/$meta`, '$meta'],
      ['POST', '/Patient/$validate', '$validate'],
      ['GET', '/$export', '$export'],
    ];
    for (const [method, path, operation] of operations) {
      const answer = await call<OperationOutcome>(`${server.url}${path}`, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/fhir+json' }, body: '{"resourceType":"Parameters"}' }
          : {}),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 501 });
      expect(answer.contentType).toMatch(FHIR_JSON);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue?.[0]?.code).toBe('not-supported');
      expect(answer.body.issue?.[0]?.details?.text).toContain(operation);
    }
    const head = await fetch(`${server.url}/Patient/${patientId}/$everything`, { method: 'HEAD' });
    expect(head.status).toBe(501);
    expect(await head.text()).toBe('');
  });

  it('B20: a _count or _offset that is not a whole number is a 400 OperationOutcome naming it', async () => {
    for (const value of ['abc', '-1', '1.5', '', '1e2', ' 5']) {
      const answer = await call<OperationOutcome>(
        `${server.url}/Observation?patient=${patientId}&_count=${encodeURIComponent(value)}`,
      );
      expect({ value, status: answer.status }).toEqual({ value, status: 400 });
      expect(answer.contentType).toMatch(FHIR_JSON);
      expect(answer.body.resourceType).toBe('OperationOutcome');
      expect(answer.body.issue?.[0]?.code).toBe('invalid');
      expect(answer.body.issue?.[0]?.details?.text).toContain('_count');
    }
    const post = await call<OperationOutcome>(
      `${server.url}/Observation/_search`,
      searchForm({ patient: patientId, _count: 'abc' }),
    );
    expect(post.status).toBe(400);
    expect(post.body.issue?.[0]?.details?.text).toContain('_count');
    const offset = await call<OperationOutcome>(`${server.url}/Observation?_offset=later`);
    expect(offset.status).toBe(400);
    expect(offset.body.issue?.[0]?.details?.text).toContain('_offset');
  });

  it('B20: _count=0 gives the total without entries, and a count above 1000 is capped', async () => {
    const none = await call<Bundle>(`${server.url}/Observation?patient=${patientId}&_count=0`);
    expect(none.status).toBe(200);
    expect(none.body.total).toBeGreaterThan(0);
    expect(none.body.entry).toBeUndefined();
    const many = await call<Bundle>(`${server.url}/Observation?_count=5000`);
    expect(many.status).toBe(200);
    expect(many.body.link?.find((l) => l.relation === 'self')?.url).toContain('_count=1000');
  });

  it('supports _include of the performing practitioner', async () => {
    const answer = await call<Bundle>(
      `${server.url}/Observation?patient=${patientId}&category=vital-signs&_include=Observation:performer`,
    );
    const included = (answer.body.entry ?? []).filter((e) => e.search?.mode === 'include');
    expect(included.length).toBeGreaterThan(0);
    expect(included.every((e) => e.resource?.resourceType === 'Practitioner')).toBe(true);
  });

  it('answers HEAD without a body', async () => {
    const response = await fetch(`${server.url}/Patient/${patientId}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses writes with 405', async () => {
    const create = await call<OperationOutcome>(`${server.url}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(create.status).toBe(405);
    expect(create.body.resourceType).toBe('OperationOutcome');
    const remove = await call(`${server.url}/Patient/${patientId}`, { method: 'DELETE' });
    expect(remove.status).toBe(405);
    expect((await call(`${server.url}/Patient/${patientId}`)).status).toBe(200);
  });

  it('serves its own CapabilityStatement at /metadata', async () => {
    const answer = await call<CapabilityStatement>(`${server.url}/metadata`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(FHIR_JSON);
    const statement = answer.body;
    expect(statement.resourceType).toBe('CapabilityStatement');
    expect(statement.fhirVersion).toBe('4.0.1');
    expect(validateResource(statement)).toEqual([]);
    const patient = statement.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
    expect(patient?.interaction?.map((i) => i.code)).toEqual([
      'read',
      'vread',
      'history-instance',
      'search-type',
    ]);
    expect(patient?.supportedProfile).toEqual(['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient']);
    const observation = statement.rest?.[0]?.resource?.find((r) => r.type === 'Observation');
    expect(observation?.searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['patient', 'category', 'code']),
    );
  });

  it('answers a vital-signs search for one patient quickly (MemoryRepository scans every Observation)', async () => {
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      await call(`${server.url}/Observation?patient=${patientId}&category=vital-signs`);
    }
    // Measured at about 20 ms; MemoryRepository deciding the shared `patient` itself takes about 900 ms.
    expect((performance.now() - started) / 10).toBeLessThan(350);
  });
});

describe('sandbox server (writable, for tests that need versions)', () => {
  it('takes an update and keeps both versions', async () => {
    const data = generateSandboxData({ clients: 25, today: TODAY });
    const server = await startSandboxServer({ data, port: 0, writable: true });
    try {
      const id = data.scenarios.deceased;
      const current = await call<Patient>(`${server.url}/Patient/${id}`);
      const update = await call<Patient>(`${server.url}/Patient/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ ...current.body, active: false }),
      });
      expect(update.status).toBe(200);
      expect(update.body.meta?.versionId).not.toBe('1');
      const history = await call<Bundle>(`${server.url}/Patient/${id}/_history`);
      expect(history.body.entry).toHaveLength(2);
      expect((await call(`${server.url}/Patient/${id}/_history/1`)).status).toBe(200);
      const invalid = await call(`${server.url}/Patient/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json' },
        body: '{not json',
      });
      expect(invalid.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('closes and frees its port', async () => {
    const data = generateSandboxData({ clients: 25, today: TODAY });
    const server = await startSandboxServer({ data, port: 0 });
    await server.close();
    const again = await startSandboxServer({ data, port: server.port });
    expect(again.port).toBe(server.port);
    await again.close();
  });
});
