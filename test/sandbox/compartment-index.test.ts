import { parseSearchRequest } from '@medplum/core';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../src/definitions';
import { generateSandboxData } from '../../src/sandbox';
import { mentionsOf } from '../../src/sandbox/compartments';
import { DecidingRepository } from '../../src/sandbox/deciding-repository';
import { SandboxRepository } from '../../src/sandbox/repository';
import { TODAY } from './helpers';

// The views must give exactly what the repository without them gives (DecidingRepository, itself
// checked against MemoryRepository in repository.test.ts): same entries, same order, same resources.

async function seeded<R extends DecidingRepository>(repo: R, resources: Resource[]): Promise<R> {
  await repo.withSeeding(async () => {
    for (const resource of resources) await repo.createResource(resource);
  });
  return repo;
}

type Query = [string, Record<string, string>];

/** The patient-scoped searches of the gateway and the demo, and the edges of the views. */
function queriesFor(id: string, other: string): Query[] {
  const ref = `Patient/${id}`;
  return [
    ['Observation', { patient: ref }],
    ['Observation', { patient: id }],
    ['Observation', { subject: ref }],
    ['Observation', { patient: ref, category: 'vital-signs', _sort: '-date', _count: '5' }],
    ['Observation', { patient: ref, _count: '5', _offset: '5' }],
    ['Observation', { patient: ref, _include: 'Observation:performer', _count: '10' }],
    ['Observation', { patient: ref, date: 'ge2026-06-01', _sort: 'date' }],
    ['Observation', { patient: `${ref},Patient/${other}` }],
    ['Observation', { patient: ref, 'code:not': '8867-4' }],
    ['Patient', { _id: id }],
    ['Patient', { _id: id.toUpperCase() }],
    ['Patient', { _id: id, _revinclude: 'Observation:patient' }],
    ['Condition', { patient: ref }],
    ['CarePlan', { patient: ref, _include: 'CarePlan:goal' }],
    ['Goal', { patient: ref }],
    ['CareTeam', { patient: ref, _include: 'CareTeam:participant' }],
    ['EpisodeOfCare', { patient: ref }],
    ['Appointment', { patient: ref, _sort: '-date' }],
    ['Appointment', { actor: ref }],
    ['MedicationRequest', { patient: ref }],
    ['DocumentReference', { patient: ref, _count: '3' }],
  ];
}

describe('FHIR-sandbox-index: the per-patient views answer as the whole repository does', () => {
  const data = generateSandboxData({ today: TODAY, clients: 400 });
  const s = data.scenarios;
  const patients = data.resources.filter((r): r is Patient => r.resourceType === 'Patient');
  // Three patients, each searched with and without views: the search without views goes over all
  // 6,800 Observations each time, which is what makes this file slow.
  const sample = [s.firstContactAuthorised, s.siblingsSharedParent[1], patients[300]!.id!];
  let indexed: SandboxRepository;
  let scanned: DecidingRepository;

  beforeAll(async () => {
    loadFhirDefinitions();
    indexed = await seeded(new SandboxRepository(), data.resources);
    scanned = await seeded(new DecidingRepository(), data.resources);
  }, 120_000);

  const cases = sample.flatMap((id, i) =>
    queriesFor(id, sample[(i + 1) % sample.length]!).map((q): [string, string, Record<string, string>] => [
      id,
      ...q,
    ]),
  );

  it.each(cases)(
    'FHIR-sandbox-index-1: for %s, %s?%j gives the same Bundle with and without views',
    async (_id, type, query) => {
      const fromViews = await indexed.search(parseSearchRequest(type, query));
      const fromScan = await scanned.search(parseSearchRequest(type, query));
      expect(JSON.stringify(fromViews)).toBe(JSON.stringify(fromScan));
    },
    60_000,
  );

  it('FHIR-sandbox-index-2: the comparison means something: the searches find resources, includes included', async () => {
    const id = s.firstContactAuthorised;
    const found = await Promise.all(
      queriesFor(id, s.withCurator).map(
        async ([type, query]) => (await indexed.search(parseSearchRequest(type, query))).entry?.length ?? 0,
      ),
    );
    expect(found.filter((n) => n > 0).length).toBeGreaterThan(found.length - 4);
    const withPerformers = await indexed.search(
      parseSearchRequest('Observation', { patient: `Patient/${id}`, _include: 'Observation:performer' }),
    );
    expect(withPerformers.entry?.some((e) => e.search?.mode === 'include')).toBe(true);
  });

  it('FHIR-sandbox-index-3: a patient no resource names gets the same empty answer', async () => {
    for (const query of [
      { patient: 'Patient/nobody' },
      { patient: 'nobody' },
      { subject: 'Patient/nobody' },
    ]) {
      const fromViews = await indexed.search(parseSearchRequest('Observation', query));
      const fromScan = await scanned.search(parseSearchRequest('Observation', query));
      expect(fromViews).toEqual(fromScan);
      expect(fromViews.total).toBe(0);
    }
  });
});

