export type StoreErrorCode =
  /** The options passed to openStore cannot work (bad URL, bad pool size). */
  | 'ERR_STORE_CONFIG'
  /** The database cannot be reached, or the connection broke. */
  | 'ERR_STORE_UNREACHABLE'
  /** The PGlite data directory is open in another process (or already in this one); the message names it. */
  | 'ERR_STORE_LOCKED'
  /** The store was closed. */
  | 'ERR_STORE_CLOSED'
  /** A NOTIFY channel name outside /^[a-z_][a-z0-9_]{0,62}$/. */
  | 'ERR_STORE_CHANNEL'
  /** The store itself was called from inside one of its own transactions instead of through `tx`. */
  | 'ERR_STORE_REENTRANT'
  /** A transaction handle was used after its transaction had ended. */
  | 'ERR_STORE_TRANSACTION_ENDED'
  /** COMMIT turned into ROLLBACK because a statement inside had failed (and its error was swallowed). */
  | 'ERR_STORE_TRANSACTION_ABORTED'
  /** The migration list is malformed, the recorded history does not match it, or a migration failed. */
  | 'ERR_STORE_MIGRATION'
  /** The database was migrated by a newer gateway than this one. */
  | 'ERR_STORE_SCHEMA_TOO_NEW'
  /** Reported through `onError`: the LISTEN connection dropped; it is being re-established. */
  | 'ERR_STORE_LISTEN_LOST'
  /** Reported through `onError`: a notification callback threw. */
  | 'ERR_STORE_CALLBACK';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Removes secrets from text that may end up in a log. The connection URL carries the database
 * password, and drivers sometimes echo their input in error messages.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly (string | undefined)[]) {
    // Longest first, so a URL is replaced whole before its password part is.
    this.secrets = [
      ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0)),
    ].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // Catches credentials in any other URL form, e.g. one rebuilt by a driver with different escaping.
    return out.replace(/(postgres(?:ql)?:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1[redacted]@');
  }

  /**
   * A cause safe to attach to a StoreError: the original error when nothing in it needs hiding,
   * otherwise a plain Error carrying the redacted message and the original code.
   */
  cause(error: unknown): unknown {
    const like = errorLike(error);
    if (like === undefined) return typeof error === 'string' ? this.text(error) : error;
    const leaks =
      Object.values(error as Record<string, unknown>).some(
        (v) => typeof v === 'string' && this.text(v) !== v,
      ) ||
      this.text(like.message) !== like.message ||
      (like.stack !== undefined && this.text(like.stack) !== like.stack);
    if (!leaks) return error;
    const safe = new Error(this.text(like.message)) as Error & { code?: unknown };
    if (like.code !== undefined) safe.code = like.code;
    return safe;
  }
}

export interface ErrorLike {
  message: string;
  code?: unknown;
  stack?: string;
}

/**
 * Recognises errors by shape: `instanceof Error` fails for errors made in another realm, such as
 * Node's own network errors seen from code that runs in a vm context (as jest runs it).
 */
export function errorLike(error: unknown): ErrorLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { message, code, stack } = error as Record<string, unknown>;
  if (typeof message !== 'string') return undefined;
  return { message, code, stack: typeof stack === 'string' ? stack : undefined };
}

export function errorMessage(error: unknown): string {
  return errorLike(error)?.message ?? String(error);
}
