import { openStore, type Store } from '../../src/store';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { describeSyncContract } from './sync-contract';

describePostgres('ECD sync on PostgreSQL', () => {
  const databases = new WeakMap<Store, TestDatabase>();
  describeSyncContract(
    'PostgreSQL',
    async () => {
      const database = await createTestDatabase();
      const store = await openStore({ driver: 'postgres', databaseUrl: database.url });
      databases.set(store, database);
      return store;
    },
    async (store) => {
      await store.close();
      const database = databases.get(store);
      if (database) await dropTestDatabase(database);
    },
  );
});
