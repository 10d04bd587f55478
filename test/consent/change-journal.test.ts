import { AuditTrail, findAuditRecords, verifyChain } from '../../src/audit';
import {
  createPolicyEngine,
  grantAccess,
  liftSuspension,
  suspendAccess,
  withdrawAccess,
  type ConsentChange,
  type PolicyEngine,
} from '../../src/consent';
import { administratorRegistrationsOf, auditJournal } from '../../src/ecd';
import { readResource } from '../../src/resources';
import { migrate, openStore, type Store } from '../../src/store';
import type { PatientReference, RelatedPersonReference } from '../../src/vocabulary';
import { ORGANISATIONS } from '../ecd/fixtures';
import { MEERZICHT_CLIENT, recordEcdClient } from '../support/ecd-records';
import { describePostgres, postgresStores } from '../support/postgres';

/**
 * Each consent change and suspension hands its journal the change inside its own transaction: with
 * the audit trail's journal, the change and its record commit together, or neither does.
 */
const AT = new Date('2026-11-23T12:00:00+01:00');
const LATER = new Date('2026-11-23T12:05:00+01:00');
const staff = { kind: 'staff', account: 'privacy-officer' } as const;
const ORIGIN = { requestId: 'req-change-1', clientApp: 'portal-app', account: 'acc-anna' };

