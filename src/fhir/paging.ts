import { createHmac, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors';
import type { Principal } from './request';

/**
 * Paging links as signed, expiring cursors (leak vector 3). A `next` link of the gateway carries no
 * upstream URL and no offset the caller could change: only `_cursor=<token>`, an HMAC-signed record
 * of where the next page starts, bound to the principal (account link, user, patient), the client
 * app and the normalised query. Every page is decided and judged again like a first page; a cursor
 * presented by anyone else, for another query, tampered with, or expired is refused.
 */
export interface CursorBinding {
  /** The normalised request the cursor continues (type, compartment and parameters). */
  readonly query: string;
}

export interface CursorContent<T> {
  readonly binding: CursorBinding;
  /** Where the next page starts, as the interaction that made the cursor needs it. */
  readonly position: T;
}

export class CursorRefused extends GatewayError {
  constructor(detail: string) {
    super('ERR_CURSOR_REFUSED', 410, 'this paging link is not valid (anymore): run the search again', {
      detail,
    });
  }
}

export class PagingCursors {
  readonly #key: Buffer;
  readonly #seconds: number;
  readonly #now: () => number;

  constructor(key: Buffer, seconds: number, now: () => number = Date.now) {
    if (key.length < 32) throw new TypeError('a cursor key has at least 32 bytes');
    this.#key = key;
    this.#seconds = seconds;
    this.#now = now;
  }

  seal<T>(principal: Principal, binding: CursorBinding, position: T): string {
    const payload = {
      b: bindingOf(principal, binding),
      p: position,
      e: Math.floor(this.#now() / 1000) + this.#seconds,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  open<T>(token: string, principal: Principal, binding: CursorBinding): T {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) throw new CursorRefused('malformed cursor');
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new CursorRefused('bad signature');
    let payload: { b?: unknown; p?: unknown; e?: unknown };
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof payload;
    } catch {
      throw new CursorRefused('unreadable cursor');
    }
    if (typeof payload.e !== 'number' || payload.e * 1000 < this.#now())
      throw new CursorRefused('expired cursor');
    if (payload.b !== bindingOf(principal, binding))
      throw new CursorRefused('cursor of another principal or query');
    return payload.p as T;
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update('inzage:cursor:').update(body).digest('base64url');
  }
}

/** What a cursor is bound to, as one string (compared whole). */
function bindingOf(principal: Principal, binding: CursorBinding): string {
  return JSON.stringify([
    principal.subject,
    principal.user,
    principal.patient,
    principal.clientApp,
    binding.query,
  ]);
}
