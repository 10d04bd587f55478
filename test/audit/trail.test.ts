import { AuditTrail, findAuditRecords, toAuditEvent, verifyChain, type AuditEntry } from '../../src/audit';
import { resetGatewayTables } from '../support/tables';
import { migrate, openStore, type Store } from '../../src/store';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';

const entry = (n: number): AuditEntry => ({
  kind: 'fhir-request',
  action: 'R',
  at: new Date('2026-11-20T10:00:00Z'),
  outcome: 'success',
  status: 200,
  requestId: `req-${n}`,
  actor: { account: 'acc-1', person: 'RelatedPerson/rp-1', role: 'first-contact' },
  clientApp: 'portal-app',
  tokenId: 'jti-1',
  patient: 'Patient/meerzicht-mz-c001',
  interaction: 'read',
  query: `read Observation/o-${n}`,
  entities: [`Observation/o-${n}`],
  basis: [{ kind: 'consent', ref: 'Consent/c-1', verdict: 'permit', section: 'reports' }],
});

function trailSuite(open: () => Promise<Store>, close: (store: Store) => Promise<void>) {
  let store: Store;
  beforeAll(async () => {
    store = await open();
    await migrate(store);
  });
  beforeEach(async () => resetGatewayTables(store));
  afterAll(async () => close(store));

  it('AUDIT-TRAIL-1: records concurrent entries as one gap-free chain, each durable when record resolves', async () => {
    const trail = new AuditTrail(store);
    const records = await Promise.all(Array.from({ length: 40 }, (_, i) => trail.record(entry(i))));
    await trail.close();
    const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => seqs[0]! + i));
    const kept = await findAuditRecords(store, { patientId: 'meerzicht-mz-c001' });
    expect(kept).toHaveLength(40);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.prevHash).toBe(kept[i - 1]!.hash);
    expect(kept.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    expect(trail.stats.batches).toBeLessThan(40);
    expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 40 });
  });

  it('AUDIT-TRAIL-3: a record written inside a transaction joins the same chain, and verify finds a changed one', async () => {
    const trail = new AuditTrail(store);
    await trail.record(entry(1));
    await store.transaction((tx) => trail.recordIn(tx, { ...entry(2), kind: 'consent-change', action: 'C' }));
    await trail.record(entry(3));
    await trail.close();
    expect(await verifyChain(store)).toMatchObject({ ok: true });
    const [victim] = await store.query<{ seq: string }>(
      "SELECT seq FROM audit_event WHERE request_id = 'req-2'",
    );
    await store.query(
      `UPDATE audit_event SET entry = jsonb_set(entry, '{outcome}', '"refused"') WHERE seq = $1`,
      [victim!.seq],
    );
    expect((await verifyChain(store)).firstBroken).toMatchObject({
      problem: 'changed',
      seq: Number(victim!.seq),
    });
  });

  it('AUDIT-TRAIL-2: renders a record as an AuditEvent with the patient, the query and what was shown', async () => {
    const trail = new AuditTrail(store);
    const record = await trail.record(entry(99));
    await trail.close();
    const event = toAuditEvent(record);
    expect(event).toMatchObject({ resourceType: 'AuditEvent', id: record.id, action: 'R', outcome: '0' });
    expect(event.entity?.map((e) => e.what?.reference).filter(Boolean)).toEqual([
      'Patient/meerzicht-mz-c001',
      'Observation/o-99',
      'Consent/c-1',
    ]);
    const forClient = toAuditEvent(record, 'client');
    expect(JSON.stringify(forClient)).not.toContain('jti-1');
    expect(JSON.stringify(forClient)).not.toContain('acc-1');
  });
}

describe('the audit trail on PGlite', () => {
  trailSuite(
    () => openStore({ driver: 'pglite' }),
    (store) => store.close(),
  );
});

describePostgres('the audit trail on PostgreSQL', () => {
  let database: TestDatabase;
  trailSuite(
    async () => {
      database = await createTestDatabase();
      return openStore({ driver: 'postgres', databaseUrl: database.url });
    },
    async (store) => {
      await store.close();
      await dropTestDatabase(database);
    },
  );
});
