import { randomUUID } from 'node:crypto';
import type { Store } from '../store';
import { CONSENT_CHANGE_CHANNEL, type PolicyEngine } from './engine';

export interface SuspensionRequest {
  /** 'Patient/<id>': whose portal. */
  patient: string;
  /** One person's access ('Patient/…' or 'RelatedPerson/…'); absent = the client's whole portal. */
  principal?: string;
  /** From when; now when absent. */
  startsAt?: Date;
  /** Until when (exclusive); until lifted when absent (ending access for good is a suspension without end). */
  endsAt?: Date;
  /** Why: shown to reviewers; required, because a suspension must be explainable. */
  reason: string;
}

/**
 * M-5 and A-10: the organisation suspends or ends a person's access to a client's portal, or closes
 * the whole portal. Effective on the next request on every instance.
 */
export async function suspendAccess(
  engine: PolicyEngine,
  store: Store,
  request: SuspensionRequest,
): Promise<string> {
  if (!request.reason.trim()) throw new TypeError('a suspension needs a reason');
  const facts = await engine.facts(request.patient);
  if (!facts) throw new TypeError(`${request.patient} is not known to the gateway`);
  const id = `suspension-${randomUUID()}`;
  const startsAt = request.startsAt ?? new Date();
  if (request.endsAt && request.endsAt <= startsAt)
    throw new TypeError('a suspension must end after it starts');
  await store.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO access_suspension (id, organisation_id, patient_id, principal, starts_at, ends_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        facts.organisationId,
        request.patient.slice('Patient/'.length),
        request.principal ?? null,
        startsAt.toISOString(),
        request.endsAt?.toISOString() ?? null,
        request.reason,
      ],
    );
    await tx.query('SELECT pg_notify($1, $2)', [CONSENT_CHANGE_CHANNEL, request.patient]);
  });
  engine.invalidate(request.patient);
  return id;
}

/** Lifts a suspension (M-7's "manual lift" too): access comes back on the next request. */
export async function liftSuspension(
  engine: PolicyEngine,
  store: Store,
  id: string,
  at = new Date(),
): Promise<void> {
  const rows = await store.transaction(async (tx) => {
    const lifted = await tx.query<{ patient_id: string }>(
      `UPDATE access_suspension SET lifted_at = $2 WHERE id = $1 AND lifted_at IS NULL RETURNING patient_id`,
      [id, at.toISOString()],
    );
    for (const row of lifted)
      await tx.query('SELECT pg_notify($1, $2)', [CONSENT_CHANGE_CHANNEL, `Patient/${row.patient_id}`]);
    return lifted;
  });
  if (rows.length === 0) throw new TypeError(`no suspension ${id} to lift`);
  engine.invalidate(`Patient/${rows[0]!.patient_id}`);
}
