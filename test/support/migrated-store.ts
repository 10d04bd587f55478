// Jest-only (uses its hooks); kept apart from tables.ts, which the benchmarks import too.
import { migrate, type Store } from '../../src/store';
import { resetGatewayTables } from './tables';

/**
 * The lifecycle every store contract suite shares: opens and migrates a store before the suite,
 * empties its tables before each test, and disposes of it after the suite. `use` receives the store.
 */
export function useMigratedStore(
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
  use: (store: Store) => void,
): void {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await open();
    await migrate(store);
    use(store);
  });
  beforeEach(async () => {
    await resetGatewayTables(store!);
  });
  afterAll(async () => {
    if (store) await dispose(store);
  });
}
