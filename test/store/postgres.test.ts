import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { migrate, migrations, openStore, StoreError } from '../../src/store';
import type { Migration, Store } from '../../src/store';
import { createTestDatabase, describePostgres, dropTestDatabase } from '../support/postgres';
import type { TestDatabase } from '../support/postgres';
import { describeStoreContract, delay, waitFor } from './store-contract';

const openPostgres = (databaseUrl: string, extra: { onError?: (error: StoreError) => void } = {}) =>
  openStore({ driver: 'postgres', databaseUrl, poolSize: 4, ...extra });

describePostgres('PostgreSQL', () => {
  describeStoreContract('PostgreSQL store', 'postgres', async () => {
    const database = await createTestDatabase();
    return {
      open: () => openPostgres(database.url),
      persistent: true,
      dispose: () => dropTestDatabase(database),
    };
  });

  describe('several gateway instances on one database', () => {
    let database: TestDatabase;
    let stores: Store[];
    const open = async (extra: { onError?: (error: StoreError) => void } = {}): Promise<Store> => {
      const store = await openPostgres(database.url, extra);
      stores.push(store);
      return store;
    };

    beforeEach(async () => {
      stores = [];
      database = await createTestDatabase();
    });

    afterEach(async () => {
      await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
      await dropTestDatabase(database);
    });

    it('apply each migration exactly once when they migrate at the same time', async () => {
      // Each migration records that it ran in a table without constraints, so a double run shows.
      const probes: Migration[] = Array.from({ length: 6 }, (_, i) => ({
        version: i + 1,
        name: `probe-${i + 1}`,
        up: `CREATE TABLE IF NOT EXISTS migration_probe (version int);
             SELECT pg_sleep(0.02);
             INSERT INTO migration_probe VALUES (${i + 1});`,
      }));
      const instances = await Promise.all([open(), open(), open()]);
      const results = await Promise.all(instances.map((store) => migrate(store, { migrations: probes })));

      const applied = results.flatMap((result) => result.applied).sort((a, b) => a - b);
      expect(applied).toEqual([1, 2, 3, 4, 5, 6]);
      expect(results.map((result) => result.current)).toEqual([6, 6, 6]);
      const runs = await instances[0]!.query<{ version: number; runs: number }>(
        'SELECT version, count(*)::int AS runs FROM migration_probe GROUP BY version ORDER BY version',
      );
      expect(runs).toEqual(probes.map((probe) => ({ version: probe.version, runs: 1 })));
    });

    it('start together on the real migrations without tripping over each other', async () => {
      const instances = await Promise.all([open(), open(), open(), open()]);
      const results = await Promise.all(instances.map((store) => migrate(store)));
      // Each migration is applied exactly once, by whichever instance got to it first.
      expect(results.flatMap((result) => result.applied).sort((a, b) => a - b)).toEqual(
        migrations.map((m) => m.version),
      );
      const [row] = await instances[0]!.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM schema_migrations',
      );
      expect(row?.n).toBe(migrations.length);
    });

    it('hear each other: a notification from one reaches listeners on another', async () => {
      const [sender, receiver] = await Promise.all([open(), open()]);
      const received: string[] = [];
      await receiver.listen('consent_changed', (payload) => received.push(payload));
      await sender.notify('consent_changed', 'Consent/42');
      await sender.transaction(async (tx) => {
        await tx.query('SELECT pg_notify($1, $2)', ['consent_changed', 'Consent/43']);
      });
      await waitFor(() => received.length === 2, 'two notifications');
      expect(received).toEqual(['Consent/42', 'Consent/43']);
    });

    it('connect as application inzage', async () => {
      const store = await open();
      const [row] = await store.query<{ name: string }>(
        'SELECT application_name AS name FROM pg_stat_activity WHERE pid = pg_backend_pid()',
      );
      expect(row?.name).toBe('inzage');
    });

    it('re-subscribe when the LISTEN connection is killed, and say so', async () => {
      const errors: StoreError[] = [];
      const listener = await open({ onError: (error) => errors.push(error) });
      const sender = await open();
      const received: string[] = [];
      let resubscribed = 0;
      await listener.listen('sync_done', (payload) => received.push(payload), {
        onResubscribe: () => (resubscribed += 1),
      });

      const killed = await sender.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      expect(killed).toEqual([{ killed: true }]);
      await waitFor(() => resubscribed === 1, 'the re-subscription');
      expect(errors.map((error) => error.code)).toContain('ERR_STORE_LISTEN_LOST');

      await sender.notify('sync_done', 'after the reconnect');
      await waitFor(() => received.length === 1, 'a notification after the reconnect');
      expect(received).toEqual(['after the reconnect']);
    });
  });
});

describe('PostgreSQL store without a server', () => {
  const password = 'Sup3r-S3cret!pw';
  const urlFor = (port: number) =>
    `postgres://inzage:${encodeURIComponent(password)}@127.0.0.1:${port}/inzage`;

  /** A port that nothing listens on: bound once by us, then released. */
  const closedPort = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });

  const expectNoSecret = (error: unknown): void => {
    const everything = inspect(error, { depth: 10, showHidden: true });
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(encodeURIComponent(password));
    expect(everything).not.toContain('S3cret');
  };

  it('fails ping, queries and listen with ERR_STORE_UNREACHABLE, never showing the password', async () => {
    const store = await openStore({ driver: 'postgres', databaseUrl: urlFor(await closedPort()) });
    try {
      const failures = await Promise.all([
        store.ping().catch((error: unknown) => error),
        store.query('SELECT 1').catch((error: unknown) => error),
        store.transaction(async () => 1).catch((error: unknown) => error),
        store.listen('anything', () => undefined).catch((error: unknown) => error),
      ]);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(StoreError);
        expect(failure).toMatchObject({ code: 'ERR_STORE_UNREACHABLE' });
        expectNoSecret(failure);
      }
    } finally {
      await store.close();
      await store.close();
    }
  });

  it('refuses a malformed URL or options without echoing the URL', async () => {
    const malformed = [
      `postgres://inzage:${password}@[::1`,
      `mysql://inzage:${password}@localhost/db`,
      password,
    ];
    for (const databaseUrl of malformed) {
      const failure = await openStore({ driver: 'postgres', databaseUrl }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'ERR_STORE_CONFIG' });
      expectNoSecret(failure);
    }
    await expect(
      openStore({ driver: 'postgres', databaseUrl: urlFor(5432), poolSize: 0 }),
    ).rejects.toMatchObject({ code: 'ERR_STORE_CONFIG' });
  });

  it('lets close() finish quickly on a store that never connected', async () => {
    const store = await openStore({ driver: 'postgres', databaseUrl: urlFor(await closedPort()) });
    const started = Date.now();
    await store.close();
    await delay(0);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
