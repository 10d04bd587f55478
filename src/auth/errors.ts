import { GatewayError, type GatewayErrorOptions } from '../errors';

/**
 * Codes of the auth module's own failures. All are the gateway's fault or its operator's (a bad key
 * setting, a key that cannot be read), so they are 500s and say nothing to the caller.
 *  - ERR_AUTH_KEY_ENCRYPTION_KEY: INZAGE_KEY_ENCRYPTION_KEY is not 32 bytes in base64 or hex.
 *  - ERR_AUTH_SIGNING_KEY_LOCKED: a stored private key is encrypted, and no encryption key was given.
 *  - ERR_AUTH_SIGNING_KEY_UNREADABLE: a stored private key does not decrypt with the key given (wrong
 *    key, or the row was altered).
 *  - ERR_AUTH_SIGNING_KEY_MISSING: after ensuring keys, an algorithm still has no active key.
 *  - ERR_AUTH_CLIENT_SCOPES: a registered client's scopes are not SMART scopes (configuration).
 *  - ERR_AUTH_ROTATION: rotateSigningKeys was given an invalid retireAfter.
 */
export type AuthErrorCode =
  | 'ERR_AUTH_KEY_ENCRYPTION_KEY'
  | 'ERR_AUTH_SIGNING_KEY_LOCKED'
  | 'ERR_AUTH_SIGNING_KEY_UNREADABLE'
  | 'ERR_AUTH_SIGNING_KEY_MISSING'
  | 'ERR_AUTH_CLIENT_SCOPES'
  | 'ERR_AUTH_ROTATION';

/** A failure of the authorization server's own machinery (keys, storage), never of the caller. */
export class AuthError extends GatewayError {
  declare readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, detail: string, options: GatewayErrorOptions = {}) {
    super(code, 500, 'the authorization server is not available', { ...options, detail });
  }
}
