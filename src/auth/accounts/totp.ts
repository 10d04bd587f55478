import { Secret, TOTP } from 'otpauth';
import type { Queryable } from '../../store';
import { SecondFactorRefused } from './errors';
import { AccountSecret } from './secret';

/**
 * The TOTP second factor (RFC 6238) through otpauth: SHA-1, 6 digits, 30 s steps, the settings every
 * authenticator app reads. A code is accepted one step early or late (clock drift), and never twice:
 * the last step used is kept per account, and a code of that step or an earlier one is refused.
 */

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** Steps accepted either side of the current one. */
const WINDOW = 1;
/** 20 bytes (160 bits), the HMAC-SHA-1 key length RFC 4226 recommends. */
const SECRET_BYTES = 20;

/** A new TOTP secret, base32 as authenticator apps take it. */
export function createTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpOf(secret: string, label = 'account', issuer = 'Inzage'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The otpauth:// URI to show as a QR code at enrolment. */
export function totpEnrolmentUri(secret: string, accountName: string, issuer = 'Inzage'): string {
  return totpOf(secret, accountName, issuer).toString();
}

/** The step (30-second counter) a moment falls in. */
export function totpStep(at: Date): number {
  return TOTP.counter({ period: PERIOD_SECONDS, timestamp: at.getTime() });
}

/**
 * The step whose code `token` is, within ±1 step of `at`, if it is later than `lastStep`;
 * undefined when the code is wrong, too far off, or already used (that step or an earlier one).
 */
export function acceptedTotpStep(
  secret: string,
  token: string,
  at: Date,
  lastStep: number | undefined,
): number | undefined {
  if (!/^[0-9]{6}$/.test(token)) return undefined;
  const delta = totpOf(secret).validate({ token, timestamp: at.getTime(), window: WINDOW });
  if (delta === null) return undefined;
  const step = totpStep(at) + delta;
  return lastStep !== undefined && step <= lastStep ? undefined : step;
}

/** What the stored TOTP secrets are encrypted for (AccountSecret.seal authenticates it). */
const SEAL_PURPOSE = 'totp-secret';

/** The base32 secret of a stored value: sealed (now) or plain (rows written before encryption). */
function storedSecret(stored: string, key: AccountSecret | undefined): string {
  if (!AccountSecret.isSealed(stored)) return stored;
  return (key ?? AccountSecret.fromEnvironment()).open(SEAL_PURPOSE, stored);
}

/**
 * Stores a new TOTP secret for an account (enrolment or reset), encrypted with AES-256-GCM under a
 * key derived from the account secret (INZAGE_LINK_CODE_SECRET): a copy of the database alone does
 * not give the second factor away. Forgets the last step used.
 */
export async function setTotpSecret(
  tx: Queryable,
  accountId: string,
  secret: string,
  key: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<void> {
  Secret.fromBase32(secret);
  await tx.query('UPDATE account SET totp_secret = $2, totp_last_step = NULL WHERE id = $1', [
    accountId,
    key.seal(SEAL_PURPOSE, secret),
  ]);
}

/**
 * Checks a TOTP code of an account and records its step, so that the same code cannot be used again
 * (also not by a concurrent login: the update only succeeds while the stored step is earlier).
 * Throws SecondFactorRefused, with the reason in `detail`.
 */
export async function verifyTotp(
  tx: Queryable,
  accountId: string,
  token: string,
  at: Date,
  /** Opens sealed secrets (default: INZAGE_LINK_CODE_SECRET, read only for a sealed row). */
  key?: AccountSecret,
): Promise<void> {
  const [row] = await tx.query<{ totp_secret: string | null; totp_last_step: string | null }>(
    'SELECT totp_secret, totp_last_step FROM account WHERE id = $1',
    [accountId],
  );
  if (row === undefined || row.totp_secret === null)
    throw new SecondFactorRefused({ detail: 'no TOTP enrolled' });
  const lastStep = row.totp_last_step === null ? undefined : Number(row.totp_last_step);
  const secret = storedSecret(row.totp_secret, key);
  const step = acceptedTotpStep(secret, token.trim(), at, lastStep);
  if (step === undefined) {
    const replay = acceptedTotpStep(secret, token.trim(), at, undefined) !== undefined;
    throw new SecondFactorRefused({ detail: replay ? 'code of a step already used' : 'wrong code' });
  }
  const updated = await tx.query(
    `UPDATE account SET totp_last_step = $2
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [accountId, step],
  );
  if (updated.length === 0) throw new SecondFactorRefused({ detail: 'code used concurrently' });
}

/** The code an authenticator app shows for `secret` at `at`: for the demo's printed accounts and tests. */
export function totpCode(secret: string, at: Date = new Date()): string {
  return totpOf(secret).generate({ timestamp: at.getTime() });
}
