import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  AccountSecret,
  acceptedTotpStep,
  clearFailures,
  hashPassword,
  longestLock,
  passwordProblems,
  recordFailure,
  throttleKey,
  verifyAgainstNoAccount,
  verifyPassword,
  type Limit,
} from '../../auth';
import { InvalidInput } from '../../errors';
import type { Queryable } from '../../store';
import { staffByEmail, staffById, type StaffAccount } from './accounts';

/**
 * The staff login's credentials (issue 12, item 1): the password (scrypt, as the portal's), the
 * TOTP second factor (sealed under INZAGE_LINK_CODE_SECRET, a step never accepted twice), the
 * one-time enrolment code a new staff member sets their password with, and the lockout, counted
 * in the database (login_throttle, src/auth) so that every instance counts the same attempts.
 */

/**
 * 5 wrong passwords per e-mail address in 15 minutes lock that address for 15 minutes; 30 per
 * client address; 5 wrong codes per staff account. An unknown e-mail address counts like a known one.
 */
export const STAFF_LIMITS = {
  account: { name: 'staff-login-account', maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
  address: { name: 'staff-login-address', maxFailures: 30, windowSeconds: 900, lockSeconds: 900 },
  secondFactor: { name: 'staff-second-factor', maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
} as const satisfies Record<string, Limit>;

const TOTP_PURPOSE = 'staff-totp-secret';
/** An enrolment code is valid for three days. */
export const ENROLMENT_CODE_HOURS = 72;

export type PasswordCheck =
  | { readonly kind: 'ok'; readonly staff: StaffAccount }
  /** Unknown e-mail, wrong password, no password, or a blocked account: one answer for all. */
  | { readonly kind: 'refused'; readonly staff?: StaffAccount; readonly why: string }
  | { readonly kind: 'locked'; readonly seconds: number; readonly staff?: StaffAccount };

/**
 * Checks an e-mail address and password. The same work is spent for an unknown address
 * (verifyAgainstNoAccount), and every refusal counts towards the lock of the address and of the
 * client address, so that neither the answer nor its time tells whether the account exists.
 */
export async function checkStaffPassword(
  q: Queryable,
  input: { email: string; password: string; address: string; now: Date },
): Promise<PasswordCheck> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const keys = {
    account: throttleKey(STAFF_LIMITS.account, email),
    address: throttleKey(STAFF_LIMITS.address, input.address),
  };
  const staff = email ? await staffByEmail(q, email) : undefined;
  const locked = await longestLock(q, [keys.account, keys.address], input.now);
  if (locked !== undefined) return { kind: 'locked', seconds: locked, ...(staff ? { staff } : {}) };
  const password = input.password.slice(0, 256);
  const hash = staff ? await passwordHashOf(q, staff.id) : undefined;
  const good = hash ? await verifyPassword(password, hash) : await verifyAgainstNoAccount(password);
  if (good && staff && !staff.blockedAt) {
    await clearFailures(q, keys.account);
    return { kind: 'ok', staff };
  }
  const why = !staff ? 'unknown e-mail address' : staff.blockedAt ? 'blocked' : 'wrong password';
  const lockA = await recordFailure(q, STAFF_LIMITS.account, keys.account, input.now);
  const lockB = await recordFailure(q, STAFF_LIMITS.address, keys.address, input.now);
  const seconds = Math.max(lockA ?? 0, lockB ?? 0);
  if (seconds > 0) return { kind: 'locked', seconds, ...(staff ? { staff } : {}) };
  return { kind: 'refused', why, ...(staff ? { staff } : {}) };
}

/**
 * Counts a wrong enrolment code against the client address (the lock of the password login);
 * the lock's seconds when the address is locked.
 */
export async function enrolmentRefused(
  q: Queryable,
  address: string,
  now: Date,
): Promise<number | undefined> {
  const key = throttleKey(STAFF_LIMITS.address, address);
  return (await longestLock(q, [key], now)) ?? (await recordFailure(q, STAFF_LIMITS.address, key, now));
}

async function passwordHashOf(q: Queryable, id: string): Promise<string | undefined> {
  const [row] = await q.query<{ password_hash: string | null }>(
    'SELECT password_hash FROM staff_account WHERE id = $1',
    [id],
  );
  return row?.password_hash ?? undefined;
}

/** Sets a new password (the policy of the portal's passwords: 12 characters, not a common one). */
export async function setStaffPassword(q: Queryable, staffId: string, password: string): Promise<void> {
  const problems = passwordProblems(password);
  if (problems.length > 0)
    throw new InvalidInput(problems.map((p) => p.nl).join(' '), { code: 'ERR_STAFF_PASSWORD' });
  await q.query(
    `UPDATE staff_account SET password_hash = $2, enrolment_code_hash = NULL, enrolment_expires_at = NULL
     WHERE id = $1`,
    [staffId, await hashPassword(password)],
  );
}

function codeHash(code: string): string {
  return createHash('sha256').update(`staff-enrolment:${code.trim()}`).digest('base64url');
}

/**
 * A new one-time enrolment code for a staff account (replacing any earlier one): shown once, only
 * its hash kept. With it the staff member sets their own password at /admin/console/enrol.
 */
export async function issueEnrolmentCode(
  q: Queryable,
  staffId: string,
  now = new Date(),
): Promise<{ code: string; expiresAt: Date }> {
  const code = randomBytes(20).toString('base64url');
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_HOURS * 3600_000);
  await q.query(
    'UPDATE staff_account SET enrolment_code_hash = $2, enrolment_expires_at = $3 WHERE id = $1',
    [staffId, codeHash(code), expiresAt],
  );
  return { code, expiresAt };
}

