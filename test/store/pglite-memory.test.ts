import { openStore } from '../../src/store';
import { describeStoreContract } from './store-contract';

describeStoreContract('PGlite store, in memory', 'pglite', async () => ({
  open: () => openStore({ driver: 'pglite' }),
  persistent: false,
  dispose: async () => undefined,
}));
