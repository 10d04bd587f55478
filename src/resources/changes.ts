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
  if ('patient' in change)
    await tx.query('SELECT pg_notify($1, $2)', [CLIENT_CHANGE_CHANNEL, change.patient]);
  else await tx.query('SELECT pg_notify($1, $2)', [BULK_CHANGE_CHANNEL, change.organisation]);
}
