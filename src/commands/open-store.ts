import type { GatewayConfig } from '../config';
import { migrate, openStore, type MigrateResult, type Store } from '../store';

export interface ConfiguredStore {
  store: Store;
  /** What migrating did: the schema version now, and the migrations applied just now. */
  schema: MigrateResult;
}

/**
 * Opens the database a configuration names, PostgreSQL (DATABASE_URL, with the configured pool
 * size) or PGlite (its data directory, or in memory), and brings its schema up to date. The one way
 * every command and the gateway open their store; the caller closes it.
 */
export async function openConfiguredStore(config: GatewayConfig): Promise<ConfiguredStore> {
  const store = await openStore(
    config.database.driver === 'postgres'
      ? { driver: 'postgres', databaseUrl: config.database.url, poolSize: config.database.poolSize }
      : { driver: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    return { store, schema: await migrate(store) };
  } catch (err) {
    await store.close();
    throw err;
  }
}
