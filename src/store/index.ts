/**
 * Database access for the gateway: one interface over PGlite (embedded, the default) and
 * PostgreSQL (production), with the schema migrations. Other modules use only what is exported here.
 */
import { openPgliteStore } from './pglite';
import { openPostgresStore } from './postgres';
import type { Store, StoreOptions } from './types';

export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export { migrate } from './migrate';
export type { MigrateOptions, MigrateResult } from './migrate';
export { migrations } from './migrations/index';
export type {
  ListenOptions,
  Migration,
  Queryable,
  Row,
  Store,
  StoreDriver,
  StoreErrorHandler,
  StoreOptions,
} from './types';

/**
 * Opens a store. PGlite opens (and if need be initialises) its database before resolving;
 * PostgreSQL connects lazily, so an unreachable server shows up in ping() and the first query.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  switch (options.driver) {
    case 'pglite':
      return openPgliteStore(options);
    case 'postgres':
      return openPostgresStore(options);
  }
}
