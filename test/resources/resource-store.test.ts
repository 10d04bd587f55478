import type { Consent, Patient, Resource } from '@medplum/fhirtypes';
import { GatewayError } from '../../src/errors';
import {
  contentHash,
  countCurrent,
  currentVersions,
  readResource,
  resourceHistory,
  resourcesOfPatientAsOf,
  resourcesWithIdentifier,
  startSweep,
  writeResources,
  type ResourceWrite,
} from '../../src/resources';
import { openStore, type Store } from '../../src/store';
import { actorText, type Actor } from '../../src/vocabulary';
import { describePostgres, postgresStores } from '../support/postgres';
import { useMigratedStore } from '../support/migrated-store';

const IMPORT: Actor = { kind: 'ecd-import', organisationId: 'meerzicht', run: '7' };
const CLIENT: Actor = { kind: 'person', reference: 'Patient/p1' };
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

const T1 = new Date('2026-11-20T09:00:00+01:00');
const T2 = new Date('2026-11-21T09:00:00+01:00');
const T3 = new Date('2026-11-22T09:00:00+01:00');

function patient(id: string, family: string, bsn?: string): Patient & { id: string } {
  return {
    resourceType: 'Patient',
    id,
    ...(bsn ? { identifier: [{ system: BSN, value: bsn }] } : {}),
    name: [{ family, given: ['Anna'] }],
  };
}

function consent(id: string, status: Consent['status']): Consent & { id: string } {
  return {
    resourceType: 'Consent',
    id,
    status,
    scope: { coding: [{ code: 'patient-privacy' }] },
    category: [{ coding: [{ code: '59284-0' }] }],
    patient: { reference: 'Patient/p1' },
  };
}

function write(
  resource: Resource & { id: string },
  basedOn: number,
  extra: Partial<ResourceWrite> = {},
): ResourceWrite {
  return {
    resource,
    organisationId: 'meerzicht',
    patientId: 'p1',
    source: 'ecd',
    sourceRecord: resource.id,
    basedOn,
    ...extra,
  };
}

