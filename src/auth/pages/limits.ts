/**
 * Rate limits and lockout of the login pages (issue 9, item 9), counted in the database
 * (login_throttle) so that every gateway instance counts the same attempts. A key is a limit's name
 * and a hash of what is limited (an e-mail address, a client address, an account), so the table
 * holds no addresses in the clear, and an unknown e-mail address is counted exactly like a known one:
 * the lockout tells nothing about whether an account exists.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../store';

export interface Limit {
  readonly name: string;
  /** Failures within the window after which the key is locked. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;
}

/**
 * Per account: 5 wrong passwords (or codes) in 15 minutes lock that account's login for 15 minutes:
 * online guessing gets 480 tries a day at most, and a person locked out by someone else waits a
 * quarter of an hour. Per client address: 30 in 15 minutes, against one address trying many accounts
 * (a shared NAT stays usable). Link codes: 10 wrong entries per address per hour; a code has 60 bits.
 */
export const LIMITS = {
  loginAccount: { name: 'login-account', maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
  loginAddress: { name: 'login-address', maxFailures: 30, windowSeconds: 900, lockSeconds: 900 },
  secondFactor: { name: 'second-factor', maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
  linkCode: { name: 'link-code', maxFailures: 10, windowSeconds: 3600, lockSeconds: 3600 },
  /** Each new code sent counts: 5 in 15 minutes per account, against SMS pumping. */
  resend: { name: 'resend', maxFailures: 5, windowSeconds: 900, lockSeconds: 900 },
} as const satisfies Record<string, Limit>;

/** The stored key of a limited subject. */
export function throttleKey(limit: Limit, subject: string): string {
  return `${limit.name}:${createHash('sha256').update(subject.trim().toLowerCase()).digest('base64url')}`;
}

/** Seconds the key is still locked, or undefined when it is not. */
export async function lockedSeconds(q: Queryable, key: string, now: Date): Promise<number | undefined> {
  const [row] = await q.query<{ locked_until: Date | null }>(
    'SELECT locked_until FROM login_throttle WHERE key = $1',
    [key],
  );
  const until = row?.locked_until;
  if (!until || until.getTime() <= now.getTime()) return undefined;
  return Math.ceil((until.getTime() - now.getTime()) / 1000);
}

/** The longest lock of several keys. */
export async function longestLock(
  q: Queryable,
  keys: readonly string[],
  now: Date,
): Promise<number | undefined> {
  let longest: number | undefined;
  for (const key of keys) {
    const seconds = await lockedSeconds(q, key, now);
    if (seconds !== undefined && (longest === undefined || seconds > longest)) longest = seconds;
  }
  return longest;
}

/**
 * Counts one failure (one statement, so concurrent failures on several instances all count); a new
 * window starts when the last one is over. Returns the seconds locked when this failure locks the key.
 */
export async function recordFailure(
  q: Queryable,
  limit: Limit,
  key: string,
  now: Date,
): Promise<number | undefined> {
  const [row] = await q.query<{ locked_until: Date | null }>(
    `INSERT INTO login_throttle AS t (key, failures, window_started_at, locked_until)
     VALUES ($1, 1, $2::timestamptz, CASE WHEN $3::int <= 1 THEN $2::timestamptz + make_interval(secs => $5) END)
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE t.failures + 1 END,
       window_started_at = CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4)
         THEN $2::timestamptz ELSE t.window_started_at END,
       locked_until = CASE
         WHEN (CASE WHEN t.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE t.failures + 1 END) >= $3
         THEN $2::timestamptz + make_interval(secs => $5) ELSE t.locked_until END
     RETURNING locked_until`,
    [key, now, limit.maxFailures, limit.windowSeconds, limit.lockSeconds],
  );
  const until = row?.locked_until;
  return until && until.getTime() > now.getTime()
    ? Math.ceil((until.getTime() - now.getTime()) / 1000)
    : undefined;
}

/** Forgets the failures of a key (after a success). */
export async function clearFailures(q: Queryable, key: string): Promise<void> {
  await q.query('DELETE FROM login_throttle WHERE key = $1', [key]);
}
