import type { Queryable } from '../store';
import {
  COLUMNS,
  fromRow,
  type ResourceRow,
  type ResourceSource,
  type StoredResource,
} from './resource-store';

/**
 * Reads over one organisation's resources from one source: what a sync that mirrors an external
 * system (the ECD) compares its records with, and the sweep that finds what that system no longer
 * lists. Scoping every read to the organisation and source means a sync never bases a write on, or
 * ends, a resource that another organisation or another part of the gateway wrote.
 */

/** One organisation's resources from one source. */
export interface ResourceScope {
  organisationId: string;
  source: ResourceSource;
}

/** What a writer needs of a current version to compare with and to base its next write on. */
export interface CurrentVersion {
  id: string;
  versionId: number;
  contentHash: string;
  endedAt: Date | null;
  patientId: string | null;
  sourceRecord: string | null;
}

/**
 * The current versions, without their content, of those of `ids` that exist in the scope. An id
 * absent from the answer is a new resource (basedOn 0), or one outside the scope, which a write based
 * on 0 then refuses with ERR_RESOURCE_CONFLICT.
 */
export async function currentVersions(
  q: Queryable,
  scope: ResourceScope,
  resourceType: string,
  ids: readonly string[],
): Promise<Map<string, CurrentVersion>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{
    id: string;
    version_id: number;
    content_hash: string;
    ended_at: Date | null;
    patient_id: string | null;
    source_record: string | null;
  }>(
    `SELECT id, version_id, content_hash, ended_at, patient_id, source_record FROM fhir_resource
     WHERE resource_type = $1 AND organisation_id = $2 AND source = $3 AND id = ANY($4::text[])`,
    [resourceType, scope.organisationId, scope.source, ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        versionId: r.version_id,
        contentHash: r.content_hash,
        endedAt: r.ended_at,
        patientId: r.patient_id,
        sourceRecord: r.source_record,
      },
    ]),
  );
}

/** How many resources of one type in the scope stand and have not ended. */
export async function countCurrent(
  q: Queryable,
  scope: ResourceScope,
  resourceType: string,
): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM fhir_resource
     WHERE organisation_id = $1 AND source = $2 AND resource_type = $3 AND ended_at IS NULL`,
    [scope.organisationId, scope.source, resourceType],
  );
  return rows[0]?.n ?? 0;
}

/**
 * The current versions of the scope's resources of one type that carry an identifier of `system`
 * with one of `values` (ended ones included: the caller decides whether they count). For checks such
 * as "is this BSN already another client's".
 */
export async function resourcesWithIdentifier(
  q: Queryable,
  scope: ResourceScope,
  resourceType: string,
  system: string,
  values: readonly string[],
): Promise<StoredResource[]> {
  if (values.length === 0) return [];
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM fhir_resource
     WHERE resource_type = $1 AND organisation_id = $2 AND source = $3
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(content->'identifier', '[]'::jsonb)) i
                   WHERE i->>'system' = $4 AND i->>'value' = ANY($5::text[]))
     ORDER BY id`,
    [resourceType, scope.organisationId, scope.source, system, values],
  );
  return rows.map((r) => fromRow(r));
}

/**
 * The standing (not ended) resources of one type in the scope, optionally one client's, newest
 * change first: for a desk that lists what the scope holds (the request channel's Tasks).
 */
export async function currentResources(
  q: Queryable,
  scope: ResourceScope,
  resourceType: string,
  options: { patientId?: string; limit?: number } = {},
): Promise<StoredResource[]> {
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM fhir_resource
     WHERE resource_type = $1 AND organisation_id = $2 AND source = $3 AND ended_at IS NULL
       AND ($4::text IS NULL OR patient_id = $4)
     ORDER BY last_updated DESC, id LIMIT $5`,
    [resourceType, scope.organisationId, scope.source, options.patientId ?? null, options.limit ?? 500],
  );
  return rows.map((r) => fromRow(r));
}

/**
 * Mark and sweep over a scope, inside one transaction: the caller marks every resource the external
 * system still lists (`keep`), then asks for the standing ones it did not mark (`notKept`), to end
 * them. The marks live in a temporary table that goes with the transaction, so the memory a sync of
 * 10,000 clients needs stays flat.
 */
export interface Sweep {
  /** Marks resources of one type as still listed (marking one twice is harmless). */
  keep(resourceType: string, ids: readonly string[]): Promise<void>;
  /**
   * Up to `limit` resources of the scope that stand (not ended) and were not kept, in type and id
   * order. Ending them (a new version with endedAt) takes them out of the next answer, so a caller
   * loops until the answer is empty.
   */
  notKept(limit: number): Promise<StoredResource[]>;
}

/** Starts a sweep; `tx` must be a transaction, and it may hold one sweep at a time. */
export async function startSweep(tx: Queryable, scope: ResourceScope): Promise<Sweep> {
  await tx.query(`CREATE TEMP TABLE resource_sweep (resource_type text NOT NULL, id text NOT NULL,
    PRIMARY KEY (resource_type, id)) ON COMMIT DROP`);
  return {
    async keep(resourceType, ids) {
      if (ids.length === 0) return;
      await tx.query(
        `INSERT INTO resource_sweep (resource_type, id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [resourceType, ids],
      );
    },
    async notKept(limit) {
      const rows = await tx.query<ResourceRow & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM fhir_resource f
         WHERE f.organisation_id = $1 AND f.source = $2 AND f.ended_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM resource_sweep s WHERE s.resource_type = f.resource_type AND s.id = f.id)
         ORDER BY f.resource_type, f.id LIMIT $3`,
        [scope.organisationId, scope.source, limit],
      );
      return rows.map((r) => fromRow(r));
    },
  };
}
