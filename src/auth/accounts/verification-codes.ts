import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { NotFound } from '../../errors';
import type { Queryable, Store } from '../../store';
import { VerificationCodeRefused } from './errors';
import type { MessageSender, Recipient } from './messages';
import { AccountSecret } from './secret';

/**
 * Six-digit codes sent to an account's e-mail address or mobile number: to verify them, or as a
 * second factor by SMS. A code is stored as an HMAC (a plain hash of 10^6 possibilities is no
 * protection), expires after a few minutes, and dies after five wrong attempts. A new code for the
 * same purpose supersedes the open one, so that attempts do not add up over several codes at once.
 */

export type VerificationPurpose = 'verify-email' | 'verify-mobile' | 'login';

/** Wrong attempts after which a code no longer works, even when then typed right. */
export const MAX_VERIFICATION_ATTEMPTS = 5;
/** Minutes a code works. */
export const VERIFICATION_CODE_MINUTES = 10;
const HASH_PURPOSE = 'verification-code';

const MESSAGE: Record<VerificationPurpose, (code: string) => string> = {
  'verify-email': (c) => `Uw verificatiecode voor Inzage is ${c}. / Your Inzage verification code is ${c}.`,
  'verify-mobile': (c) => `Uw verificatiecode voor Inzage is ${c}. / Your Inzage verification code is ${c}.`,
  login: (c) => `Uw inlogcode voor Inzage is ${c}. / Your Inzage login code is ${c}.`,
};

function recipientOf(purpose: VerificationPurpose, account: { email: string; mobile: string }): Recipient {
  return purpose === 'verify-email'
    ? { channel: 'email', address: account.email }
    : { channel: 'sms', address: account.mobile };
}

/** The hash input binds the code to its row, so a code cannot be tried against another row. */
function codeHash(secret: AccountSecret, id: string, code: string): string {
  return secret.hash(HASH_PURPOSE, `${id}:${code}`);
}

export interface CreateVerificationCodeInput {
  readonly accountId: string;
  readonly purpose: VerificationPurpose;
  readonly at: Date;
}

/**
 * Makes a code, supersedes the open one of the same purpose, and sends it to the account's address
 * for that purpose. The message is sent before the transaction commits: if the commit fails, a code
 * that never works was sent, which is harmless; the other way round a person could wait for nothing.
 */
export async function createVerificationCode(
  tx: Queryable,
  input: CreateVerificationCodeInput,
  sender: MessageSender,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<{ id: string; expiresAt: Date }> {
  const [account] = await tx.query<{ email: string; mobile: string }>(
    'SELECT email, mobile FROM account WHERE id = $1',
    [input.accountId],
  );
  if (account === undefined) throw new NotFound('no such account', { detail: input.accountId });
  await tx.query(
    `UPDATE verification_code SET closed_at = $3, outcome = 'superseded'
     WHERE account_id = $1 AND purpose = $2 AND closed_at IS NULL`,
    [input.accountId, input.purpose, input.at],
  );
  const id = `verification-${randomUUID()}`;
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  const to = recipientOf(input.purpose, account);
  const expiresAt = new Date(input.at.getTime() + VERIFICATION_CODE_MINUTES * 60_000);
  await tx.query(
    `INSERT INTO verification_code (id, account_id, purpose, destination, code_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, input.accountId, input.purpose, to.address, codeHash(secret, id, code), input.at, expiresAt],
  );
  await sender.send(to, MESSAGE[input.purpose](code));
  return { id, expiresAt };
}

export interface VerifyCodeInput {
  readonly accountId: string;
  readonly purpose: VerificationPurpose;
  readonly code: string;
  readonly at: Date;
}

type OpenCodeRow = {
  id: string;
  destination: string;
  code_hash: string;
  expires_at: Date;
  attempts: number;
};

type Outcome = { ok: true } | { ok: false; spent: boolean; detail: string };

async function attempt(tx: Queryable, input: VerifyCodeInput, secret: AccountSecret): Promise<Outcome> {
  const [open] = await tx.query<OpenCodeRow>(
    `SELECT id, destination, code_hash, expires_at, attempts FROM verification_code
     WHERE account_id = $1 AND purpose = $2 AND closed_at IS NULL
     ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [input.accountId, input.purpose],
  );
  if (open === undefined) return { ok: false, spent: false, detail: 'no open code' };
  if (open.expires_at.getTime() <= input.at.getTime()) {
    return { ok: false, spent: false, detail: `expired at ${open.expires_at.toISOString()}` };
  }
  const given = Buffer.from(codeHash(secret, open.id, input.code.trim()), 'hex');
  if (timingSafeEqual(given, Buffer.from(open.code_hash, 'hex'))) {
    await tx.query(`UPDATE verification_code SET closed_at = $2, outcome = 'verified' WHERE id = $1`, [
      open.id,
      input.at,
    ]);
    // Verified only if the address is still the one the code went to.
    if (input.purpose === 'verify-email') {
      await tx.query('UPDATE account SET email_verified_at = $2 WHERE id = $1 AND email = $3', [
        input.accountId,
        input.at,
        open.destination,
      ]);
    } else if (input.purpose === 'verify-mobile') {
      await tx.query('UPDATE account SET mobile_verified_at = $2 WHERE id = $1 AND mobile = $3', [
        input.accountId,
        input.at,
        open.destination,
      ]);
    }
    return { ok: true };
  }
  const attempts = open.attempts + 1;
  const spent = attempts >= MAX_VERIFICATION_ATTEMPTS;
  await tx.query(
    `UPDATE verification_code SET attempts = $2,
       closed_at = CASE WHEN $3::boolean THEN $4::timestamptz END,
       outcome = CASE WHEN $3::boolean THEN 'exhausted' END
     WHERE id = $1`,
    [open.id, attempts, spent, input.at],
  );
  return { ok: false, spent, detail: `wrong code, attempt ${attempts} of ${MAX_VERIFICATION_ATTEMPTS}` };
}

/**
 * Checks a code against the account's open code for the purpose; on success closes it and, for
 * verify-email and verify-mobile, marks the address verified. Takes the store and runs its own
 * transaction, because a wrong attempt must be counted even though the call then throws (inside a
 * caller's transaction the throw would roll the count back). Throws VerificationCodeRefused.
 */
export async function verifyCode(
  store: Store,
  input: VerifyCodeInput,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<void> {
  const outcome = await store.transaction((tx) => attempt(tx, input, secret));
  if (!outcome.ok) throw new VerificationCodeRefused(outcome.spent, { detail: outcome.detail });
}
