import type { Queryable } from '../../src/store';

/**
 * Empties every table of the gateway's schema except the migration log, so that a test or a bench
 * starts from a migrated, empty database. The tables are read from the database, not listed here: a
 * table added by a later migration is emptied too, without anyone having to remember it.
 */
export async function resetGatewayTables(store: Queryable): Promise<void> {
  const tables = await store.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables
     WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY tablename`,
  );
  if (tables.length === 0) return;
  await store.query(`TRUNCATE ${tables.map((t) => `"${t.name.replaceAll('"', '""')}"`).join(', ')}`);
}
