import type { Queryable } from '../store';
import type { PatientReference } from '../vocabulary';

/**
 * Change notification, in one place. A write that changes a fact a decision used (a Consent, a
 * relation, a suspension, a sync) announces it inside its transaction, so the NOTIFY goes out only if
 * it commits, and every instance drops what it cached. Listeners: the policy engine.
 */

/** One client's facts changed (payload: 'Patient/<id>'). */
export const CLIENT_CHANGE_CHANNEL = 'inzage_consent_change';
/** Many clients may have changed: an ECD sync committed (payload: the organisation id). */
export const BULK_CHANGE_CHANNEL = 'inzage_ecd_sync';

export type Change = { patient: PatientReference } | { organisation: string };

export async function announceChange(tx: Queryable, change: Change): Promise<void> {
  // The counter first, in the same transaction: an instance whose notification is late still sees
  // that its cached facts are stale (factVersion) on its very next decision.
  if ('patient' in change) {
    await tx.query(
      `INSERT INTO client_fact_version (patient, version) VALUES ($1, 1)
       ON CONFLICT (patient) DO UPDATE SET version = client_fact_version.version + 1`,
      [change.patient],
    );
    await tx.query('SELECT pg_notify($1, $2)', [CLIENT_CHANGE_CHANNEL, change.patient]);
  } else {
    await tx.query(
      `INSERT INTO organisation_fact_version (organisation_id, version) VALUES ($1, 1)
       ON CONFLICT (organisation_id) DO UPDATE SET version = organisation_fact_version.version + 1`,
      [change.organisation],
    );
    await tx.query('SELECT pg_notify($1, $2)', [BULK_CHANGE_CHANNEL, change.organisation]);
  }
}

/**
 * The change counters a client's facts depend on ('<client>:<organisation>'): two primary-key reads
 * in one statement. Cached facts loaded under another value are stale, whatever the notifications
 * said so far.
 */
export async function factVersion(q: Queryable, patient: PatientReference): Promise<string> {
  const rows = await q.query<{ c: string; o: string }>(
    `SELECT coalesce((SELECT version FROM client_fact_version WHERE patient = $1), 0)::text AS c,
            coalesce((SELECT v.version FROM organisation_fact_version v
                        JOIN fhir_resource r ON r.organisation_id = v.organisation_id
                       WHERE r.resource_type = 'Patient' AND r.id = $2), 0)::text AS o`,
    [patient, patient.slice('Patient/'.length)],
  );
  return `${rows[0]?.c ?? '0'}:${rows[0]?.o ?? '0'}`;
}
