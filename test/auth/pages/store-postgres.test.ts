import { describePostgres, postgresStores } from '../../support/postgres';
import { describePagesStoreContract } from './store-contract';

describePostgres('the login pages’ tables on PostgreSQL', () => {
  const stores = postgresStores();
  describePagesStoreContract('PostgreSQL', stores.open, stores.close);
});
