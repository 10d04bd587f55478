import { randomUUID } from 'node:crypto';
import type { PolicyEngine } from '../consent';
import { announceChange } from '../resources';
import type { Queryable, Store } from '../store';
import { relatedPersonReference, type RelatedPersonReference } from '../vocabulary';

/**
 * Whom the organisation registered as a client's portal administrator (A-3: the organisation appoints
 * one). Two sources: the ECD's registrations (portal_registration, the RelatedPersons of the current
 * registrations with the requested role 'administrator'), and the choice staff made in the
 * administration where the rules leave one (administrator_choice, issue 12). A standing choice of
 * staff replaces the ECD's registrations of that client: it is the organisation's latest word, and the
 * ECD import would otherwise undo it (it owns portal_registration). The ecd module owns both tables;
 * the policy engine is handed this reader.
 */
export async function administratorRegistrationsOf(
  q: Queryable,
  patientId: string,
): Promise<RelatedPersonReference[]> {
  // One round trip: the engine reads this on every load of a client's facts.
  const rows = await q.query<{ id: string }>(
    `WITH choice AS (
       SELECT substr(person_reference, ${'RelatedPerson/'.length + 1}) AS id FROM administrator_choice
       WHERE patient_id = $1 AND ended_at IS NULL)
     SELECT id FROM choice
     UNION ALL
     SELECT rp.id FROM portal_registration pr
     JOIN fhir_resource p ON p.resource_type = 'Patient' AND p.id = $1
     JOIN fhir_resource rp ON rp.resource_type = 'RelatedPerson' AND rp.organisation_id = pr.organisation_id
       AND rp.source_record = pr.person->>'relationId' AND rp.patient_id = p.id
     WHERE pr.organisation_id = p.organisation_id AND pr.client_id = p.source_record
       AND pr.requested_role = 'administrator' AND pr.ended_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM choice)`,
    [patientId],
  );
  return rows.map((r) => relatedPersonReference(r.id));
}

/** The ECD's registrations alone (the registration form), without the choice of staff. */
export async function ecdAdministratorRegistrationsOf(
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

/** A choice of staff of a client's administrator, as it stands. */
export interface AdministratorChoice {
  readonly id: string;
  readonly organisationId: string;
  readonly patientId: string;
  readonly person: RelatedPersonReference;
  /** Actor text: 'staff:<id>'. */
  readonly chosenBy: string;
  readonly chosenAt: Date;
  readonly reason: string;
}

type ChoiceRow = {
  id: string;
  organisation_id: string;
  patient_id: string;
  person_reference: string;
  chosen_by: string;
  chosen_at: Date;
  reason: string;
};

/** The standing choice of staff for the client, if any. */
export async function administratorChoiceOf(
  q: Queryable,
  patientId: string,
): Promise<AdministratorChoice | undefined> {
  const [row] = await q.query<ChoiceRow>(
    `SELECT id, organisation_id, patient_id, person_reference, chosen_by, chosen_at, reason
     FROM administrator_choice WHERE patient_id = $1 AND ended_at IS NULL`,
    [patientId],
  );
  if (row === undefined) return undefined;
  return {
    id: row.id,
    organisationId: row.organisation_id,
    patientId: row.patient_id,
    person: relatedPersonReference(row.person_reference.slice('RelatedPerson/'.length)),
    chosenBy: row.chosen_by,
    chosenAt: row.chosen_at,
    reason: row.reason,
  };
}

export interface AdministratorChoiceInput {
  readonly organisationId: string;
  readonly patientId: string;
  readonly person: RelatedPersonReference;
  /** Actor text of the staff member: 'staff:<id>'. */
  readonly by: string;
  readonly at: Date;
  readonly reason: string;
}

/**
 * Records the organisation's choice of administrator (ending the standing one) and announces the
 * change in the same transaction, so that every instance decides on it from the next request; this
 * instance's cached facts of the client are dropped at once. Whether the rules leave this choice is
 * the caller's to check first (src/consent `administratorOptions`). `extra` runs in the same
 * transaction (the caller's audit record).
 */
export async function chooseAdministrator(
  engine: PolicyEngine,
  store: Store,
  input: AdministratorChoiceInput,
  extra?: (tx: Queryable) => Promise<void>,
): Promise<AdministratorChoice> {
  const id = `admin-choice-${randomUUID()}`;
  await store.transaction(async (tx) => {
    await tx.query(
      `UPDATE administrator_choice SET ended_at = $2, ended_by = $3 WHERE patient_id = $1 AND ended_at IS NULL`,
      [input.patientId, input.at, input.by],
    );
    await tx.query(
      `INSERT INTO administrator_choice (id, organisation_id, patient_id, person_reference, chosen_by, chosen_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, input.organisationId, input.patientId, input.person, input.by, input.at, input.reason],
    );
    await announceChange(tx, { patient: `Patient/${input.patientId}` });
    await extra?.(tx);
  });
  engine.invalidate(`Patient/${input.patientId}`);
  return {
    id,
    organisationId: input.organisationId,
    patientId: input.patientId,
    person: input.person,
    chosenBy: input.by,
    chosenAt: input.at,
    reason: input.reason,
  };
}
