import { AuditTrail, auditRecordsOfRequest, verifyChain, type AuditEntry } from '../../src/audit';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { openStore, type Store } from '../../src/store';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { freePort } from '../support/processes';
import { CONFIG_SECTIONS, SECRET, logIn, seedGatewayDatabase, startLoad } from './durability/support';

/**
 * Issue 11, item 3: several gateway instances on one PostgreSQL database write one chain: every
 * record of both, one order, no gaps, and the chain verifies. Each instance has its own pool and its
 * own AuditTrail, as two processes would.
 */

/** The seq column in order, and how often consecutive records change writer. */
async function chainShape(
  store: Store,
  writerOf: (requestId: string | null) => string | undefined,
): Promise<{ seqs: number[]; switches: number; writers: Set<string> }> {
  const rows = await store.query<{ seq: string; request_id: string | null }>(
    'SELECT seq, request_id FROM audit_event ORDER BY seq',
  );
  let switches = 0;
  let last: string | undefined;
  const writers = new Set<string>();
  for (const row of rows) {
    const writer = writerOf(row.request_id);
    if (writer === undefined) continue;
    writers.add(writer);
    if (last !== undefined && writer !== last) switches += 1;
    last = writer;
  }
  return { seqs: rows.map((r) => Number(r.seq)), switches, writers };
}

const consecutive = (seqs: number[]) => seqs.every((seq, i) => seq === i + 1);

describePostgres('several instances, one chain', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ driver: 'postgres', databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await dropTestDatabase(database);
  });

  it('AUDIT-INSTANCES-1: two gateways on one database under concurrent load write one gap-free, verifying chain, interleaved', async () => {
    const person = await seedGatewayDatabase(store);
    // One public address for both (a load balancer's): a token of one is good at the other.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const gateways: RunningGateway[] = [];
    try {
      for (const listen of [port, 0])
        gateways.push(
          await startGateway(
            resolveConfig(
              {
                server: { host: '127.0.0.1', port: listen, publicUrl },
                database: { poolSize: 4 },
                ...CONFIG_SECTIONS,
                log: { level: 'silent' },
              },
              'test',
              { DATABASE_URL: database.url },
            ),
            { log: createLogger('silent'), readinessChecks: [], accountSecret: SECRET },
          ),
        );
      const [a, b] = gateways as [RunningGateway, RunningGateway];
      const token = await logIn(a.url, person);
      await store.query('TRUNCATE audit_event, audit_chain_head, audit_chain_start');
      // The login's own records went before the truncation; count from here.
      const before = a.audit.stats.records + b.audit.stats.records;
      const load = startLoad([a.url, b.url], token, person.patient, 32);
      await load.answeredMore(400, 120_000);
      await load.stop();
      const answered = load.answered;
      expect(load.broken).toBe(0);
      expect(answered.some((r) => r.status === 200 && r.base === b.url)).toBe(true);
      expect(answered.some((r) => r.status === 401 && r.base === a.url)).toBe(true);

      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: answered.length });
      const byId = new Map(answered.map((r) => [r.requestId, r.base]));
      const shape = await chainShape(store, (id) => (id === null ? undefined : byId.get(id)));
      expect(shape.seqs).toHaveLength(answered.length);
      expect(consecutive(shape.seqs)).toBe(true);
      expect(shape.writers).toEqual(new Set([a.url, b.url]));
      // Not one block of each: the instances took turns at the chain head.
      expect(shape.switches).toBeGreaterThan(4);
      for (const { requestId } of answered)
        expect(await auditRecordsOfRequest(store, requestId)).toHaveLength(1);
      expect(a.audit.stats.records + b.audit.stats.records - before).toBe(answered.length);
    } finally {
      for (const gateway of gateways) await gateway.close();
    }
  }, 180_000);

  it('AUDIT-INSTANCES-2: two AuditTrails on two pools, writing with record and recordIn at once, make one chain', async () => {
    await store.query('TRUNCATE audit_event, audit_chain_head, audit_chain_start');
    const pools = [
      openStore({ driver: 'postgres', databaseUrl: database.url, poolSize: 4 }),
      openStore({ driver: 'postgres', databaseUrl: database.url, poolSize: 4 }),
    ];
    const stores = await Promise.all(pools);
    try {
      const trails = stores.map((s) => new AuditTrail(s));
      const entry = (writer: number, n: number, kind: AuditEntry['kind'] = 'fhir-request'): AuditEntry => ({
        kind,
        action: kind === 'fhir-request' ? 'R' : 'U',
        at: new Date(),
        outcome: 'success',
        requestId: `w${writer}-${kind}-${n}`,
        patient: 'Patient/meerzicht-mz-c001',
      });
      const PER_WRITER = 150;
      const IN_TRANSACTION = 30;
      await Promise.all(
        trails.flatMap((trail, w) => [
          ...Array.from({ length: PER_WRITER }, (_, n) => trail.record(entry(w, n))),
          ...Array.from({ length: IN_TRANSACTION }, (_, n) =>
            stores[w]!.transaction(async (tx) => {
              await tx.query('SELECT 1');
              return trail.recordIn(tx, entry(w, n, 'consent-change'));
            }),
          ),
        ]),
      );
      await Promise.all(trails.map((t) => t.close()));
      const total = 2 * (PER_WRITER + IN_TRANSACTION);
      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: total });
      const shape = await chainShape(store, (id) => id?.slice(0, 2));
      expect(shape.seqs).toHaveLength(total);
      expect(consecutive(shape.seqs)).toBe(true);
      expect(shape.writers).toEqual(new Set(['w0', 'w1']));
      expect(shape.switches).toBeGreaterThan(4);
      for (const trail of trails) expect(trail.stats.batches).toBeLessThan(trail.stats.records);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 120_000);

  it('AUDIT-INSTANCES-3: a writer whose idea of the head is stale (another wrote, a rollback, an emptied trail) still appends in place', async () => {
    await store.query('TRUNCATE audit_event, audit_chain_head, audit_chain_start');
    const other = await openStore({ driver: 'postgres', databaseUrl: database.url, poolSize: 2 });
    const entry = (requestId: string): AuditEntry => ({
      kind: 'fhir-request',
      action: 'R',
      at: new Date(),
      outcome: 'success',
      requestId,
    });
    try {
      const mine = new AuditTrail(store);
      const theirs = new AuditTrail(other);
      expect((await mine.record(entry('a-1'))).seq).toBe(1);
      expect((await theirs.record(entry('b-1'))).seq).toBe(2);
      // Mine still thinks the head is at 1.
      expect((await mine.record(entry('a-2'))).seq).toBe(3);
      // A change and its record rolled back: the head mine remembers was never committed.
      await expect(
        store.transaction(async (tx) => {
          await mine.recordIn(tx, { ...entry('a-rolled-back'), kind: 'consent-change' });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect((await mine.record(entry('a-3'))).seq).toBe(4);
      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 4 });
      // Emptied by hand: both start again at the genesis link.
      await store.query('TRUNCATE audit_event, audit_chain_head, audit_chain_start');
      expect((await mine.record(entry('a-4'))).seq).toBe(1);
      expect((await theirs.record(entry('b-2'))).seq).toBe(2);
      await Promise.all([mine.close(), theirs.close()]);
      expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 2 });
      expect(await auditRecordsOfRequest(store, 'a-rolled-back')).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
