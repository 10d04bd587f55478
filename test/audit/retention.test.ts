import { randomBytes } from 'node:crypto';
import {
  AuditChainBroken,
  AuditTrail,
  findAuditRecords,
  planAuditPrune,
  pruneAuditEvery,
  pruneAuditTrail,
  retentionCutoff,
  verifyChain,
} from '../../src/audit';
import { migrate, openStore, type Store } from '../../src/store';
import { resetGatewayTables } from '../support/tables';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { entry } from './chain-fixtures';

/** Now, for the tests: 15 June 2031, 10:00 in Amsterdam (CEST). */
const NOW = new Date('2031-06-15T10:00:00+02:00');
/** Five years before today's date in Amsterdam, at midnight there. */
const CUTOFF = new Date('2026-06-15T00:00:00+02:00');

/** Writes one record per moment, each with the trail's clock at that moment. */
async function writeAt(store: Store, moments: Date[], key?: Buffer): Promise<void> {
  let current = moments[0]!;
  const trail = new AuditTrail(store, { key, now: () => current });
  for (const [i, moment] of moments.entries()) {
    current = moment;
    await trail.record(entry(i));
  }
  await trail.close();
}

describe('the retention cutoff', () => {
  it('AUDIT-RETENTION-1: the start of today in Amsterdam, that many years back; less than five is refused', () => {
    expect(retentionCutoff(NOW, 5)).toEqual(CUTOFF);
    // Just after midnight in Amsterdam (still the day before in UTC): today is the Dutch date.
    expect(retentionCutoff(new Date('2031-06-14T22:30:00Z'), 5)).toEqual(CUTOFF);
    expect(retentionCutoff(NOW, 7)).toEqual(new Date('2024-06-15T00:00:00+02:00'));
    // 29 February: back to 28 February in a common year, the earlier day (keeps more, never less).
    expect(retentionCutoff(new Date('2032-02-29T12:00:00+01:00'), 5)).toEqual(
      new Date('2027-02-28T00:00:00+01:00'),
    );
    expect(() => retentionCutoff(NOW, 4)).toThrow(/at least 5 years/);
    expect(() => retentionCutoff(NOW, 5.5)).toThrow(/at least 5 years/);
  });
});

