import type { Queryable } from '../store';
import { tryParseReference, type PersonReference } from '../vocabulary';
import type { Suspension } from './facts';

/**
 * The organisation's suspensions (M-5, A-10): the consent module owns access_suspension, and all SQL on
 * it is here. Rows are never deleted; lifting records when and by whom, so the audit trail can say when
 * access came back. Every function takes the Queryable to run on, so a caller's transaction covers it.
 */

export interface SuspensionRecord {
  id: string;
  organisationId: string;
  patientId: string;
  principal?: PersonReference;
  startsAt: Date;
  endsAt?: Date;
  reason: string;
  /** actorText of who suspended. */
  createdBy: string;
  /** When it was recorded. */
  createdAt: Date;
}

interface SuspensionRow {
  id: string;
  principal: string | null;
  starts_at: Date;
  ends_at: Date | null;
  reason: string;
}

const COLUMNS = 'id, principal, starts_at, ends_at, reason';

function fromRow(row: SuspensionRow): Suspension {
  const principal = tryParseReference(row.principal)?.reference as PersonReference | undefined;
  return {
    id: row.id,
    ...(principal ? { principal } : {}),
    startsAt: row.starts_at.getTime(),
    ...(row.ends_at ? { endsAt: row.ends_at.getTime() } : {}),
    reason: row.reason,
  };
}

export async function recordSuspension(tx: Queryable, record: SuspensionRecord): Promise<void> {
  await tx.query(
    `INSERT INTO access_suspension (id, organisation_id, patient_id, principal, starts_at, ends_at, reason,
       created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      record.id,
      record.organisationId,
      record.patientId,
      record.principal ?? null,
      record.startsAt.toISOString(),
      record.endsAt?.toISOString() ?? null,
      record.reason,
      record.createdBy,
      record.createdAt.toISOString(),
    ],
  );
}

/** A suspension just lifted: what the audit trail says of it. */
export interface LiftedSuspension {
  patientId: string;
  organisationId: string;
  principal?: PersonReference;
  startsAt: Date;
  reason: string;
}

/**
 * Lifts a suspension that is in force: what it was when it was, `{ lifted }` with the moment when it
 * had been lifted already, undefined when there is no such suspension.
 */
export async function recordLift(
  tx: Queryable,
  id: string,
  at: Date,
  liftedBy: string,
): Promise<LiftedSuspension | { lifted: Date } | undefined> {
  const done = await tx.query<{
    patient_id: string;
    organisation_id: string;
    principal: string | null;
    starts_at: Date;
    reason: string;
  }>(
    `UPDATE access_suspension SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL
     RETURNING patient_id, organisation_id, principal, starts_at, reason`,
    [id, at.toISOString(), liftedBy],
  );
  const row = done[0];
  if (row) {
    const principal = tryParseReference(row.principal)?.reference as PersonReference | undefined;
    return {
      patientId: row.patient_id,
      organisationId: row.organisation_id,
      ...(principal ? { principal } : {}),
      startsAt: new Date(row.starts_at),
      reason: row.reason,
    };
  }
  const earlier = await tx.query<{ lifted_at: Date }>(
    'SELECT lifted_at FROM access_suspension WHERE id = $1',
    [id],
  );
  return earlier[0] ? { lifted: earlier[0].lifted_at } : undefined;
}

/** The suspensions of a client that have not been lifted (those that ended by their own end date too). */
export async function suspensionsOf(q: Queryable, patientId: string): Promise<Suspension[]> {
  const rows = await q.query<SuspensionRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM access_suspension WHERE patient_id = $1 AND lifted_at IS NULL ORDER BY id`,
    [patientId],
  );
  return rows.map(fromRow);
}

/**
 * The suspensions of a client as they stood at a moment: recorded by then, and not lifted by then. A
 * suspension recorded later with an earlier start was not in force when a past read happened.
 */
export async function suspensionsOfAsOf(q: Queryable, patientId: string, at: Date): Promise<Suspension[]> {
  const rows = await q.query<SuspensionRow & Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM access_suspension
     WHERE patient_id = $1 AND created_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2) ORDER BY id`,
    [patientId, at.toISOString()],
  );
  return rows.map(fromRow);
}

/** A suspension as staff see it (issue 12): who suspended and why, and who lifted it and when. */
export interface SuspensionEntry {
  readonly id: string;
  readonly organisationId: string;
  readonly patientId: string;
  /** The person whose access it concerns; absent: the client's whole portal. */
  readonly principal?: PersonReference;
  readonly startsAt: Date;
  readonly endsAt?: Date;
  readonly reason: string;
  /** actorText of who suspended. */
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly liftedAt?: Date;
  readonly liftedBy?: string;
}

interface SuspensionEntryRow {
  id: string;
  organisation_id: string;
  patient_id: string;
  principal: string | null;
  starts_at: Date;
  ends_at: Date | null;
  reason: string;
  created_by: string;
  created_at: Date;
  lifted_at: Date | null;
  lifted_by: string | null;
}

const ENTRY_COLUMNS =
  'id, organisation_id, patient_id, principal, starts_at, ends_at, reason, created_by, created_at, lifted_at, lifted_by';

function entryOf(row: SuspensionEntryRow): SuspensionEntry {
  const principal = tryParseReference(row.principal)?.reference as PersonReference | undefined;
  return {
    id: row.id,
    organisationId: row.organisation_id,
    patientId: row.patient_id,
    ...(principal ? { principal } : {}),
    startsAt: new Date(row.starts_at),
    ...(row.ends_at ? { endsAt: new Date(row.ends_at) } : {}),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    ...(row.lifted_at ? { liftedAt: new Date(row.lifted_at) } : {}),
    ...(row.lifted_by ? { liftedBy: row.lifted_by } : {}),
  };
}

/** Every suspension of a client ever recorded, lifted ones too, newest first. */
export async function suspensionHistoryOf(q: Queryable, patientId: string): Promise<SuspensionEntry[]> {
  const rows = await q.query<SuspensionEntryRow & Record<string, unknown>>(
    `SELECT ${ENTRY_COLUMNS} FROM access_suspension WHERE patient_id = $1 ORDER BY starts_at DESC, created_at DESC, id`,
    [patientId],
  );
  return rows.map(entryOf);
}

/** One suspension by its id, lifted or not. */
export async function suspensionById(q: Queryable, id: string): Promise<SuspensionEntry | undefined> {
  const rows = await q.query<SuspensionEntryRow & Record<string, unknown>>(
    `SELECT ${ENTRY_COLUMNS} FROM access_suspension WHERE id = $1`,
    [id],
  );
  return rows[0] && entryOf(rows[0]);
}
