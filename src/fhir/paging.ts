import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { GatewayError } from '../errors';
import type { Principal } from './request';

/**
 * Paging links as sealed, expiring cursors (leak vector 3). A `next` link of the gateway carries no
 * upstream URL and no offset the caller could change: only `_cursor=<token>`, a record of where the
 * next page starts, bound to the principal (account link, user, patient), the client app and the
 * normalised query. The record is encrypted and authenticated (AES-256-GCM), not only signed: where
 * the next page starts is a path on the upstream, in the upstream's ids (its id of the client's
 * Patient, its narrowing parameters), and the portal app sees none of those (leak vector 20). Every
 * page is decided and judged again like a first page; a cursor presented by anyone else, for another
 * query, tampered with, or expired is refused.
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

/** AES-GCM: a 96-bit nonce, a 128-bit tag. */
const NONCE = 12;
const TAG = 16;
const CONTEXT = Buffer.from('inzage:cursor:v2');

export class PagingCursors {
  readonly #key: Buffer;
  readonly #seconds: number;
  readonly #now: () => number;

  constructor(key: Buffer, seconds: number, now: () => number = Date.now) {
    if (key.length < 32) throw new TypeError('a cursor key has at least 32 bytes');
    // A key of its own for the cursors, derived from the one configured.
    this.#key = createHmac('sha256', key).update('inzage:cursor:aes-256-gcm').digest();
    this.#seconds = seconds;
    this.#now = now;
  }

  seal<T>(principal: Principal, binding: CursorBinding, position: T): string {
    const payload = {
      b: bindingOf(principal, binding),
      p: position,
      e: Math.floor(this.#now() / 1000) + this.#seconds,
    };
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce).setAAD(CONTEXT);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  open<T>(token: string, principal: Principal, binding: CursorBinding): T {
    if (!/^[A-Za-z0-9_-]{1,8192}$/.test(token)) throw new CursorRefused('malformed cursor');
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= NONCE + TAG) throw new CursorRefused('malformed cursor');
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, NONCE)).setAAD(CONTEXT);
      decipher.setAuthTag(raw.subarray(raw.length - TAG));
      text = Buffer.concat([
        decipher.update(raw.subarray(NONCE, raw.length - TAG)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new CursorRefused('not sealed by this gateway, or changed');
    }
    let payload: { b?: unknown; p?: unknown; e?: unknown };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      throw new CursorRefused('unreadable cursor');
    }
    if (typeof payload.e !== 'number' || payload.e * 1000 < this.#now())
      throw new CursorRefused('expired cursor');
    if (payload.b !== bindingOf(principal, binding))
      throw new CursorRefused('cursor of another principal or query');
    return payload.p as T;
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
