/**
 * Encryption of the signing keys' private parts at rest, with AES-256-GCM and a key the operator
 * gives in INZAGE_KEY_ENCRYPTION_KEY. Without that key the private JWKs are stored in the clear: a
 * known limitation until the keys move to a KMS (or the variable becomes mandatory in production).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AuthError } from './errors';

/** The environment variable that holds the key-encryption key (32 bytes, base64 or hex). */
export const KEY_ENCRYPTION_KEY_VARIABLE = 'INZAGE_KEY_ENCRYPTION_KEY';

/** A stored private JWK that was encrypted: what sits in auth_signing_key.private_jwk. */
export interface SealedJwk {
  readonly sealed: 'A256GCM';
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

/**
 * Reads the key-encryption key from its text form: 64 hex digits, or base64/base64url of 32 bytes.
 * Anything else is refused with ERR_AUTH_KEY_ENCRYPTION_KEY (a short key must not pass silently).
 */
export function parseKeyEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (key?.length !== 32) {
    throw new AuthError(
      'ERR_AUTH_KEY_ENCRYPTION_KEY',
      `${KEY_ENCRYPTION_KEY_VARIABLE} must be 32 bytes, as 64 hex digits or in base64`,
    );
  }
  return key;
}

/** The key-encryption key from the environment, or undefined when the variable is unset or empty. */
export function keyEncryptionKeyFromEnvironment(env: NodeJS.ProcessEnv): Buffer | undefined {
  const text = env[KEY_ENCRYPTION_KEY_VARIABLE];
  return text === undefined || text.trim() === '' ? undefined : parseKeyEncryptionKey(text);
}

export function isSealed(value: unknown): value is SealedJwk {
  return typeof value === 'object' && value !== null && (value as SealedJwk).sealed === 'A256GCM';
}

/** Encrypts a private JWK; the kid is bound in as associated data, so rows cannot be swapped. */
export function seal(jwk: object, kid: string, key: Buffer): SealedJwk {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return {
    sealed: 'A256GCM',
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
  };
}

export function unseal(sealed: SealedJwk, kid: string, key: Buffer | undefined): object {
  if (key === undefined) {
    throw new AuthError(
      'ERR_AUTH_SIGNING_KEY_LOCKED',
      `signing key ${kid} is encrypted and ${KEY_ENCRYPTION_KEY_VARIABLE} is not set`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    const text = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(text) as object;
  } catch (cause) {
    throw new AuthError(
      'ERR_AUTH_SIGNING_KEY_UNREADABLE',
      `signing key ${kid} does not decrypt with ${KEY_ENCRYPTION_KEY_VARIABLE}`,
      { cause },
    );
  }
}