/** The account an unexpired enrolment code belongs to (not a blocked one). */
export async function staffOfEnrolmentCode(
  q: Queryable,
  code: string,
  now = new Date(),
): Promise<StaffAccount | undefined> {
  if (!code || code.length > 100) return undefined;
  const [row] = await q.query<{ id: string }>(
    'SELECT id FROM staff_account WHERE enrolment_code_hash = $1 AND enrolment_expires_at > $2',
    [codeHash(code), now],
  );
  const staff = row ? await staffById(q, row.id) : undefined;
  return staff && !staff.blockedAt ? staff : undefined;
}

/** Uses an enrolment code: sets the password and forgets the code, in one statement (one use). */
export async function enrolWithCode(
  q: Queryable,
  code: string,
  password: string,
  now = new Date(),
): Promise<StaffAccount | undefined> {
  const problems = passwordProblems(password);
  if (problems.length > 0)
    throw new InvalidInput(problems.map((p) => p.nl).join(' '), { code: 'ERR_STAFF_PASSWORD' });
  const hash = await hashPassword(password);
  const [row] = await q.query<{ id: string }>(
    `UPDATE staff_account SET password_hash = $3, enrolment_code_hash = NULL, enrolment_expires_at = NULL
     WHERE enrolment_code_hash = $1 AND enrolment_expires_at > $2 AND blocked_at IS NULL RETURNING id`,
    [codeHash(code), now, hash],
  );
  return row ? staffById(q, row.id) : undefined;
}

/**
 * The TOTP secret offered at enrolment in one login session: derived from the session cookie under
 * the console's key, so nothing is stored before it is confirmed and no other session can know it.
 */
