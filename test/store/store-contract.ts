// The behaviour every store driver must share. Each driver's test file runs this same suite, so a
// difference between PGlite and PostgreSQL shows up as a failing test rather than in production.
import { migrate, migrations, StoreError } from '../../src/store';
import type { Migration, Queryable, Store, StoreDriver } from '../../src/store';

export interface FreshDatabase {
  /** Opens a store on this database. For PGlite, only once the previous store is closed. */
  open(): Promise<Store>;
  /** Whether what was written survives closing the store and opening it again. */
  readonly persistent: boolean;
  /** Removes the database; every store on it has been closed by then. */
  dispose(): Promise<void>;
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

async function count(store: Queryable, table: string): Promise<number> {
  const [row] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row?.n ?? -1;
}

async function tableExists(store: Queryable, table: string): Promise<boolean> {
  const [row] = await store.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    table,
  ]);
  return row?.present === true;
}

const storeError = (code: string): unknown => expect.objectContaining({ name: 'StoreError', code });

export function describeStoreContract(
  name: string,
  driver: StoreDriver,
  fresh: () => Promise<FreshDatabase>,
) {
  describe(name, () => {
    let database: FreshDatabase;
    let store: Store;
    let opened: Store[];

    /** Another store on the same database, closed after the test like the first. */
    const openAnother = async (): Promise<Store> => {
      const another = await database.open();
      opened.push(another);
      return another;
    };

    beforeEach(async () => {
      opened = [];
      database = await fresh();
      store = await openAnother();
    });

    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      await database.dispose();
    });

    describe('queries', () => {
      it('runs parameterised SQL and returns the rows, typed', async () => {
        expect(store.driver).toBe(driver);
        await store.query('CREATE TABLE person (id int PRIMARY KEY, name text NOT NULL, active boolean)');
        await store.query('INSERT INTO person VALUES ($1, $2, $3), ($4, $5, $6)', [
          1,
          "Jan 'Robert'; DROP TABLE person; --",
          true,
          2,
          'Fatma',
          false,
        ]);
        const rows = await store.query<{ id: number; name: string; active: boolean }>(
          'SELECT id, name, active FROM person WHERE active = $1 ORDER BY id',
          [true],
        );
        expect(rows).toEqual([{ id: 1, name: "Jan 'Robert'; DROP TABLE person; --", active: true }]);
        const none = await store.query('SELECT * FROM person WHERE id = $1', [99]);
        expect(none).toEqual([]);
      });

      it('maps column types the same way on every driver', async () => {
        const [row] = await store.query(
          `SELECT 9007199254740993::int8 AS big, (SELECT count(*) FROM (VALUES (1), (2)) v) AS counted,
                  7::int4 AS small, 1.5::float8 AS float, 12.50::numeric AS money, true AS yes,
                  '2024-02-29'::date AS day, '2024-02-29 23:30:00'::timestamp AS local_time,
                  '2024-02-29T23:30:00Z'::timestamptz AS instant, '1 day 02:00:00'::interval AS span,
                  $1::jsonb AS document, ARRAY[1, 2]::int8[] AS bigs, ARRAY['2024-01-01'::date] AS days,
                  ARRAY[3, 4]::int4[] AS smalls, 'abc'::bytea AS bytes,
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id,
                  current_setting('TimeZone') AS zone`,
          [JSON.stringify({ list: [1, 'two'], nested: { ok: true } })],
        );
        expect(row).toEqual({
          big: '9007199254740993',
          counted: '2',
          small: 7,
          float: 1.5,
          money: '12.50',
          yes: true,
          day: '2024-02-29',
          local_time: '2024-02-29 23:30:00',
          instant: new Date('2024-02-29T23:30:00Z'),
          span: '1 day 02:00:00',
          document: { list: [1, 'two'], nested: { ok: true } },
          bigs: ['1', '2'],
          days: ['2024-01-01'],
          smalls: [3, 4],
          bytes: expect.any(Uint8Array),
          id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          zone: 'UTC',
        });
        expect(Array.from(row?.bytes as Uint8Array)).toEqual([97, 98, 99]);
      });

      it('passes database errors through with their SQLSTATE, and takes one statement per query', async () => {
        await store.query('CREATE TABLE unique_thing (id int PRIMARY KEY)');
        await store.query('INSERT INTO unique_thing VALUES (1)');
        await expect(store.query('INSERT INTO unique_thing VALUES (1)')).rejects.toMatchObject({
          code: '23505',
        });
        await expect(store.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
        await expect(store.query('SELECT 1; DROP TABLE unique_thing')).rejects.toMatchObject({
          code: '42601',
        });
        expect(await tableExists(store, 'unique_thing')).toBe(true);
      });
    });

    describe('transactions', () => {
      beforeEach(async () => {
        await store.query('CREATE TABLE ledger (label text NOT NULL)');
      });

      it('commits on success and returns what the work returned', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.query('INSERT INTO ledger VALUES ($1)', ['first']);
          await tx.query('INSERT INTO ledger VALUES ($1)', ['second']);
          return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger'))[0]?.n;
        });
        expect(result).toBe(2);
        expect(await store.query('SELECT label FROM ledger ORDER BY label')).toEqual([
          { label: 'first' },
          { label: 'second' },
        ]);
      });

      it('rolls back when the work throws, and rethrows that very error', async () => {
        const failure = new Error('work failed');
        await expect(
          store.transaction(async (tx) => {
            await tx.query('INSERT INTO ledger VALUES ($1)', ['doomed']);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await count(store, 'ledger')).toBe(0);
      });

      it('does not report a commit when a failed statement inside was swallowed', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.query('INSERT INTO ledger VALUES ($1)', ['lost']);
            await tx.query('SELECT * FROM no_such_table').catch(() => undefined);
          }),
        ).rejects.toEqual(storeError('ERR_STORE_TRANSACTION_ABORTED'));
        expect(await count(store, 'ledger')).toBe(0);
      });

      it('runs concurrent queries on the handle inside the one transaction', async () => {
        const ids = await store.transaction(async (tx) => {
          const inserts = Array.from({ length: 10 }, (_, i) =>
            tx.query('INSERT INTO ledger VALUES ($1)', [`row ${i}`]),
          );
          const xids = Array.from({ length: 5 }, () =>
            tx.query<{ xid: string }>('SELECT txid_current()::text AS xid'),
          );
          await Promise.all(inserts);
          return (await Promise.all(xids)).map((rows) => rows[0]?.xid);
        });
        expect(new Set(ids).size).toBe(1);
        expect(await count(store, 'ledger')).toBe(10);
      });

      it('keeps queries from outside out of a running transaction', async () => {
        let markInserted!: () => void;
        const inserted = new Promise<void>((resolve) => (markInserted = resolve));
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const running = store.transaction(async (tx) => {
          await tx.query('INSERT INTO ledger VALUES ($1)', ['inside']);
          markInserted();
          await released;
          throw new Error('abort the transaction');
        });
        await inserted;
        // Issued while the transaction is open: they must neither join it nor see its rows.
        const outsideWrite = store.query('INSERT INTO ledger VALUES ($1)', ['outside']);
        const outsideRead = store.query('SELECT label FROM ledger');
        await delay(50);
        release();
        await expect(running).rejects.toThrow('abort the transaction');
        await outsideWrite;
        expect(await outsideRead).toEqual(expect.not.arrayContaining([{ label: 'inside' }]));
        expect(await store.query('SELECT label FROM ledger')).toEqual([{ label: 'outside' }]);
      });

      it('refuses the store itself inside its own transaction, and a handle after its transaction', async () => {
        await expect(store.transaction(() => store.query('SELECT 1'))).rejects.toEqual(
          storeError('ERR_STORE_REENTRANT'),
        );
        await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toEqual(
          storeError('ERR_STORE_REENTRANT'),
        );
        await expect(store.transaction(() => store.notify('ledger_changed', 'x'))).rejects.toEqual(
          storeError('ERR_STORE_REENTRANT'),
        );

        let leaked: Queryable | undefined;
        let later: Promise<unknown> | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
          // Started inside, but runs after the transaction: an ordinary query by then.
          later = delay(20).then(() => store.query<{ x: number }>('SELECT 1 AS x'));
        });
        await expect(later).resolves.toEqual([{ x: 1 }]);
        await expect(leaked?.query('SELECT 1')).rejects.toEqual(storeError('ERR_STORE_TRANSACTION_ENDED'));
      });
    });

    describe('migrations', () => {
      const allVersions = migrations.map((m) => m.version);

      it('applies the gateway migrations once; a second run changes nothing', async () => {
        expect(await migrate(store)).toEqual({ applied: allVersions, current: allVersions.length });
        expect(await migrate(store)).toEqual({ applied: [], current: allVersions.length });

        const history = await store.query<{ version: number; name: string; applied_at: Date }>(
          'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
        );
        expect(history.map((h) => [h.version, h.name])).toEqual(migrations.map((m) => [m.version, m.name]));
        expect(history[0]?.applied_at).toBeInstanceOf(Date);

        await store.query('INSERT INTO gateway_setting (key, value) VALUES ($1, $2::jsonb)', [
          'maintenance',
          JSON.stringify({ enabled: false }),
        ]);
        const settings = await store.query('SELECT key, value, updated_at FROM gateway_setting');
        expect(settings).toEqual([
          { key: 'maintenance', value: { enabled: false }, updated_at: expect.any(Date) },
        ]);
      });

      it('refuses a database at a newer schema version than it knows', async () => {
        await migrate(store);
        const known = allVersions.length;
        await store.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          known + 1,
          'from-the-future',
        ]);
        const refusal = migrate(store);
        await expect(refusal).rejects.toBeInstanceOf(StoreError);
        await expect(refusal).rejects.toMatchObject({
          code: 'ERR_STORE_SCHEMA_TOO_NEW',
          message: `database schema is at version ${known + 1}, this gateway knows up to ${known}; upgrade the gateway`,
        });
      });

      it('runs each migration in its own transaction and stops at the first failure', async () => {
        const first: Migration = {
          version: 1,
          name: 'first',
          up: 'CREATE TABLE alpha (id int); INSERT INTO alpha VALUES (1);',
        };
        const broken: Migration = {
          version: 2,
          name: 'second',
          up: 'CREATE TABLE beta (id int); INSERT INTO no_such_table VALUES (1);',
        };
        await expect(migrate(store, { migrations: [first, broken] })).rejects.toMatchObject({
          code: 'ERR_STORE_MIGRATION',
          message: expect.stringContaining('migration 2 (second) failed'),
        });
        expect(await tableExists(store, 'alpha')).toBe(true);
        expect(await tableExists(store, 'beta')).toBe(false);

        const fixed: Migration = { ...broken, up: 'CREATE TABLE beta (id int);' };
        expect(await migrate(store, { migrations: [first, fixed] })).toEqual({ applied: [2], current: 2 });
      });

      it('refuses a migration list with gaps, and a history recorded under other names', async () => {
        const one: Migration = { version: 1, name: 'one', up: 'CREATE TABLE one (id int)' };
        const three: Migration = { version: 3, name: 'three', up: 'CREATE TABLE three (id int)' };
        await expect(migrate(store, { migrations: [one, three] })).rejects.toMatchObject({
          code: 'ERR_STORE_MIGRATION',
          message: expect.stringContaining('without gaps'),
        });
        expect(await tableExists(store, 'schema_migrations')).toBe(false);

        await migrate(store, { migrations: [one] });
        await expect(migrate(store, { migrations: [{ ...one, name: 'uno' }] })).rejects.toMatchObject({
          code: 'ERR_STORE_MIGRATION',
          message: expect.stringContaining("records version 1 as 'one'"),
        });
      });
    });

    describe('listen and notify', () => {
      it('delivers payloads to listeners until they unsubscribe', async () => {
        const first: string[] = [];
        const second: string[] = [];
        const stopFirst = await store.listen('consent_changed', (payload) => first.push(payload));
        const stopSecond = await store.listen('consent_changed', (payload) => second.push(payload));
        await store.notify('consent_changed', 'patient/123');
        await waitFor(() => first.length === 1 && second.length === 1, 'both listeners');

        await stopFirst();
        await stopFirst();
        await store.notify('consent_changed', 'patient/456');
        await waitFor(() => second.length === 2, 'the remaining listener');
        expect(first).toEqual(['patient/123']);
        expect(second).toEqual(['patient/123', 'patient/456']);

        await stopSecond();
        await store.notify('consent_changed', 'patient/789');
        await delay(100);
        expect(second).toEqual(['patient/123', 'patient/456']);
      });

      it('delivers a notification sent in a transaction only when it commits', async () => {
        const received: string[] = [];
        await store.listen('audit_written', (payload) => received.push(payload));
        await store
          .transaction(async (tx) => {
            await tx.query('SELECT pg_notify($1, $2)', ['audit_written', 'rolled back']);
            throw new Error('roll back');
          })
          .catch(() => undefined);
        await store.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', ['audit_written', 'committed']);
        });
        await waitFor(() => received.length > 0, 'the committed notification');
        await delay(50);
        expect(received).toEqual(['committed']);
      });

      it('lets a callback use the store, outside any transaction', async () => {
        const answers: string[] = [];
        await store.listen('cache_reset', (payload) => {
          void store
            .query<{ echo: string }>('SELECT $1::text AS echo', [payload])
            .then((rows) => answers.push(rows[0]?.echo ?? ''));
        });
        await store.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', ['cache_reset', 'all']);
        });
        await waitFor(() => answers.length === 1, 'the callback query');
        expect(answers).toEqual(['all']);
      });

      it('refuses channel names that would need quoting', async () => {
        const bad = ['Consent', 'consent-changed', '1channel', 'x"; DROP TABLE y; --', '', 'a'.repeat(64)];
        for (const channel of bad) {
          await expect(store.listen(channel, () => undefined)).rejects.toEqual(
            storeError('ERR_STORE_CHANNEL'),
          );
          await expect(store.notify(channel, 'x')).rejects.toEqual(storeError('ERR_STORE_CHANNEL'));
        }
        await expect(store.listen('a'.repeat(63), () => undefined)).resolves.toEqual(expect.any(Function));
      });
    });

    describe('lifecycle', () => {
      it('answers ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('closes after work under way, idempotently; later calls fail with ERR_STORE_CLOSED', async () => {
        const underWay = store.query<{ x: number }>('SELECT 1 AS x FROM pg_sleep(0.1)');
        const closing = store.close();
        await expect(underWay).resolves.toEqual([{ x: 1 }]);
        await closing;
        await store.close();
        await expect(store.query('SELECT 1')).rejects.toEqual(storeError('ERR_STORE_CLOSED'));
        await expect(store.transaction(async () => 1)).rejects.toEqual(storeError('ERR_STORE_CLOSED'));
        await expect(store.ping()).rejects.toEqual(storeError('ERR_STORE_CLOSED'));
        await expect(store.listen('after_close', () => undefined)).rejects.toEqual(
          storeError('ERR_STORE_CLOSED'),
        );
      });

      it('keeps its data across close and reopen, where the database is persistent', async () => {
        await migrate(store);
        await store.query('INSERT INTO gateway_setting (key, value) VALUES ($1, $2::jsonb)', [
          'terms_version',
          JSON.stringify('2024-1'),
        ]);
        await store.close();
        const reopened = await openAnother();
        if (!database.persistent) {
          expect(await tableExists(reopened, 'gateway_setting')).toBe(false);
          return;
        }
        expect(await reopened.query('SELECT key, value FROM gateway_setting')).toEqual([
          { key: 'terms_version', value: '2024-1' },
        ]);
        expect(await migrate(reopened)).toEqual({ applied: [], current: migrations.length });
      });
    });
  });
}
