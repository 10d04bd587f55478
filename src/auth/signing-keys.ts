/**
 * The gateway's token-signing keys, kept in the store so that every instance signs with the same
 * keys and publishes the same JWKS. Keys are made with jose on first need; at most one is active per
 * algorithm, and the database decides which when two instances make one at the same moment.
 *
 * Private keys at rest: encrypted with AES-256-GCM when a key-encryption key is given (from
 * INZAGE_KEY_ENCRYPTION_KEY, see key-encryption.ts), otherwise stored as plain JWKs in the database.
 * The plain form is a known limitation; a KMS, or making the variable mandatory, comes later.
 * Rows stored in the plain form stay readable after a key-encryption key is introduced.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Queryable } from '../store';
import { AuthError } from './errors';
import { isSealed, seal, unseal } from './key-encryption';

/** The algorithms the gateway signs with unless told otherwise (RS256 for OpenID, ES384 for SMART). */
export const DEFAULT_SIGNING_ALGS: readonly string[] = ['RS256', 'ES384'];

export interface SigningKeyOptions {
  /** One active key is ensured for each (default DEFAULT_SIGNING_ALGS). */
  algs?: readonly string[];
  /** When given, new private keys are stored encrypted, and encrypted ones can be read. */
  encryptionKey?: Buffer;
  /** The moment recorded as created_at (default: now). */
  now?: Date;
}

export interface ReadKeyOptions {
  encryptionKey?: Buffer;
}

/** A JWKS as oidc-provider's `jwks` option and the jwks_uri document want it. */
export interface Jwks {
  keys: JWK[];
}

interface KeyRow {
  kid: string;
  alg: string;
  private_jwk: unknown;
  public_jwk: JWK;
  [column: string]: unknown;
}

async function newKey(alg: string): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicParts = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicParts);
  const labels = { kid, alg, use: 'sig' };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...labels },
    publicJwk: { ...publicParts, ...labels },
  };
}

async function activeAlgs(store: Queryable): Promise<Set<string>> {
  const rows = await store.query<{ alg: string }>(
    `SELECT alg FROM auth_signing_key WHERE retired_at IS NULL`,
  );
  return new Set(rows.map((row) => row.alg));
}

/**
 * Makes sure each algorithm has an active signing key, generating one where none is. Safe to run
 * from several instances at once: the insert does nothing when another instance's key got there
 * first (the unique index on active keys per algorithm), and that key is the one everyone uses.
 */
export async function ensureSigningKeys(store: Queryable, options: SigningKeyOptions = {}): Promise<void> {
  const algs = options.algs ?? DEFAULT_SIGNING_ALGS;
  const present = await activeAlgs(store);
  for (const alg of algs.filter((a) => !present.has(a))) {
    const key = await newKey(alg);
    const stored =
      options.encryptionKey === undefined
        ? key.privateJwk
        : seal(key.privateJwk, key.kid, options.encryptionKey);
    await store.query(
      `INSERT INTO auth_signing_key (kid, alg, private_jwk, public_jwk, created_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)
       ON CONFLICT (alg) WHERE retired_at IS NULL DO NOTHING`,
      [key.kid, alg, JSON.stringify(stored), JSON.stringify(key.publicJwk), options.now ?? new Date()],
    );
  }
  const after = await activeAlgs(store);
  const missing = algs.filter((a) => !after.has(a));
  if (missing.length > 0) {
    throw new AuthError('ERR_AUTH_SIGNING_KEY_MISSING', `no active signing key for ${missing.join(', ')}`);
  }
}

async function activeRows(store: Queryable): Promise<KeyRow[]> {
  return store.query<KeyRow>(
    `SELECT kid, alg, private_jwk, public_jwk FROM auth_signing_key
     WHERE retired_at IS NULL ORDER BY alg, created_at, kid`,
  );
}

/** The active keys with their private parts: the value for oidc-provider's `jwks` option. */
export async function activeJwks(store: Queryable, options: ReadKeyOptions = {}): Promise<Jwks> {
  const rows = await activeRows(store);
  return {
    keys: rows.map((row) =>
      isSealed(row.private_jwk)
        ? (unseal(row.private_jwk, row.kid, options.encryptionKey) as JWK)
        : (row.private_jwk as JWK),
    ),
  };
}

/** The active keys' public parts only: safe to publish at jwks_uri. */
export async function publicJwks(store: Queryable): Promise<Jwks> {
  const rows = await activeRows(store);
  return { keys: rows.map((row) => row.public_jwk) };
}
