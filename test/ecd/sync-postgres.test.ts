import { describePostgres, postgresStores } from '../support/postgres';
import { describeSyncContract } from './sync-contract';

describePostgres('ECD sync on PostgreSQL', () => {
  const stores = postgresStores();
  describeSyncContract('PostgreSQL', stores.open, stores.close);
});
