import { AuditTrail, findAuditRecords, toAuditEvent, verifyChain, type AuditRecord } from '../../src/audit';
import {
  EcdImportError,
  importEcdExport,
  readEcdJsonStream,
  type EcdExport,
  type EcdSyncOrigin,
  type ImportOptions,
  type ImportResult,
} from '../../src/ecd';
import { openStore, type Store } from '../../src/store';
import { useMigratedStore } from '../support/migrated-store';
import { describePostgres, postgresStores } from '../support/postgres';
import { asJson, ORGANISATIONS, smallExport } from './fixtures';

/** An ECD sync's records in the audit trail: one for the run, one per client whose Consents changed. */
const NOW = new Date('2026-11-23T10:00:00+01:00');
const ORIGIN: EcdSyncOrigin = {
  via: 'push',
  requestId: 'req-sync-1',
  clientApp: 'meerzicht-ecd',
  address: '10.0.0.7',
};

function syncAuditSuite(name: string, open: () => Promise<Store>, dispose: (store: Store) => Promise<void>) {
  describe(`ECD sync audit records on ${name}`, () => {
    let store: Store;
    let trail: AuditTrail;
    useMigratedStore(open, dispose, (opened) => (store = opened));
    beforeEach(() => {
      trail = new AuditTrail(store);
    });
    afterEach(async () => trail.close());

    function run(exp: EcdExport, options: Partial<ImportOptions> = {}): Promise<ImportResult> {
      return importEcdExport(store, readEcdJsonStream([asJson(exp)], 'export.json'), {
        organisations: ORGANISATIONS,
        source: 'push:meerzicht',
        now: NOW,
        audit: { trail, origin: ORIGIN },
        ...options,
      });
    }

    const records = (kinds: ('ecd-sync' | 'consent-change')[]) => findAuditRecords(store, { kinds });

    it("AUDIT-CHANGE-5: an applied sync writes its 'ecd-sync' record with the organisation, client, counts and outcome, and a 'consent-change' record for the client whose Consents it granted", async () => {
      const result = await run(smallExport());
      const [sync] = await records(['ecd-sync']);
      expect(sync!.entry).toMatchObject({
        kind: 'ecd-sync',
        action: 'E',
        outcome: 'success',
        status: 200,
        requestId: 'req-sync-1',
        clientApp: 'meerzicht-ecd',
        actor: {
          account: 'meerzicht-ecd',
          role: 'ecd-sync',
          onBehalfOf: 'Organization/meerzicht',
          address: '10.0.0.7',
        },
        interaction: 'push',
        detail: {
          organisation: 'meerzicht',
          source: 'push:meerzicht',
          dryRun: false,
          importId: result.importId,
          records: result.records,
          'Patient.created': 2,
          'RelatedPerson.created': 3,
          'Consent.created': 2,
        },
      });
      const changes = await records(['consent-change']);
      // c1 has an authorisation and an agreement; c2 has no Consent: no record of theirs.
      expect(changes).toHaveLength(1);
      expect(changes[0]!.entry).toMatchObject({
        kind: 'consent-change',
        action: 'C',
        patient: 'Patient/meerzicht-c1',
        clientApp: 'meerzicht-ecd',
        interaction: 'ecd-sync',
        detail: { change: 'ecd-sync', importId: result.importId, granted: 2, replaced: 0, withdrawn: 0 },
      });
      expect([...changes[0]!.entry.entities!].sort()).toEqual(
        ['Consent/meerzicht-auth-a1/_history/1', 'Consent/meerzicht-agr-k1/_history/1'].sort(),
      );
      // The client's own log shows it (the 'client' audience).
      expect(toAuditEvent(changes[0]!, 'client').entity?.[0]?.what?.reference).toBe('Patient/meerzicht-c1');
      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 2 });
    });

    it('AUDIT-CHANGE-6: a sync that changes no Consent writes only its own record; one that ends a Consent records a withdrawal for that client', async () => {
      await run(smallExport());
      await run(smallExport());
      expect(await records(['consent-change'])).toHaveLength(1);
      const runs = await records(['ecd-sync']);
      expect(runs).toHaveLength(2);
      expect(runs[1]!.entry.detail).toMatchObject({ 'Patient.unchanged': 2 });
      expect(runs[1]!.entry.detail).not.toHaveProperty('Patient.created');

      const withoutAgreement = { ...smallExport(), clientAgreements: [] };
      await run(withoutAgreement);
      const changes = await findAuditRecords(store, { kinds: ['consent-change'], newestFirst: true });
      expect(changes[0]!.entry).toMatchObject({
        action: 'D',
        patient: 'Patient/meerzicht-c1',
        entities: ['Consent/meerzicht-agr-k1/_history/2'],
        detail: { granted: 0, replaced: 0, withdrawn: 1 },
      });
    });

    it('AUDIT-CHANGE-7: a sync whose record cannot be written is rolled back whole: nothing imported', async () => {
      await store.query(
        "ALTER TABLE audit_event ADD CONSTRAINT test_no_sync CHECK (kind <> 'ecd-sync') NOT VALID",
      );
      try {
        await expect(run(smallExport())).rejects.toThrow();
      } finally {
        await store.query('ALTER TABLE audit_event DROP CONSTRAINT test_no_sync');
      }
      const stored = await store.query<{ n: string }>('SELECT count(*) AS n FROM fhir_resource');
      expect(Number(stored[0]!.n)).toBe(0);
      const log = await store.query<{ n: string }>('SELECT count(*) AS n FROM ecd_import');
      expect(Number(log[0]!.n)).toBe(0);
      expect(await findAuditRecords(store, {})).toHaveLength(0);
    });

    it('AUDIT-CHANGE-8: a dry run is recorded as one (nothing changed), and a sync with problems is not recorded by the import itself', async () => {
      const result = await run(smallExport(), { dryRun: true });
      const [dry] = await records(['ecd-sync']);
      expect(dry!.entry).toMatchObject({
        outcome: 'success',
        query: 'POST /ecd/sync dryRun',
        detail: { dryRun: true, 'Patient.created': 2, records: result.records },
      });
      expect(dry!.entry.detail).not.toHaveProperty('importId');
      expect(await records(['consent-change'])).toHaveLength(0);
      const broken = { ...smallExport(), relations: [] };
      await expect(run(broken)).rejects.toBeInstanceOf(EcdImportError);
      // Refusals are recorded by the route and the command (AUDIT-CHANGE-9, -10), not twice.
      const all: AuditRecord[] = await findAuditRecords(store, {});
      expect(all).toHaveLength(1);
    });
  });
}

syncAuditSuite(
  'PGlite',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('ECD sync audit records on PostgreSQL', () => {
  const stores = postgresStores();
  syncAuditSuite('PostgreSQL', stores.open, stores.close);
});