function retentionSuite(open: () => Promise<Store>, close: (store: Store) => Promise<void>) {
  let store: Store;
  beforeAll(async () => {
    store = await open();
    await migrate(store);
  });
  beforeEach(async () => resetGatewayTables(store));
  afterAll(async () => close(store));

  const prune = (trail: AuditTrail, extra: { key?: Buffer; batch?: number } = {}) =>
    pruneAuditTrail(store, trail, { retentionYears: 5, now: () => NOW, ...extra });

  it('AUDIT-RETENTION-2: deletes what is older than the cutoff, never a record written at it or later', async () => {
    await writeAt(store, [
      new Date('2025-01-01T09:00:00Z'),
      new Date(CUTOFF.getTime() - 1),
      CUTOFF,
      new Date('2030-01-01T09:00:00Z'),
    ]);
    const plan = await planAuditPrune(store, { retentionYears: 5, now: () => NOW });
    expect(plan).toMatchObject({ count: 2, firstSeq: 1, lastSeq: 2, cutoff: CUTOFF });
    expect(await findAuditRecords(store, {})).toHaveLength(4);

    const trail = new AuditTrail(store, { now: () => NOW });
    const [result, ...more] = await prune(trail);
    await trail.close();
    expect(more).toEqual([]);
    expect(result).toMatchObject({ count: 2, firstSeq: 1, lastSeq: 2 });
    const kept = await findAuditRecords(store, {});
    expect(kept.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(kept[0]!.recorded).toEqual(CUTOFF);
    const deletion = kept[2]!;
    expect(deletion.id).toBe(result!.deletion!.id);
    expect(deletion.entry).toMatchObject({
      kind: 'audit-deletion',
      action: 'D',
      outcome: 'success',
      detail: {
        count: 2,
        firstSeq: 1,
        lastSeq: 2,
        cutoff: CUTOFF.toISOString(),
        retentionYears: 5,
      },
    });
    expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 3, startSeq: 2, headSeq: 5 });
  });

  it('AUDIT-RETENTION-3: only a whole prefix of the chain goes: an old record after a younger one stays', async () => {
    // Two instances with clocks apart: seq 3 was written "earlier" than seq 2.
    await writeAt(store, [
      new Date('2025-01-01T09:00:00Z'),
      new Date('2027-01-01T09:00:00Z'),
      new Date('2025-06-01T09:00:00Z'),
    ]);
    const trail = new AuditTrail(store, { now: () => NOW });
    const results = await prune(trail);
    await trail.close();
    expect(results.map((r) => [r.firstSeq, r.lastSeq])).toEqual([[1, 1]]);
    expect((await findAuditRecords(store, {})).map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(await verifyChain(store)).toMatchObject({ ok: true });
  });

  it('AUDIT-RETENTION-4: nothing to delete: nothing deleted and no deletion record', async () => {
    await writeAt(store, [CUTOFF, new Date('2030-01-01T09:00:00Z')]);
    const trail = new AuditTrail(store, { now: () => NOW });
    expect(await prune(trail)).toEqual([]);
    await trail.close();
    expect(await findAuditRecords(store, {})).toHaveLength(2);
  });

  it('AUDIT-RETENTION-5: a broken part is not deleted: the break stays for verify to show', async () => {
    await writeAt(store, [new Date('2025-01-01T09:00:00Z'), new Date('2025-02-01T09:00:00Z'), CUTOFF]);
    await store.query(
      `UPDATE audit_event SET entry = jsonb_set(entry, '{outcome}', '"refused"') WHERE seq = 2`,
    );
    const trail = new AuditTrail(store, { now: () => NOW });
    await expect(prune(trail)).rejects.toBeInstanceOf(AuditChainBroken);
    await trail.close();
    expect(await findAuditRecords(store, {})).toHaveLength(3);
    expect((await verifyChain(store)).firstBroken).toMatchObject({ problem: 'changed', seq: 2 });
  });

  it('AUDIT-RETENTION-6: a keyed backlog goes in batches, each with its deletion record; verify stays intact', async () => {
    const key = randomBytes(32);
    const old = Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)));
    await writeAt(store, [...old, new Date('2030-01-01T09:00:00Z')], key);
    const trail = new AuditTrail(store, { key, now: () => NOW });
    const results = await prune(trail, { key, batch: 3 });
    await trail.close();
    expect(results.map((r) => [r.firstSeq, r.lastSeq])).toEqual([
      [1, 3],
      [4, 6],
      [7, 7],
    ]);
    const kept = await findAuditRecords(store, {});
    expect(kept.map((r) => [r.seq, r.entry.kind])).toEqual([
      [8, 'fhir-request'],
      [9, 'audit-deletion'],
      [10, 'audit-deletion'],
      [11, 'audit-deletion'],
    ]);
    // The deletion records of the first batches were themselves young: they stay.
    expect(await verifyChain(store, { key })).toMatchObject({ ok: true, checked: 4, keyed: 4, startSeq: 7 });
  });

  it("AUDIT-RETENTION-8: the gateway's timer prunes on its own, and its stop waits for a run", async () => {
    await writeAt(store, [new Date('2024-01-01T09:00:00Z'), new Date('2030-01-01T09:00:00Z')]);
    const trail = new AuditTrail(store, { now: () => NOW });
    const pruned = new Promise<number>((resolve, reject) => {
      const stop = pruneAuditEvery(store, trail, {
        retentionYears: 5,
        now: () => NOW,
        intervalMs: 60_000,
        firstDelayMs: 10,
        by: 'gateway retention',
        onPruned: (results) => {
          void stop().then(() => resolve(results.reduce((n, r) => n + r.count, 0)));
        },
        onError: reject,
      });
    });
    expect(await pruned).toBe(1);
    await trail.close();
    const kept = await findAuditRecords(store, {});
    expect(kept.map((r) => r.entry.kind)).toEqual(['fhir-request', 'audit-deletion']);
    expect(kept[1]!.entry.actor).toMatchObject({ account: 'gateway retention' });
  });

  it('AUDIT-RETENTION-7: keyed records are not deleted unchecked: without the key, pruning refuses', async () => {
    const key = randomBytes(32);
    await writeAt(store, [new Date('2024-01-01T09:00:00Z'), new Date('2030-01-01T09:00:00Z')], key);
    const trail = new AuditTrail(store, { now: () => NOW });
    const refused = await prune(trail).catch((err: unknown) => err);
    await trail.close();
    expect(refused).toBeInstanceOf(AuditChainBroken);
    expect((refused as AuditChainBroken).report.firstBroken?.problem).toBe('key-missing');
    expect(await findAuditRecords(store, {})).toHaveLength(2);
  });
}

describe('retention on PGlite', () => {
  retentionSuite(
    () => openStore({ driver: 'pglite' }),
    (store) => store.close(),
  );
});

describePostgres('retention on PostgreSQL', () => {
  let database: TestDatabase;
  retentionSuite(
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