/** The same contract, on every store driver. */
function describeResourceStore(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`the resource store on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    it('numbers versions from the version a write is based on, and sets meta to match', async () => {
      const [first] = await writeResources(store, [write(patient('p1', 'Vries'), 0)], IMPORT, T1);
      expect(first).toMatchObject({ versionId: 1, lastUpdated: T1 });
      await writeResources(store, [write(patient('p1', 'de Vries'), 1)], IMPORT, T2);
      const stored = await readResource<Patient>(store, 'Patient', 'p1');
      expect(stored?.versionId).toBe(2);
      expect(stored?.content.meta).toEqual({ versionId: '2', lastUpdated: T2.toISOString() });
      expect(stored?.content.name?.[0]?.family).toBe('de Vries');
    });

    it('keeps every version in the history, each with its actor', async () => {
      await writeResources(store, [write(consent('k1', 'active'), 0)], IMPORT, T1);
      await writeResources(store, [write(consent('k1', 'inactive'), 1, { endedAt: T2 })], CLIENT, T2);
      const history = await resourceHistory(store, 'Consent', 'k1');
      expect(history.map((v) => [v.versionId, v.actor, v.endedAt, (v.content as Consent).status])).toEqual([
        [1, 'ecd-import:meerzicht:7', null, 'active'],
        [2, 'Patient/p1', T2, 'inactive'],
      ]);
      expect((await readResource(store, 'Consent', 'k1'))?.actor).toBe(actorText(CLIENT));
    });

    it('hashes content canonically: key order does not count, nor the version fields', async () => {
      const a = patient('p1', 'Vries', '999990019');
      const reordered = { name: a.name, id: a.id, identifier: a.identifier, resourceType: a.resourceType };
      expect(contentHash(reordered)).toBe(contentHash(a));
      expect(contentHash({ ...a, meta: { versionId: '9', lastUpdated: T3.toISOString() } })).toBe(
        contentHash(a),
      );
      expect(contentHash(patient('p1', 'Jansen'))).not.toBe(contentHash(a));
      const [stored] = await writeResources(store, [write(a, 0)], IMPORT, T1);
      // What a sync compares: the hash of the mapped resource equals the stored one.
      expect(stored?.contentHash).toBe(contentHash(reordered));
      const current = await currentVersions(
        store,
        { organisationId: 'meerzicht', source: 'ecd' },
        'Patient',
        ['p1'],
      );
      expect(current.get('p1')?.contentHash).toBe(contentHash(a));
    });

    it('refuses a write based on a stale version, and keeps nothing of its batch in a transaction', async () => {
      await writeResources(store, [write(patient('p1', 'Vries'), 0)], IMPORT, T1);
      const refused = await store
        .transaction((tx) =>
          writeResources(
            tx,
            [write(patient('p2', 'Bakker'), 0), write(patient('p1', 'Jansen'), 0)],
            CLIENT,
            T2,
          ),
        )
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(GatewayError);
      expect(refused).toMatchObject({ code: 'ERR_RESOURCE_CONFLICT', status: 409 });
      expect((refused as GatewayError).detail).toContain('Patient/p1');
      expect(await readResource(store, 'Patient', 'p2')).toBeUndefined();
      const p1 = await readResource<Patient>(store, 'Patient', 'p1');
      expect([p1?.versionId, p1?.content.name?.[0]?.family]).toEqual([1, 'Vries']);
      expect(await resourceHistory(store, 'Patient', 'p2')).toEqual([]);
    });

    it('returns, as of a moment, the version that stood then', async () => {
      await writeResources(store, [write(consent('k1', 'active'), 0)], IMPORT, T1);
      await writeResources(store, [write(consent('k1', 'inactive'), 1)], IMPORT, T3);
      const asOf = async (at: Date) =>
        (await resourcesOfPatientAsOf(store, 'p1', ['Consent'], at)).map((r) => [
          r.versionId,
          (r.content as Consent).status,
        ]);
      expect(await asOf(new Date(T1.getTime() - 1))).toEqual([]);
      expect(await asOf(T1)).toEqual([[1, 'active']]);
      expect(await asOf(T2)).toEqual([[1, 'active']]);
      expect(await asOf(T3)).toEqual([[2, 'inactive']]);
    });

    it('scopes current versions and counts to one organisation and source', async () => {
      await writeResources(
        store,
        [
          write(patient('p1', 'Vries'), 0),
          write(patient('p2', 'Bakker'), 0, { organisationId: 'amerhof' }),
          write(patient('p3', 'Smit'), 0, { source: 'engine' }),
          write(patient('p4', 'Bos'), 0, { endedAt: T1 }),
        ],
        IMPORT,
        T1,
      );
      const scope = { organisationId: 'meerzicht', source: 'ecd' } as const;
      const current = await currentVersions(store, scope, 'Patient', ['p1', 'p2', 'p3', 'p4', 'p9']);
      expect([...current.keys()].sort()).toEqual(['p1', 'p4']);
      expect(current.get('p4')).toMatchObject({ versionId: 1, endedAt: T1, sourceRecord: 'p4' });
      expect(await countCurrent(store, scope, 'Patient')).toBe(1);
    });

    it('finds the resources that carry an identifier value, within the scope', async () => {
      await writeResources(
        store,
        [
          write(patient('p1', 'Vries', '999990019'), 0),
          write(patient('p2', 'Bakker', '999990020'), 0),
          write(patient('p3', 'Vries', '999990019'), 0, { organisationId: 'amerhof' }),
        ],
        IMPORT,
        T1,
      );
      const found = await resourcesWithIdentifier(
        store,
        { organisationId: 'meerzicht', source: 'ecd' },
        'Patient',
        BSN,
        ['999990019', '999990044'],
      );
      expect(found.map((r) => r.id)).toEqual(['p1']);
    });

    it('sweeps: what was not kept is listed until it is ended', async () => {
      await writeResources(
        store,
        [
          write(patient('p1', 'Vries'), 0),
          write(patient('p2', 'Bakker'), 0),
          write(consent('k1', 'active'), 0),
        ],
        IMPORT,
        T1,
      );
      await store.transaction(async (tx) => {
        const sweep = await startSweep(tx, { organisationId: 'meerzicht', source: 'ecd' });
        await sweep.keep('Patient', ['p1']);
        const gone = await sweep.notKept(10);
        expect(gone.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Consent/k1', 'Patient/p2']);
        await writeResources(
          tx,
          gone.map((r) => ({ ...write(r.content, r.versionId), endedAt: T2 })),
          IMPORT,
          T2,
        );
        expect(await sweep.notKept(10)).toEqual([]);
      });
    });
  });
}

describeResourceStore(
  'PGlite in memory',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('the resource store on PostgreSQL', () => {
  const stores = postgresStores();
  describeResourceStore('PostgreSQL', stores.open, stores.close);
});
