import type { Resource } from '@medplum/fhirtypes';
import { Conflict } from '../errors';
import type { Queryable } from '../store';
import { actorText, type Actor } from '../vocabulary';
import { contentHash, stripVersion } from './content-hash';

/**
 * The gateway's own FHIR resources (Patient, RelatedPerson and Consent mapped from the ECD, grants
 * written through the policy engine, later the request channel's Tasks): the only writer of
 * fhir_resource and fhir_resource_history. Versions, history, the content hash and the actor of each
 * version are kept here and nowhere else. Every function takes the Queryable to run on, so a caller's
 * transaction covers its reads and writes alike.
 */

/**
 * Which part of the gateway a resource came from: the ECD link, the policy engine's grants, or the
 * FHIR API's request channel (the Tasks of M-9 and M-10).
 */
export type ResourceSource = 'ecd' | 'engine' | 'request-channel';

export interface StoredResource<T extends Resource = Resource> {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  organisationId: string;
  patientId: string | null;
  source: ResourceSource;
  sourceRecord: string | null;
  contentHash: string;
  endedAt: Date | null;
  /** Who wrote this version (see Actor in the vocabulary module). */
  actor: string;
  /** With meta.versionId and meta.lastUpdated set. */
  content: T & { id: string };
}

export interface ResourceWrite {
  resource: Resource & { id: string };
  organisationId: string;
  patientId: string | null;
  source: ResourceSource;
  sourceRecord?: string | null;
  /** Set when this version ends the resource (a vanished ECD record, an ended grant). */
  endedAt?: Date | null;
  /** The version the caller based this write on, 0 for a new resource; a concurrent change is refused. */
  basedOn: number;
}

/** A row of fhir_resource as the drivers return it. */
export interface ResourceRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  organisation_id: string;
  patient_id: string | null;
  source: ResourceSource;
  source_record: string | null;
  content_hash: string;
  ended_at: Date | null;
  actor: string;
  content: Resource & { id: string };
}

/** The columns of fhir_resource, in the order ResourceRow reads them. */
export const COLUMNS = `resource_type, id, version_id, last_updated, organisation_id, patient_id, source, source_record,
  content_hash, ended_at, actor, content`;

export function fromRow<T extends Resource>(row: ResourceRow): StoredResource<T> {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    organisationId: row.organisation_id,
    patientId: row.patient_id,
    source: row.source,
    sourceRecord: row.source_record,
    contentHash: row.content_hash,
    endedAt: row.ended_at,
    actor: row.actor,
    content: row.content as T & { id: string },
  };
}

/** The current version of one resource. */
export async function readResource<T extends Resource = Resource>(
  q: Queryable,
  resourceType: T['resourceType'],
  id: string,
): Promise<StoredResource<T> | undefined> {
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM fhir_resource WHERE resource_type = $1 AND id = $2`,
    [resourceType, id],
  );
  return rows[0] ? fromRow<T>(rows[0]) : undefined;
}

/** The current versions of a client's resources of the given types (ended ones included). */
export async function resourcesOfPatient(
  q: Queryable,
  patientId: string,
  resourceTypes: readonly string[],
): Promise<StoredResource[]> {
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM fhir_resource WHERE patient_id = $1 AND resource_type = ANY($2::text[])
     ORDER BY resource_type, id`,
    [patientId, resourceTypes],
  );
  return rows.map((r) => fromRow(r));
}

/**
 * A client's resources as they stood at a moment: of each resource, the last version written at or
 * before it. What a reviewer needs to check a past decision (a Consent withdrawn later still counts
 * for a read before the withdrawal).
 */
