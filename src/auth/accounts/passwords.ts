import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PasswordHashUnreadable, WeakPassword, type Texts } from './errors';

/** scrypt cost parameters, recorded with every hash so that they can change later. */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** N = 2^15, r = 8, p = 1: OWASP's scrypt minimum, 32 MiB and some 50–100 ms per hash. */
export const PASSWORD_PARAMETERS: ScryptParameters = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** A hash whose parameters would cost more than this is refused rather than computed. */
const MAX_N = 2 ** 20;
const MAX_RP = 16;

function derive(password: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node's default limit (32 MiB) is exactly 128·N·r at N = 2^15, r = 8, which it refuses.
    maxmem: 256 * params.N * params.r * params.p,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password with scrypt and a fresh random salt, as a self-describing string
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64url).
 */
export async function hashPassword(
  password: string,
  params: ScryptParameters = PASSWORD_PARAMETERS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

interface ParsedHash {
  params: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

const INTEGER = /^[1-9][0-9]{0,7}$/;

function parseHash(stored: string): ParsedHash {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, key] = parts;
  if (
    parts.length !== 6 ||
    scheme !== 'scrypt' ||
    !INTEGER.test(n!) ||
    !INTEGER.test(r!) ||
    !INTEGER.test(p!)
  ) {
    throw new PasswordHashUnreadable(`not a scrypt hash: '${stored.slice(0, 12)}…'`);
  }
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // A tampered row must not make the server spend unbounded memory.
  if (params.N > MAX_N || (params.N & (params.N - 1)) !== 0 || params.r > MAX_RP || params.p > MAX_RP) {
    throw new PasswordHashUnreadable(`scrypt parameters out of range: N=${n} r=${r} p=${p}`);
  }
  const saltBytes = Buffer.from(salt!, 'base64url');
  const keyBytes = Buffer.from(key!, 'base64url');
  if (saltBytes.length < SALT_BYTES || keyBytes.length !== KEY_BYTES) {
    throw new PasswordHashUnreadable('scrypt hash with a short salt or a key of the wrong length');
  }
  return { params, salt: saltBytes, key: keyBytes };
}

/** Whether `password` is the one `stored` was made from; compares in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { params, salt, key } = parseHash(stored);
  const candidate = await derive(password, salt, params);
  return timingSafeEqual(candidate, key);
}

/** Whether `stored` was made with other parameters than the current ones: hash again at next login. */
export function needsRehash(stored: string, params: ScryptParameters = PASSWORD_PARAMETERS): boolean {
  const parsed = parseHash(stored);
  return parsed.params.N !== params.N || parsed.params.r !== params.r || parsed.params.p !== params.p;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as verifyPassword with the current parameters, and answers false: call it
 * when no account has the e-mail address given, so that the time of a failed login does not tell
 * whether the account exists.
 */
export async function verifyAgainstNoAccount(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  await verifyPassword(password, await dummyHash);
  return false;
}

/** The shortest password accepted, in characters (code points). */
export const MINIMUM_PASSWORD_LENGTH = 12;
/** Longer input is refused: nobody types more, and it bounds the work per attempt. */
export const MAXIMUM_PASSWORD_LENGTH = 256;

/**
 * A few of the most used passwords of 12 characters and more (Dutch and English leak lists).
 * Deliberately small: a check against a large breach corpus is left to issue 9.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789abc',
  'qwertyuiopas',
  'qwerty123456',
  '1q2w3e4r5t6y',
  'password1234',
  'password123!',
  'passwordpassword',
  'wachtwoord12',
  'wachtwoord123',
  'wachtwoord1234',
  'wachtwoordwachtwoord',
  'welkom123456',
  'welkomwelkom',
  'iloveyou1234',
  'aaaaaaaaaaaa',
  'abcdefghijkl',
  'abc123abc123',
  'letmein12345',
  'administrator',
  'zomer2026zomer',
]);

const TOO_SHORT: Texts = {
  nl: `Kies een wachtwoord van minstens ${MINIMUM_PASSWORD_LENGTH} tekens.`,
  en: `Choose a password of at least ${MINIMUM_PASSWORD_LENGTH} characters.`,
};
const TOO_LONG: Texts = {
  nl: `Kies een wachtwoord van hoogstens ${MAXIMUM_PASSWORD_LENGTH} tekens.`,
  en: `Choose a password of at most ${MAXIMUM_PASSWORD_LENGTH} characters.`,
};
const TOO_COMMON: Texts = {
  nl: 'Dit wachtwoord wordt veel gebruikt en is makkelijk te raden. Kies een ander.',
  en: 'This password is widely used and easy to guess. Choose another one.',
};

/** What is wrong with a new password (empty when it is acceptable), in Dutch and English. */
export function passwordProblems(password: string): Texts[] {
  const length = [...password.normalize('NFC')].length;
  const problems: Texts[] = [];
  if (length < MINIMUM_PASSWORD_LENGTH) problems.push(TOO_SHORT);
  if (length > MAXIMUM_PASSWORD_LENGTH) problems.push(TOO_LONG);
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push(TOO_COMMON);
  return problems;
}

/** Throws WeakPassword when the new password does not meet the policy. */
export function assertPasswordPolicy(password: string): void {
  const problems = passwordProblems(password);
  if (problems.length > 0) throw new WeakPassword(problems);
}
