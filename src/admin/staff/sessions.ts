import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../store';
import type { StaffCaller } from '../caller';
import { staffById } from './accounts';

/** The console's session cookie. `__Host-` is not used: the demo runs on http://localhost. */
export const STAFF_SESSION_COOKIE = 'inzage_staff';
/** A working day: a staff session ends after eight hours whatever happens. */
export const STAFF_SESSION_HOURS = 8;

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Opens a session for a staff member and returns the cookie value. Only its hash is stored.
 * `secondFactorDone` false: the session may only finish the login (the TOTP step).
 */
export async function openStaffSession(
  q: Queryable,
  staffId: string,
  options: { secondFactorDone: boolean; now?: Date },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = options.now ?? new Date();
  await q.query(
    `INSERT INTO staff_session (id_hash, staff_id, created_at, expires_at, second_factor_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [
      hashOf(token),
      staffId,
      now,
      new Date(now.getTime() + STAFF_SESSION_HOURS * 3600_000),
      options.secondFactorDone ? now : null,
    ],
  );
  return token;
}

/** Marks the second factor done for the session (after a correct TOTP code). */
export async function completeSecondFactor(q: Queryable, token: string, now = new Date()): Promise<void> {
  await q.query('UPDATE staff_session SET second_factor_at = $2 WHERE id_hash = $1 AND ended_at IS NULL', [
    hashOf(token),
    now,
  ]);
}

export interface StaffSessionState {
  readonly staffId: string;
  readonly secondFactorDone: boolean;
}

/** The open, unexpired session of this cookie value, whatever its login step. */
export async function staffSessionState(
  q: Queryable,
  token: string,
  now = new Date(),
): Promise<StaffSessionState | undefined> {
  if (!token || token.length > 100) return undefined;
  const rows = await q.query<{ staff_id: string; second_factor_at: Date | null }>(
    `SELECT staff_id, second_factor_at FROM staff_session
     WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > $2`,
    [hashOf(token), now],
  );
  const row = rows[0];
  return row ? { staffId: row.staff_id, secondFactorDone: row.second_factor_at !== null } : undefined;
}

/**
 * The staff member of a fully logged-in session (second factor done, account not blocked), read
 * from the database on every request, so that a block counts at once on every instance.
 */
export async function staffOfSession(
  q: Queryable,
  token: string,
  now = new Date(),
): Promise<StaffCaller | undefined> {
  const state = await staffSessionState(q, token, now);
  if (!state?.secondFactorDone) return undefined;
  const staff = await staffById(q, state.staffId);
  if (!staff || staff.blockedAt) return undefined;
  return {
    kind: 'staff',
    staffId: staff.id,
    name: staff.name,
    email: staff.email,
    role: staff.role,
    organisationId: staff.organisationId,
    via: 'session',
  };
}

export async function endStaffSession(q: Queryable, token: string, now = new Date()): Promise<void> {
  await q.query('UPDATE staff_session SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL', [
    hashOf(token),
    now,
  ]);
}

/** Ends every session of a staff member (blocked, or role changed). */
export async function endSessionsOfStaff(q: Queryable, staffId: string, now = new Date()): Promise<number> {
  const rows = await q.query(
    'UPDATE staff_session SET ended_at = $2 WHERE staff_id = $1 AND ended_at IS NULL RETURNING id_hash',
    [staffId, now],
  );
  return rows.length;
}

/**
 * The CSRF token of a session: an HMAC of the cookie value under a key of the instance's, so that
 * nothing more is stored and a page of one instance is accepted by another with the same key.
 * A cookie-authenticated change must carry it (form field `_csrf` or header X-CSRF-Token).
 */
export function csrfTokenOf(sessionToken: string, key: Buffer): string {
  return createHmac('sha256', key).update(`csrf:${sessionToken}`).digest('base64url');
}

export function csrfMatches(sessionToken: string, key: Buffer, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken, key));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
