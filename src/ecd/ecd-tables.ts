import type { Queryable } from '../store';
import type { EcdPersonReference } from './export-format';

/**
 * The tables the ecd module owns, and its only SQL on them: `ecd_import`, the log of imports (every
 * version an import writes names its row as the run), and `portal_registration`, who signed up for
 * the portal (M-14). The gateway's FHIR resources are the resources module's; the sync writes them
 * through it.
 */

// ---- ecd_import ---------------------------------------------------------------------------------

export interface ImportLogStart {
  organisationId: string;
  /** Where the export came from ("cli:/path/export.json", "push:<organisation>"). */
  source: string;
  exportedAt: string;
  startedAt: Date;
}

/**
 * Opens the import's row before anything is written, so that its id can be the run of the actor on
 * every version the import writes. It lives in the import's transaction: a refused or dry run leaves
 * no row, and no version names it.
 */
export async function startImportLog(tx: Queryable, start: ImportLogStart): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO ecd_import (organisation_id, source, exported_at, started_at, finished_at, counts)
     VALUES ($1, $2, $3, $4, $4, '{}'::jsonb) RETURNING id`,
    [start.organisationId, start.source, start.exportedAt, start.startedAt.toISOString()],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('ecd_import returned no id');
  return String(id);
}

/** Closes the import's row with what it did. */
export async function finishImportLog(tx: Queryable, id: string, counts: unknown): Promise<void> {
  await tx.query('UPDATE ecd_import SET finished_at = clock_timestamp(), counts = $2::jsonb WHERE id = $1', [
    id,
    JSON.stringify(counts),
  ]);
}

// ---- portal_registration ------------------------------------------------------------------------

export interface RegistrationWrite {
  id: string;
  client_id: string;
  person: EcdPersonReference;
  registered_on: string;
  requested_role: string;
  content_hash: string;
}

/** The stored registrations among `ids`, with what a sync compares. */
export async function currentRegistrations(
  tx: Queryable,
  organisationId: string,
  ids: readonly string[],
): Promise<Map<string, { contentHash: string; endedAt: Date | null }>> {
  const rows = await tx.query<{ id: string; content_hash: string; ended_at: Date | null }>(
    `SELECT id, content_hash, ended_at FROM portal_registration
     WHERE organisation_id = $1 AND id = ANY($2::text[])`,
    [organisationId, ids],
  );
  return new Map(rows.map((r) => [r.id, { contentHash: r.content_hash, endedAt: r.ended_at }]));
}

/** Inserts or replaces registrations; a replaced one stands again (ended_at cleared). */
export async function writeRegistrations(
  tx: Queryable,
  organisationId: string,
  writes: readonly RegistrationWrite[],
  at: Date,
): Promise<void> {
  if (writes.length === 0) return;
  await tx.query(
    `INSERT INTO portal_registration (organisation_id, id, client_id, person, registered_on, requested_role,
       content_hash, updated_at, ended_at)
     SELECT $1, id, client_id, person, registered_on, requested_role, content_hash, $3::timestamptz, NULL
     FROM jsonb_to_recordset($2::jsonb) AS r(id text, client_id text, person jsonb, registered_on date,
       requested_role text, content_hash text)
     ON CONFLICT (organisation_id, id) DO UPDATE SET client_id = excluded.client_id, person = excluded.person,
       registered_on = excluded.registered_on, requested_role = excluded.requested_role,
       content_hash = excluded.content_hash, updated_at = excluded.updated_at, ended_at = NULL`,
    [organisationId, JSON.stringify(writes), at.toISOString()],
  );
}

/** Ends the organisation's standing registrations that the import's staging table does not list. */
export async function endRegistrationsNotStaged(
  tx: Queryable,
  organisationId: string,
  at: Date,
): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `WITH ended AS (
       UPDATE portal_registration p SET ended_at = $2::timestamptz, updated_at = $2::timestamptz
       WHERE p.organisation_id = $1 AND p.ended_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'portalRegistrations' AND s.record_id = p.id)
       RETURNING 1)
     SELECT count(*)::int AS n FROM ended`,
    [organisationId, at.toISOString()],
  );
  return rows[0]?.n ?? 0;
}

/** The moment the import's transaction began: every version it writes carries it as lastUpdated. */
export async function transactionStart(tx: Queryable): Promise<Date> {
  const rows = await tx.query<{ now: Date }>('SELECT now() AS now');
  return rows[0]?.now ?? new Date();
}
