import { StoreError, errorMessage } from './errors';
import { migrations as builtIn } from './migrations/index';
import { canRunScripts, runScript } from './shared';
import type { Migration, Queryable, Store } from './types';

/** 'INZAGE' in ASCII: a fixed advisory lock key that other applications are unlikely to pick. */
const MIGRATION_LOCK_KEY = '80596636813125';

export interface MigrateOptions {
  /** The migrations to apply instead of the gateway's own (tests use this). */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Versions this call applied, in order (empty when the schema was already current). */
  applied: number[];
  /** The schema version afterwards. */
  current: number;
}

function assertContiguous(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError(
        'ERR_STORE_MIGRATION',
        `migrations must be numbered 1..${list.length} in order without gaps; position ${index + 1} holds version ${String(migration.version)}`,
      );
    }
    if (typeof migration.name !== 'string' || migration.name.trim() === '') {
      throw new StoreError('ERR_STORE_MIGRATION', `migration ${migration.version} has no name`);
    }
    if (typeof migration.up !== 'string' || migration.up.trim() === '') {
      throw new StoreError('ERR_STORE_MIGRATION', `migration ${migration.version} has no SQL`);
    }
  });
}

/** Reads the applied history and checks that it is a prefix of the list this code knows. */
async function currentVersion(tx: Queryable, list: readonly Migration[]): Promise<number> {
  const rows = await tx.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  const newest = rows.at(-1)?.version ?? 0;
  if (newest > list.length) {
    throw new StoreError(
      'ERR_STORE_SCHEMA_TOO_NEW',
      `database schema is at version ${newest}, this gateway knows up to ${list.length}; upgrade the gateway`,
    );
  }
  rows.forEach((row, index) => {
    const expected = list[index];
    if (row.version !== index + 1 || expected === undefined) {
      throw new StoreError(
        'ERR_STORE_MIGRATION',
        `schema_migrations has a gap: version ${row.version} is recorded where ${index + 1} was expected`,
      );
    }
    if (row.name !== expected.name) {
      throw new StoreError(
        'ERR_STORE_MIGRATION',
        `schema_migrations records version ${row.version} as '${row.name}', but this gateway calls it '${expected.name}'; is this another application's database?`,
      );
    }
  });
  return newest;
}

/**
 * Applies pending migrations in order, each in its own transaction. Each transaction first takes
 * a transaction-scoped advisory lock and then re-reads the history, so that when several instances
 * start at once every migration runs exactly once and the others wait and find it done.
 */
export async function migrate(store: Store, options: MigrateOptions = {}): Promise<MigrateResult> {
  const list = options.migrations ?? builtIn;
  assertContiguous(list);
  const applied: number[] = [];
  for (;;) {
    const step = await store.transaction(async (tx) => {
      if (!canRunScripts(tx)) {
        throw new StoreError('ERR_STORE_MIGRATION', 'migrate() needs a store made by openStore()');
      }
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await tx.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version int PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const current = await currentVersion(tx, list);
      const next = list[current];
      if (next === undefined) return { current, appliedNow: undefined };
      try {
        await tx[runScript](next.up);
      } catch (error) {
        throw new StoreError(
          'ERR_STORE_MIGRATION',
          `migration ${next.version} (${next.name}) failed: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        next.version,
        next.name,
      ]);
      return { current: next.version, appliedNow: next.version };
    });
    if (step.appliedNow === undefined) return { applied, current: step.current };
    applied.push(step.appliedNow);
  }
}
