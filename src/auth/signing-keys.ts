/**
 * The gateway's token-signing keys, kept in the store so that every instance signs with the same
 * keys and publishes the same JWKS. Keys are made with jose on first need; at most one is active per
 * algorithm, and the database decides which when two instances make one at the same moment.
 *
 * Rotation (rotateSigningKeys): new keys become the active ones; the keys they replace stop
 * signing but stay published (JWKS, and accepted by AccessTokenVerifier) until every token signed
 * with them has expired, and are then removed with their private parts. oidc-provider reads the
 * active keys at start-up, so a running instance signs with the key it started with until it is
 * restarted; see the README ("Signing keys") for the procedure.
 *
 * Private keys at rest: encrypted with AES-256-GCM when a key-encryption key is given (from
 * INZAGE_KEY_ENCRYPTION_KEY, see key-encryption.ts), otherwise stored as plain JWKs in the database.
 * The plain form is a known limitation; a KMS, or making the variable mandatory, comes later.
 * Rows stored in the plain form stay readable after a key-encryption key is introduced.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Queryable, Store } from '../store';
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

/**
 * The public parts of every key that may have signed a live token: the active keys and the retired
 * ones not yet removed. Safe to publish at jwks_uri; what verifiers of our tokens trust.
 */
export async function publicJwks(store: Queryable): Promise<Jwks> {
  const rows = await store.query<KeyRow>(
    `SELECT kid, alg, private_jwk, public_jwk FROM auth_signing_key
     ORDER BY retired_at DESC NULLS FIRST, alg, created_at, kid`,
  );
  return { keys: rows.map((row) => row.public_jwk) };
}

export interface RotationOptions extends SigningKeyOptions {
  /** The moment of the rotation (default: now). */
  now?: Date;
  /**
   * How long a replaced key stays published, in seconds: at least the longest lifetime of a token
   * it signed (id tokens: an hour; access tokens: smart.accessTokenSeconds), plus the time it takes
   * to restart every instance (until then they still sign with it). Keys replaced longer ago than
   * this are removed by the rotation.
   */
  retireAfter: number;
}

export interface RotationResult {
  /** The new active keys. */
  created: string[];
  /** The keys that stopped signing now, still published. */
  retired: string[];
  /** The keys replaced more than `retireAfter` ago, removed with their private parts. */
  removed: string[];
}

/**
 * Rotates the signing keys in one transaction: removes the keys retired more than `retireAfter`
 * seconds ago, retires the active keys of each algorithm (they stay published), and makes new
 * active ones. Run it from one place (an operator's command or job), then restart the instances.
 */
export async function rotateSigningKeys(store: Store, options: RotationOptions): Promise<RotationResult> {
  const now = options.now ?? new Date();
  const algs = options.algs ?? DEFAULT_SIGNING_ALGS;
  if (!(options.retireAfter >= 0))
    throw new AuthError('ERR_AUTH_ROTATION', 'retireAfter must be seconds, 0 or more');
  const removeBefore = new Date(now.getTime() - options.retireAfter * 1000);
  return store.transaction(async (tx) => {
    const removed = await tx.query<{ kid: string }>(
      `DELETE FROM auth_signing_key WHERE retired_at IS NOT NULL AND retired_at <= $1 RETURNING kid`,
      [removeBefore],
    );
    const retired = await tx.query<{ kid: string }>(
      `UPDATE auth_signing_key SET retired_at = $1 WHERE retired_at IS NULL AND alg = ANY($2) RETURNING kid`,
      [now, [...algs]],
    );
    await ensureSigningKeys(tx, { algs, encryptionKey: options.encryptionKey, now });
    const created = await tx.query<{ kid: string }>(
      `SELECT kid FROM auth_signing_key WHERE retired_at IS NULL AND alg = ANY($1) ORDER BY alg`,
      [[...algs]],
    );
    return {
      created: created.map((r) => r.kid),
      retired: retired.map((r) => r.kid),
      removed: removed.map((r) => r.kid),
    };
  });
}