export async function resourcesOfPatientAsOf(
  q: Queryable,
  patientId: string,
  resourceTypes: readonly string[],
  at: Date,
): Promise<StoredResource[]> {
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT DISTINCT ON (h.resource_type, h.id) h.resource_type, h.id, h.version_id, h.last_updated,
       f.organisation_id, f.patient_id, f.source, f.source_record, f.content_hash, h.ended_at, h.actor, h.content
     FROM fhir_resource_history h
     JOIN fhir_resource f ON f.resource_type = h.resource_type AND f.id = h.id
     WHERE f.patient_id = $1 AND h.resource_type = ANY($2::text[]) AND h.last_updated <= $3
     ORDER BY h.resource_type, h.id, h.version_id DESC`,
    [patientId, resourceTypes, at.toISOString()],
  );
  return rows.map((r) => fromRow(r));
}

/** Every version of one resource, oldest first. */
export async function resourceHistory(
  q: Queryable,
  resourceType: string,
  id: string,
): Promise<StoredResource[]> {
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT h.resource_type, h.id, h.version_id, h.last_updated, f.organisation_id, f.patient_id, f.source,
       f.source_record, f.content_hash, h.ended_at, h.actor, h.content
     FROM fhir_resource_history h
     JOIN fhir_resource f ON f.resource_type = h.resource_type AND f.id = h.id
     WHERE h.resource_type = $1 AND h.id = $2 ORDER BY h.version_id`,
    [resourceType, id],
  );
  return rows.map((r) => fromRow(r));
}

/**
 * Writes new versions: the next version number after `basedOn`, meta.versionId and meta.lastUpdated
 * set, the content hash computed here, the current row replaced and the version appended to the
 * history, all with the actor. Refused with ERR_RESOURCE_CONFLICT, and nothing of the batch kept when
 * run in a transaction, if any resource is no longer at the version the caller based its write on.
 * Run it inside the caller's transaction, with `announceChange` for the clients it touches.
 */
export async function writeResources(
  tx: Queryable,
  writes: readonly ResourceWrite[],
  actor: Actor,
  at: Date = new Date(),
): Promise<StoredResource[]> {
  if (writes.length === 0) return [];
  const who = actorText(actor);
  const lastUpdated = at.toISOString();
  const rows = writes.map((w) => {
    const bare = stripVersion(w.resource);
    const version = w.basedOn + 1;
    return {
      resource_type: w.resource.resourceType,
      id: w.resource.id,
      version_id: version,
      last_updated: lastUpdated,
      organisation_id: w.organisationId,
      patient_id: w.patientId,
      source: w.source,
      source_record: w.sourceRecord ?? null,
      content_hash: contentHash(bare),
      ended_at: w.endedAt ? w.endedAt.toISOString() : null,
      actor: who,
      content: { ...bare, meta: { ...bare.meta, versionId: String(version), lastUpdated } },
    };
  });
  const json = JSON.stringify(rows);
  const written = await tx.query<{ id: string }>(
    `INSERT INTO fhir_resource (${COLUMNS})
     SELECT ${COLUMNS}
     FROM jsonb_to_recordset($1::jsonb) AS r(resource_type text, id text, version_id integer, last_updated timestamptz,
       organisation_id text, patient_id text, source text, source_record text, content_hash text,
       ended_at timestamptz, actor text, content jsonb)
     ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
       last_updated = excluded.last_updated, organisation_id = excluded.organisation_id,
       patient_id = excluded.patient_id, source = excluded.source, source_record = excluded.source_record,
       content_hash = excluded.content_hash, ended_at = excluded.ended_at, actor = excluded.actor,
       content = excluded.content
     WHERE fhir_resource.version_id = excluded.version_id - 1
     RETURNING id`,
    [json],
  );
  if (written.length !== rows.length) {
    const done = new Set(written.map((w) => w.id));
    const stale = rows.filter((r) => !done.has(r.id)).map((r) => `${r.resource_type}/${r.id}`);
    throw new Conflict('the resource was changed by someone else; try again', {
      code: 'ERR_RESOURCE_CONFLICT',
      detail: `not at the expected version: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}`,
    });
  }
  await tx.query(
    `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, ended_at, actor, content)
     SELECT resource_type, id, version_id, last_updated, ended_at, actor, content
     FROM jsonb_to_recordset($1::jsonb) AS r(resource_type text, id text, version_id integer,
       last_updated timestamptz, ended_at timestamptz, actor text, content jsonb)`,
    [json],
  );
  return rows.map((r) => ({
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: at,
    organisationId: r.organisation_id,
    patientId: r.patient_id,
    source: r.source,
    sourceRecord: r.source_record,
    contentHash: r.content_hash,
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    actor: r.actor,
    content: r.content as Resource & { id: string },
  }));
}