export function enrolmentTotpSecret(sessionToken: string, key: Buffer): string {
  const bytes = createHmac('sha256', key)
    .update(`staff-totp-enrolment:${sessionToken}`)
    .digest()
    .subarray(0, 20);
  return base32(bytes);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Stores a confirmed TOTP secret, sealed; the steps of the first code count as used. */
export async function setStaffTotp(
  q: Queryable,
  staffId: string,
  secret: string,
  step: number,
  key: AccountSecret | undefined,
): Promise<void> {
  const sealed = (key ?? AccountSecret.fromEnvironment()).seal(TOTP_PURPOSE, secret);
  await q.query('UPDATE staff_account SET totp_secret = $2, totp_last_step = $3 WHERE id = $1', [
    staffId,
    sealed,
    step,
  ]);
}

/** The plain secret of a stored value (sealed, or plain in rows made without a key). */
function openSecret(stored: string, key: AccountSecret | undefined): string {
  if (!AccountSecret.isSealed(stored)) return stored;
  return (key ?? AccountSecret.fromEnvironment()).open(TOTP_PURPOSE, stored);
}

/** Seals a secret for createStaffAccount (the demo's fixed secrets, the bootstrap command). */
export function sealStaffTotp(secret: string, key: AccountSecret | undefined): string {
  return (key ?? AccountSecret.fromEnvironment()).seal(TOTP_PURPOSE, secret);
}

export type CodeCheck = 'ok' | 'wrong' | 'replay' | 'locked' | 'none';

/**
 * Checks a staff member's TOTP code and records its step, so that the same code is never accepted
 * twice (not even by two instances at once: the update only succeeds while the stored step is
 * earlier). Wrong codes count towards a lock of the account's second factor.
 */
export async function checkStaffTotp(
  q: Queryable,
  staffId: string,
  code: string,
  now: Date,
  key: AccountSecret | undefined,
): Promise<{ result: CodeCheck; seconds?: number }> {
  const lockKey = throttleKey(STAFF_LIMITS.secondFactor, staffId);
  const locked = await longestLock(q, [lockKey], now);
  if (locked !== undefined) return { result: 'locked', seconds: locked };
  const [row] = await q.query<{ totp_secret: string | null; totp_last_step: string | null }>(
    'SELECT totp_secret, totp_last_step FROM staff_account WHERE id = $1',
    [staffId],
  );
  if (!row?.totp_secret) return { result: 'none' };
  const secret = openSecret(row.totp_secret, key);
  const last = row.totp_last_step === null ? undefined : Number(row.totp_last_step);
  const token = code.replace(/\s+/g, '');
  const step = acceptedTotpStep(secret, token, now, last);
  const fail = async (result: CodeCheck) => {
    const seconds = await recordFailure(q, STAFF_LIMITS.secondFactor, lockKey, now);
    return seconds === undefined ? { result } : { result: 'locked' as const, seconds };
  };
  if (step === undefined)
    return fail(acceptedTotpStep(secret, token, now, undefined) !== undefined ? 'replay' : 'wrong');
  const updated = await q.query(
    `UPDATE staff_account SET totp_last_step = $2
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [staffId, step],
  );
  if (updated.length === 0) return fail('replay');
  await clearFailures(q, lockKey);
  return { result: 'ok' };
}

/** Blocks a staff account (its sessions end with endSessionsOfStaff, in the same transaction). */
export async function setStaffBlocked(
  q: Queryable,
  staffId: string,
  blocked: boolean,
  now = new Date(),
): Promise<boolean> {
  const rows = await q.query(
    blocked
      ? 'UPDATE staff_account SET blocked_at = $2 WHERE id = $1 AND blocked_at IS NULL RETURNING id'
      : 'UPDATE staff_account SET blocked_at = NULL WHERE id = $1 AND blocked_at IS NOT NULL AND $2::timestamptz IS NOT NULL RETURNING id',
    [staffId, now],
  );
  return rows.length > 0;
}

export async function setStaffRole(q: Queryable, staffId: string, role: string): Promise<void> {
  await q.query('UPDATE staff_account SET role = $2 WHERE id = $1', [staffId, role]);
}

/** Links a federated identity to a staff account (its first login through the provider). */
export async function setStaffOidc(
  q: Queryable,
  staffId: string,
  issuer: string,
  subject: string,
): Promise<void> {
  await q.query('UPDATE staff_account SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1', [
    staffId,
    issuer,
    subject,
  ]);
}

export async function staffByOidc(
  q: Queryable,
  issuer: string,
  subject: string,
): Promise<StaffAccount | undefined> {
  const [row] = await q.query<{ id: string }>(
    'SELECT id FROM staff_account WHERE oidc_issuer = $1 AND oidc_subject = $2',
    [issuer, subject],
  );
  return row ? staffById(q, row.id) : undefined;
}