function journalSuite(name: string, open: () => Promise<Store>, dispose: (store: Store) => Promise<void>) {
  describe(`consent changes in the audit trail, on ${name}`, () => {
    let store: Store;
    let engine: PolicyEngine;
    let trail: AuditTrail;
    let client: PatientReference;
    let daughter: RelatedPersonReference;

    beforeAll(async () => {
      store = await open();
      await migrate(store);
      const { org, client: c, relations } = MEERZICHT_CLIENT;
      const recorded = await recordEcdClient(store, org, c, relations, new Date('2026-11-01T09:00:00+01:00'));
      client = recorded.patient;
      daughter = recorded.relation('r1');
      engine = createPolicyEngine(ORGANISATIONS, store, {
        administratorRegistrations: administratorRegistrationsOf,
      });
      trail = new AuditTrail(store);
    });

    afterAll(async () => {
      await trail.close();
      await dispose(store);
    });

    /** Makes the trail's insert of one kind fail inside the database, for the length of `work`. */
    async function withRefusedKind<T>(kind: string, work: () => Promise<T>): Promise<T> {
      await store.query(
        `ALTER TABLE audit_event ADD CONSTRAINT test_refused CHECK (kind <> '${kind}') NOT VALID`,
      );
      try {
        return await work();
      } finally {
        await store.query('ALTER TABLE audit_event DROP CONSTRAINT test_refused');
      }
    }

    const newest = async () => (await findAuditRecords(store, { newestFirst: true, limit: 1 }))[0]!;

    it('AUDIT-CHANGE-1: a grant and its withdrawal each write a consent-change record: who, whose, which Consent version, the rule, the sections and the period', async () => {
      const grant = await grantAccess(
        engine,
        store,
        { by: client, patient: client, grantee: daughter, sections: ['reports', 'appointments'], at: AT },
        auditJournal(trail, ORIGIN),
      );
      expect((await newest()).entry).toMatchObject({
        kind: 'consent-change',
        action: 'C',
        outcome: 'success',
        requestId: 'req-change-1',
        clientApp: 'portal-app',
        actor: { account: 'acc-anna', person: client },
        patient: client,
        interaction: 'grant',
        entities: [`Consent/${grant.id}/_history/1`],
        basis: [{ kind: 'rule', ref: 'M-2' }],
        detail: {
          change: 'grant',
          organisation: 'meerzicht',
          subject: daughter,
          sections: 'reports,appointments',
          periodStart: AT.toISOString(),
        },
      });
      expect((await newest()).entry.actor).not.toHaveProperty('onBehalfOf');

      await withdrawAccess(
        engine,
        store,
        { by: client, patient: client, consentId: grant.id, at: LATER },
        auditJournal(trail, ORIGIN),
      );
      expect((await newest()).entry).toMatchObject({
        kind: 'consent-change',
        action: 'D',
        interaction: 'withdrawal',
        entities: [`Consent/${grant.id}/_history/2`],
        detail: { change: 'withdrawal', subject: daughter, periodEnd: LATER.toISOString() },
      });
      expect(await verifyChain(store)).toMatchObject({ ok: true });
    });

    it('AUDIT-CHANGE-2: a suspension and its lift each write a suspension record: by whom for the organisation, whose access, why, from when', async () => {
      const id = await suspendAccess(
        engine,
        store,
        { patient: client, principal: daughter, reason: 'onderzoek naar misbruik', by: staff, at: AT },
        auditJournal(trail),
      );
      expect((await newest()).entry).toMatchObject({
        kind: 'suspension',
        action: 'C',
        actor: { account: 'staff:privacy-officer', role: 'staff', onBehalfOf: 'Organization/meerzicht' },
        patient: client,
        interaction: 'suspension-start',
        detail: {
          change: 'suspension-start',
          suspension: id,
          subject: daughter,
          reason: 'onderzoek naar misbruik',
          periodStart: AT.toISOString(),
        },
      });
      await liftSuspension(engine, store, { id, by: staff, at: LATER }, auditJournal(trail));
      expect((await newest()).entry).toMatchObject({
        kind: 'suspension',
        action: 'D',
        interaction: 'suspension-lift',
        detail: { suspension: id, subject: daughter, periodEnd: LATER.toISOString() },
      });
    });

    it('AUDIT-CHANGE-3: a grant whose record cannot be written does not happen', async () => {
      const before = await findAuditRecords(store, {});
      let written: ConsentChange | undefined;
      const journal = auditJournal(trail, ORIGIN);
      await withRefusedKind('consent-change', () =>
        expect(
          grantAccess(
            engine,
            store,
            { by: client, patient: client, grantee: daughter, sections: ['reports'], at: AT },
            async (tx, change) => {
              written = change;
              await journal(tx, change);
            },
          ),
        ).rejects.toThrow(),
      );
      // The journal was asked, inside the transaction, and the Consent it named was rolled back.
      expect(written?.consent).toBeDefined();
      expect(await readResource(store, 'Consent', written!.consent!.id)).toBeUndefined();
      expect(await findAuditRecords(store, {})).toHaveLength(before.length);
      // And the client is as they were: no grant in the engine's facts either.
      engine.invalidate(client);
      const facts = await engine.facts(client);
      expect(JSON.stringify(facts)).not.toContain(written!.consent!.id);
    });

    it('AUDIT-CHANGE-4: a suspension or lift whose record cannot be written does not happen', async () => {
      await withRefusedKind('suspension', () =>
        expect(
          suspendAccess(
            engine,
            store,
            { patient: client, reason: 'portaal dicht', by: staff, at: AT },
            auditJournal(trail),
          ),
        ).rejects.toThrow(),
      );
      const open = await store.query<{ n: string }>(
        'SELECT count(*) AS n FROM access_suspension WHERE lifted_at IS NULL',
      );
      expect(Number(open[0]!.n)).toBe(0);

      const id = await suspendAccess(
        engine,
        store,
        { patient: client, reason: 'portaal dicht', by: staff, at: AT },
        auditJournal(trail),
      );
      await withRefusedKind('suspension', () =>
        expect(
          liftSuspension(engine, store, { id, by: staff, at: LATER }, auditJournal(trail)),
        ).rejects.toThrow(),
      );
      const still = await store.query<{ lifted_at: Date | null }>(
        'SELECT lifted_at FROM access_suspension WHERE id = $1',
        [id],
      );
      expect(still[0]!.lifted_at).toBeNull();
    });
  });
}

journalSuite(
  'PGlite',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('consent changes in the audit trail on PostgreSQL', () => {
  const stores = postgresStores();
  journalSuite('PostgreSQL', stores.open, stores.close);
});
