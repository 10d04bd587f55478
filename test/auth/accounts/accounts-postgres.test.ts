import { describePostgres, postgresStores } from '../../support/postgres';
import { describeAccountsContract } from './accounts-contract';

describePostgres('accounts on PostgreSQL', () => {
  const stores = postgresStores();
  describeAccountsContract('PostgreSQL', stores.open, stores.close);
});
