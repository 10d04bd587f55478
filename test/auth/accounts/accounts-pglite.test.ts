import { openStore } from '../../../src/store';
import { describeAccountsContract } from './accounts-contract';

describeAccountsContract(
  'PGlite',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);
