import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AccountSecretMissing } from './errors';

/** The environment variable that holds the server secret for link codes and verification codes. */
export const LINK_CODE_SECRET_VARIABLE = 'INZAGE_LINK_CODE_SECRET';

const SEALED_PREFIX = 'aes256gcm:';

/** 32 bytes: a shorter secret would be the weak part of HMAC-SHA-256. */
const MINIMUM_SECRET_BYTES = 32;

/**
 * The server secret that keys the hashes of link codes and verification codes. Kept outside the
 * database, so that a copy of the database alone cannot be searched for the codes it protects.
 */
export class AccountSecret {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** From text (at least 32 bytes in UTF-8). */
  static fromText(text: string, source = 'the account secret'): AccountSecret {
    const key = Buffer.from(text, 'utf8');
    if (key.length < MINIMUM_SECRET_BYTES) {
      throw new AccountSecretMissing(
        `${source} must be at least ${MINIMUM_SECRET_BYTES} bytes, it has ${key.length}`,
      );
    }
    return new AccountSecret(key);
  }

  /** From INZAGE_LINK_CODE_SECRET. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): AccountSecret {
    const text = env[LINK_CODE_SECRET_VARIABLE];
    if (text === undefined || text === '') {
      throw new AccountSecretMissing(`${LINK_CODE_SECRET_VARIABLE} is not set`);
    }
    return AccountSecret.fromText(text, LINK_CODE_SECRET_VARIABLE);
  }

  /**
   * HMAC-SHA-256 of `value` under a key of its own per `purpose`, so that a link code hash and a
   * verification code hash can never be mistaken for one another. Hex.
   */
  hash(purpose: string, value: string): string {
    const key = createHmac('sha256', this.#key).update(`inzage:${purpose}`).digest();
    return createHmac('sha256', key).update(value, 'utf8').digest('hex');
  }

  /**
   * Encrypts `plaintext` with AES-256-GCM under a key of its own per `purpose` (derived like the
   * hash keys), for values the server must read back, such as TOTP secrets. The result is
   * `aes256gcm:<iv>.<tag>.<ciphertext>` (base64url), and `purpose` is authenticated with it.
   */
  seal(purpose: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey(purpose), iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** The plaintext of a value made by `seal` with the same purpose; throws when it was altered. */
  open(purpose: string, sealed: string): string {
    const [iv, tag, data] = sealed
      .slice(SEALED_PREFIX.length)
      .split('.')
      .map((p) => Buffer.from(p, 'base64url'));
    if (!AccountSecret.isSealed(sealed) || !iv || !tag || !data) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey(purpose), iv);
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }

  /** Whether a stored value was made by `seal` (older rows may hold plain values). */
  static isSealed(value: string): boolean {
    return value.startsWith(SEALED_PREFIX);
  }

  #encryptionKey(purpose: string): Buffer {
    return createHmac('sha256', this.#key).update(`inzage:encrypt:${purpose}`).digest();
  }

  /** Keeps the key out of logs and inspection. */
  toJSON(): string {
    return '[account secret]';
  }
}
