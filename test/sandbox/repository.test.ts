import { getSearchParameter, parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../src/definitions';
import { generateSandboxData } from '../../src/sandbox';
import { SandboxRepository } from '../../src/sandbox/repository';
import { ownExpression } from '../../src/sandbox/shared-parameters';
import { TODAY } from './helpers';

async function seeded<R extends MemoryRepository>(repo: R, resources: Resource[]): Promise<R> {
  await repo.withSeeding(async () => {
    for (const resource of resources) await repo.createResource(resource);
  });
  return repo;
}

/** What a search answered, in order: enough to tell two answers apart. */
function shape(bundle: Bundle): { total?: number; entries: string[] } {
  return {
    total: bundle.total,
    entries: (bundle.entry ?? []).map(
      (e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}`,
    ),
  };
}

describe('A.4: the sandbox decides filters on shared search parameters itself, exactly as MemoryRepository', () => {
  // The smallest data set: MemoryRepository on its own takes seconds per search over the default one.
  const data = generateSandboxData({ today: TODAY, clients: 25 });
  const s = data.scenarios;
  const [one, two] = [s.firstContactAuthorised, s.withCurator];
  const patient = data.resources.find((r): r is Patient => r.resourceType === 'Patient' && r.id === one);
  const bsn = patient?.identifier?.find((i) => i.system === 'http://fhir.nl/fhir/NamingSystem/bsn')?.value;
  let sandbox: SandboxRepository;
  let plain: MemoryRepository;

  beforeAll(async () => {
    loadFhirDefinitions();
    sandbox = await seeded(new SandboxRepository(), data.resources);
    plain = await seeded(new MemoryRepository(), data.resources);
  });

  it("A.4: takes only the searched type's own branches of a shared expression, and only when that is safe", () => {
    const shared = getSearchParameter('Observation', 'patient')?.expression as string;
    expect(ownExpression('Observation', shared)).toBe('Observation.subject.where(resolve() is Patient)');
    expect(ownExpression('Condition', getSearchParameter('Condition', 'code')?.expression as string)).toBe(
      'Condition.code',
    );
    // A parameter of one type has nothing to gain; a branch without a type might apply to any.
    expect(ownExpression('Observation', 'Observation.category')).toBeUndefined();
    expect(ownExpression('Observation', 'Observation.code | extension.value')).toBeUndefined();
    expect(ownExpression('Observation', 'Condition.code | Procedure.code')).toBeUndefined();
  });

  const searches: [string, Record<string, string>][] = [
    ['Observation', { patient: one }],
    ['Observation', { patient: `Patient/${one}` }],
    ['Observation', { patient: `${one},Patient/${two}` }],
    ['Observation', { patient: 'Patient/does-not-exist' }],
    ['Observation', { patient: one, category: 'vital-signs', _include: 'Observation:performer' }],
    ['Observation', { patient: one, date: 'ge2026-09-01', _sort: '-date', _count: '4', _offset: '2' }],
    ['Observation', { code: 'http://snomed.info/sct|11591000146107', _count: '20' }],
    ['Observation', { code: 'HTTP://SNOMED.INFO/SCT|11591000146107', patient: two }],
    ['Observation', { code: '8867-4,8480-6', patient: one }],
    ['Observation', { code: '|8867-4' }],
    ['Observation', { code: 'http://loinc.org|', patient: one }],
    ['Observation', { 'code:not': '8867-4', patient: one }],
    ['Observation', { subject: `Patient/${one}` }],
    ['Condition', { patient: one }],
    ['MedicationRequest', { patient: two }],
    ['DocumentReference', { patient: one }],
    ['CarePlan', { patient: two }],
    ['Goal', { patient: one }],
    ['EpisodeOfCare', { patient: one }],
    ['CareTeam', { patient: `Patient/${two}` }],
    ['Appointment', { patient: one }],
    ['Patient', { identifier: `http://fhir.nl/fhir/NamingSystem/bsn|${bsn}` }],
    ['Patient', { identifier: String(bsn) }],
    ['Patient', { gender: 'female', _count: '10' }],
    ['Patient', { 'gender:not': 'female' }],
  ];

  it.each(searches)('A.4: %s?%j gets the same answer from both', async (type, query) => {
    const fromSandbox = await sandbox.search(parseSearchRequest(type, query));
    const fromPlain = await plain.search(parseSearchRequest(type, query));
    expect(shape(fromSandbox)).toEqual(shape(fromPlain));
  });

  it('A.4: the searches above do find something, so the comparison means something', async () => {
    const found = await Promise.all(
      searches.map(async ([type, query]) => (await sandbox.search(parseSearchRequest(type, query))).total),
    );
    expect(found.filter((total) => (total ?? 0) > 0).length).toBeGreaterThan(searches.length - 3);
  });
});
