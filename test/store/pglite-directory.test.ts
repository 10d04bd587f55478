import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store';
import { describeStoreContract } from './store-contract';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'inzage-store-test-'));
}

describeStoreContract('PGlite store, in a data directory', 'pglite', async () => {
  const root = await temporaryDirectory();
  return {
    open: () => openStore({ driver: 'pglite', dataDir: join(root, 'data') }),
    persistent: true,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

describe('PGlite data directory', () => {
  it('is created, parents and all, when missing', async () => {
    const root = await temporaryDirectory();
    try {
      const dataDir = join(root, 'not', 'yet', 'there');
      const store = await openStore({ driver: 'pglite', dataDir });
      await store.close();
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
