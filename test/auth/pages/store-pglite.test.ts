import { openStore } from '../../../src/store';
import { describePagesStoreContract } from './store-contract';

describePagesStoreContract(
  'PGlite',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);