describe('FHIR-sandbox-index: writes reach the views', () => {
  const data = generateSandboxData({ today: TODAY, clients: 25 });
  const [one, two] = [data.scenarios.firstContactAuthorised, data.scenarios.withCurator];
  let indexed: SandboxRepository;
  let scanned: DecidingRepository;

  beforeAll(async () => {
    loadFhirDefinitions();
    indexed = await seeded(new SandboxRepository(), data.resources);
    scanned = await seeded(new DecidingRepository(), data.resources);
  });

  async function same(): Promise<void> {
    for (const [type, query] of [...queriesFor(one, two), ...queriesFor(two, one)]) {
      const fromViews = await indexed.search(parseSearchRequest(type, query));
      const fromScan = await scanned.search(parseSearchRequest(type, query));
      expect(JSON.stringify(fromViews)).toBe(JSON.stringify(fromScan));
    }
  }

  /** The same write on both repositories; ids and meta as the first one assigned them. */
  async function both(write: (repo: DecidingRepository) => Promise<unknown>): Promise<void> {
    await indexed.withSeeding(() => write(indexed));
    await scanned.withSeeding(() => write(scanned));
  }

  const observation = (id: string, patient: string): Observation => ({
    resourceType: 'Observation',
    id,
    meta: { versionId: '1', lastUpdated: '2026-11-20T10:00:00.000Z' },
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: '2026-11-20T10:00:00Z',
  });

  it('FHIR-sandbox-index-4: a created, updated, moved and deleted resource is found where the whole repository finds it', async () => {
    await both((repo) => repo.createResource(observation('index-new', one)));
    await same();
    // A new version naming the same patient stays in its place.
    await both((repo) =>
      repo.updateResource({
        ...observation('index-new', one),
        status: 'amended',
        meta: { versionId: '2', lastUpdated: '2026-11-21T10:00:00.000Z' },
      }),
    );
    await same();
    // An existing resource that comes to name another patient (whose view exists).
    const existing = data.resources.find(
      (r): r is Observation => r.resourceType === 'Observation' && r.subject?.reference === `Patient/${one}`,
    )!;
    await both((repo) => repo.updateResource({ ...existing, subject: { reference: `Patient/${two}` } }));
    await same();
    await both((repo) => repo.deleteResource('Observation', 'index-new'));
    await same();
    await both((repo) => repo.expungeResource('Observation', existing.id!));
    await same();
  });

  it('FHIR-sandbox-index-5: a bare id is looked up in a view only while no other reference ends in it', async () => {
    expect(mentionsOf(observation('x', one)).keys).toEqual(new Set([`patient/${one}`]));
    // EpisodeOfCare.patient can only point to a Patient, so `patient=<id>` matches any reference
    // ending in /<id>: here one to a Group with the patient's id, which the patient's view lacks.
    const odd = {
      resourceType: 'EpisodeOfCare' as const,
      id: 'index-odd',
      meta: { versionId: '1', lastUpdated: '2026-11-20T10:00:00.000Z' },
      status: 'active' as const,
      patient: { reference: `Group/${one}` },
    };
    await both((repo) => repo.createResource(odd));
    const bare = parseSearchRequest('EpisodeOfCare', { patient: one });
    const fromScan = await scanned.search(bare);
    expect(fromScan.entry?.map((e) => e.resource?.id)).toContain('index-odd');
    expect(JSON.stringify(await indexed.search(bare))).toBe(JSON.stringify(fromScan));
    await same();
  });

  it('FHIR-sandbox-index-6: after clear() nothing is found, as in the whole repository', async () => {
    indexed.clear();
    const fromViews = await indexed.search(parseSearchRequest('Observation', { patient: `Patient/${one}` }));
    expect(fromViews.total).toBe(0);
  });
});
