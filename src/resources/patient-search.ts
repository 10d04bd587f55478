import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../store';
import { COLUMNS, fromRow, type ResourceRow, type StoredResource } from './resource-store';

/**
 * An organisation's clients whose name, id or identifier (BSN, client number) matches the text, for
 * staff looking a client up: a part of a name (case-insensitive), or an exact id or identifier value.
 * Ended clients are included (staff explain the past too); at most `limit`, by name.
 */
export async function findPatients(
  q: Queryable,
  organisationId: string,
  text: string,
  limit = 50,
): Promise<StoredResource<Patient>[]> {
  const needle = text.trim();
  if (!needle) return [];
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM fhir_resource
     WHERE resource_type = 'Patient' AND organisation_id = $1
       AND (id = $2
         OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(content->'identifier', '[]'::jsonb)) i
                    WHERE i->>'value' = $2)
         OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(content->'name', '[]'::jsonb)) n
                    WHERE (coalesce(n->>'text', '') || ' ' || coalesce(n->'given'->>0, '') || ' ' || coalesce(n->>'family', '')) ILIKE $3))
     ORDER BY content->'name'->0->>'family', id
     LIMIT $4`,
    [organisationId, needle, like, limit],
  );
  return rows.map((r) => fromRow<Patient>(r));
}

/**
 * The ids of an organisation's current clients (those the ECD still lists), in id order: for a pass
 * over every client (what needs a decision). One indexed read.
 */
export async function patientIdsOfOrganisation(q: Queryable, organisationId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM fhir_resource
     WHERE resource_type = 'Patient' AND organisation_id = $1 AND ended_at IS NULL ORDER BY id`,
    [organisationId],
  );
  return rows.map((r) => r.id);
}
