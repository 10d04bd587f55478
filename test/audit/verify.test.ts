import { randomBytes } from 'node:crypto';
import { AuditTrail, verifyChain } from '../../src/audit';
import { migrate, openStore, type Store } from '../../src/store';
import { resetGatewayTables } from '../support/tables';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import {
  entry,
  idAt,
  insertForged,
  makeRoomAfter,
  swapContents,
  swapSeq,
  writeManyRecords,
  writeRecords,
} from './chain-fixtures';

/**
 * Tamper evidence (issue 11, item 3): every way of changing the trail behind the gateway's back is
 * found, and named as the first broken link (seq, AuditEvent id, problem).
 */
function tamperSuite(open: () => Promise<Store>, close: (store: Store) => Promise<void>) {
  let store: Store;
  const key = randomBytes(32);
  beforeAll(async () => {
    store = await open();
    await migrate(store);
  });
  beforeEach(async () => resetGatewayTables(store));
  afterAll(async () => close(store));

  it('AUDIT-CHAIN-1: an intact chain of thousands of records verifies, read a page at a time', async () => {
    await writeManyRecords(store, 2500);
    const report = await verifyChain(store, { pageSize: 300 });
    expect(report).toMatchObject({ ok: true, checked: 2500, startSeq: 0, headSeq: 2500, unkeyed: 2500 });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.firstBroken).toBeUndefined();
  });

  it('AUDIT-CHAIN-2: a changed entry is named: changed, at its seq and id', async () => {
    await writeRecords(store, 6);
    await store.query(
      `UPDATE audit_event SET entry = jsonb_set(entry, '{query}', '"read Observation/x"') WHERE seq = 4`,
    );
    expect((await verifyChain(store)).firstBroken).toEqual({
      problem: 'changed',
      seq: 4,
      id: await idAt(store, 4),
      detail: expect.stringContaining('not what was hashed'),
    });
  });

  it('AUDIT-CHAIN-3: a changed query column is named: column-changed', async () => {
    await writeRecords(store, 6);
    await store.query(`UPDATE audit_event SET patient_id = 'meerzicht-mz-c002' WHERE seq = 3`);
    const report = await verifyChain(store);
    expect(report).toMatchObject({ ok: false, checked: 2 });
    expect(report.firstBroken).toMatchObject({ problem: 'column-changed', seq: 3, id: await idAt(store, 3) });
    expect(report.firstBroken?.detail).toContain('patient_id');
  });

  it('AUDIT-CHAIN-4: a record deleted in the middle is named: gap, at the record after it', async () => {
    await writeRecords(store, 6);
    await store.query('DELETE FROM audit_event WHERE seq = 3');
    expect((await verifyChain(store)).firstBroken).toMatchObject({
      problem: 'gap',
      seq: 4,
      id: await idAt(store, 4),
      detail: expect.stringContaining('expected record 3, found 4'),
    });
  });

  it('AUDIT-CHAIN-5: the newest record deleted: the head does not match (head-mismatch)', async () => {
    await writeRecords(store, 6);
    await store.query('DELETE FROM audit_event WHERE seq = 6');
    const report = await verifyChain(store);
    expect(report).toMatchObject({ ok: false, checked: 5, headSeq: 6 });
    expect(report.firstBroken).toMatchObject({ problem: 'head-mismatch', seq: 6 });
  });

  it('AUDIT-CHAIN-6: two records reordered (their seq swapped) are named: unlinked, at the first', async () => {
    await writeRecords(store, 6);
    await swapSeq(store, 3, 4);
    expect((await verifyChain(store)).firstBroken).toMatchObject({
      problem: 'unlinked',
      seq: 3,
      id: await idAt(store, 3),
    });
  });

  it('AUDIT-CHAIN-6: two records reordered (their contents swapped) are named: changed, at the first', async () => {
    await writeRecords(store, 6);
    await swapContents(store, 2, 5);
    expect((await verifyChain(store)).firstBroken).toMatchObject({ problem: 'changed', seq: 2 });
  });

  it('AUDIT-CHAIN-7: an inserted record, forged well on an unkeyed chain, breaks the link after it', async () => {
    await writeRecords(store, 6);
    await makeRoomAfter(store, 3);
    await insertForged(store, 4);
    await store.query('UPDATE audit_chain_head SET seq = 7');
    expect((await verifyChain(store)).firstBroken).toMatchObject({ problem: 'unlinked', seq: 5 });
  });

  it('AUDIT-CHAIN-7: an inserted record on a keyed chain is named itself: downgraded or changed', async () => {
    await writeRecords(store, 6, { key });
    await makeRoomAfter(store, 3);
    const forgedId = await insertForged(store, 4);
    expect((await verifyChain(store, { key })).firstBroken).toMatchObject({
      problem: 'downgraded',
      seq: 4,
      id: forgedId,
    });
    await store.query('DELETE FROM audit_event WHERE seq = 4');
    const withOwnKey = await insertForged(store, 4, randomBytes(32));
    expect((await verifyChain(store, { key })).firstBroken).toMatchObject({
      problem: 'changed',
      seq: 4,
      id: withOwnKey,
    });
  });

  it('AUDIT-CHAIN-8: a keyed chain checked without the key (key-missing) or with another (key-wrong)', async () => {
    await writeRecords(store, 4, { key });
    expect(await verifyChain(store, { key })).toMatchObject({ ok: true, checked: 4, keyed: 4 });
    const without = await verifyChain(store);
    expect(without).toMatchObject({ ok: false, checked: 0 });
    expect(without.firstBroken).toMatchObject({ problem: 'key-missing', seq: 1, id: await idAt(store, 1) });
    expect(without.firstBroken?.detail).toContain('INZAGE_AUDIT_KEY');
    const wrong = await verifyChain(store, { key: randomBytes(32) });
    expect(wrong.firstBroken).toMatchObject({ problem: 'key-wrong', seq: 1 });
    expect(wrong.firstBroken?.detail).toContain('INZAGE_AUDIT_KEY is not the key');
  });

  it('AUDIT-CHAIN-9: an unkeyed record after keyed ones is named: downgraded', async () => {
    await writeRecords(store, 3, { key });
    const plain = new AuditTrail(store);
    const record = await plain.record(entry(3));
    await plain.close();
    expect((await verifyChain(store, { key })).firstBroken).toMatchObject({
      problem: 'downgraded',
      seq: 4,
      id: record.id,
    });
  });

  it('AUDIT-CHAIN-10: a chain cut short with its head rewritten still fails against an anchored head', async () => {
    const records = await writeRecords(store, 6);
    const anchored = await verifyChain(store);
    await store.query('DELETE FROM audit_event WHERE seq >= 5');
    await store.query(
      `UPDATE audit_chain_head SET seq = 4, hash = (SELECT hash FROM audit_event WHERE seq = 4)`,
    );
    expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 4 });
    const report = await verifyChain(store, { anchor: { seq: anchored.headSeq, hash: anchored.headHash } });
    expect(report.firstBroken).toMatchObject({ problem: 'anchor-mismatch', seq: 6 });
    const still = await verifyChain(store, {
      anchor: { seq: 3, hash: records[2]!.hash },
    });
    expect(still).toMatchObject({ ok: true });
  });

  it('AUDIT-CHAIN-11: an anchor whose record was rewritten (with all later links) is named: anchor-mismatch', async () => {
    const records = await writeRecords(store, 5);
    const anchor = { seq: 3, hash: records[2]!.hash };
    expect(await verifyChain(store, { anchor })).toMatchObject({ ok: true, anchorChecked: true });
    expect(
      (await verifyChain(store, { anchor: { seq: 3, hash: records[1]!.hash } })).firstBroken,
    ).toMatchObject({
      problem: 'anchor-mismatch',
      seq: 3,
    });
  });

  it('AUDIT-CHAIN-13: a chain that grows while it is checked (a live gateway) verifies', async () => {
    await writeManyRecords(store, 400);
    const trail = new AuditTrail(store);
    const writing = (async () => {
      for (let i = 0; i < 20; i++)
        await Promise.all(Array.from({ length: 10 }, (_, j) => trail.record(entry(j))));
    })();
    const report = await verifyChain(store, { pageSize: 25 });
    await writing;
    await trail.close();
    expect(report).toMatchObject({ ok: true });
    expect(report.checked).toBeGreaterThanOrEqual(400);
    expect(report.headSeq).toBe(report.checked);
    expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 600 });
  });

  it('AUDIT-CHAIN-12: an emptied trail (no head, no records) is an intact, empty chain', async () => {
    expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 0 });
  });
}

describe('tamper evidence on PGlite', () => {
  tamperSuite(
    () => openStore({ driver: 'pglite' }),
    (store) => store.close(),
  );
});

describePostgres('tamper evidence on PostgreSQL', () => {
  let database: TestDatabase;
  tamperSuite(
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
