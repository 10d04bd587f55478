import { StoreError, errorLike } from './errors';
import type { Redactor } from './errors';

/** Network failures, and SQLSTATEs that mean "no usable session" rather than "bad statement". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const SESSION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '3D000', '28000', '28P01', '53300']);

export function isConnectionFailure(error: unknown): boolean {
  const like = errorLike(error);
  if (like === undefined || error instanceof StoreError) return false;
  if (typeof like.code === 'string') {
    return NETWORK_CODES.has(like.code) || SESSION_SQLSTATES.has(like.code) || like.code.startsWith('08');
  }
  // pg reports a dropped socket or a connect timeout as a plain Error without a code.
  return /connection|timeout|terminated|not queryable/i.test(like.message);
}

/**
 * Connection failures become ERR_STORE_UNREACHABLE with every trace of the URL removed; statement
 * errors (constraint violations and the like) pass through untouched, SQLSTATE and all.
 */
export function translatePgError(error: unknown, redactor: Redactor, doing: string): unknown {
  if (!isConnectionFailure(error)) return error;
  const detail = redactor.text(errorLike(error)?.message ?? 'unknown error');
  return new StoreError('ERR_STORE_UNREACHABLE', `PostgreSQL is unreachable (${doing}): ${detail}`, {
    cause: redactor.cause(error),
  });
}
