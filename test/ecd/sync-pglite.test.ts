import { openStore } from '../../src/store';
import { describeSyncContract } from './sync-contract';

describeSyncContract(
  'PGlite',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);
