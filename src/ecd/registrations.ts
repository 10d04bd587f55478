import type { Queryable } from '../store';
import { relatedPersonReference, type RelatedPersonReference } from '../vocabulary';

/**
 * Whom the organisation registered as a client's portal administrator (A-3: the organisation appoints
 * one): the RelatedPersons of the current registrations with the requested role 'administrator'. The
 * ecd module owns portal_registration; the policy engine is handed this reader.
 */
export async function administratorRegistrationsOf(
  q: Queryable,
  patientId: string,
): Promise<RelatedPersonReference[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT rp.id FROM portal_registration pr
     JOIN fhir_resource p ON p.resource_type = 'Patient' AND p.id = $1
     JOIN fhir_resource rp ON rp.resource_type = 'RelatedPerson' AND rp.organisation_id = pr.organisation_id
       AND rp.source_record = pr.person->>'relationId' AND rp.patient_id = p.id
     WHERE pr.organisation_id = p.organisation_id AND pr.client_id = p.source_record
       AND pr.requested_role = 'administrator' AND pr.ended_at IS NULL`,
    [patientId],
  );
  return rows.map((r) => relatedPersonReference(r.id));
}
