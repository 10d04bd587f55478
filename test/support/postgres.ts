// Access to a real PostgreSQL server for tests. `npm test` (scripts/run-tests.mjs) starts a private
// cluster and sets TEST_DATABASE_URL; running jest directly without it skips these tests locally.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store';

/** A server where tests may create and drop databases, or undefined when none was configured. */
export function postgresTestUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  return url === undefined || url.trim() === '' ? undefined : url;
}

/**
 * `describe` for tests that need PostgreSQL. Without TEST_DATABASE_URL the block is skipped, and
 * reported as skipped, except in CI, where a missing database must fail the run instead of
 * letting it pass green without the PostgreSQL tests.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (postgresTestUrl() !== undefined) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a PostgreSQL server to run against', () => {
        throw new Error('PostgreSQL is required in CI: TEST_DATABASE_URL is not set');
      });
    });
  } else {
    describe.skip(name, fn);
  }
}

export interface TestDatabase {
  readonly name: string;
  /** TEST_DATABASE_URL pointed at this database. */
  readonly url: string;
}

function serverUrl(): string {
  const url = postgresTestUrl();
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(), application_name: 'inzage-test-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database of its own, so that test files and tests can run side by side. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `inzage_test_${randomBytes(6).toString('hex')}`;
  await asAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** Drops the database even while connections to it are still open (a store the test left open). */
export async function dropTestDatabase(database: TestDatabase): Promise<void> {
  if (!/^inzage_test_[0-9a-f]+$/.test(database.name)) {
    throw new Error(`refusing to drop ${database.name}: not a test database`);
  }
  await asAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`));
}

/**
 * How a contract suite opens and closes a store on PostgreSQL: each store on a database of its own,
 * dropped when the store is closed.
 */
export function postgresStores(): { open: () => Promise<Store>; close: (store: Store) => Promise<void> } {
  const databases = new WeakMap<Store, TestDatabase>();
  return {
    async open() {
      const database = await createTestDatabase();
      const store = await openStore({ driver: 'postgres', databaseUrl: database.url });
      databases.set(store, database);
      return store;
    },
    async close(store) {
      await store.close();
      const database = databases.get(store);
      if (database) await dropTestDatabase(database);
    },
  };
}
