/**
 * CSRF protection of the login forms: every form carries a token that is an HMAC of the interaction
 * uid under a key derived from the cookie keys (which every instance derives from the same stored
 * signing keys). A form posted from elsewhere cannot know it: the uid is in a signed, HTTP-only
 * cookie path and the key never leaves the server. SameSite=Lax cookies are the second line.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class CsrfTokens {
  readonly #key: Buffer;

  constructor(cookieKeys: readonly string[]) {
    const first = cookieKeys[0];
    if (first === undefined) throw new Error('no cookie keys to derive the CSRF key from');
    this.#key = createHmac('sha256', first).update('inzage:csrf').digest();
  }

  /** The token of one interaction. */
  tokenFor(uid: string): string {
    return createHmac('sha256', this.#key).update(uid).digest('base64url');
  }

  /** Whether `given` is the token of this interaction (constant-time). */
  matches(uid: string, given: unknown): boolean {
    if (typeof given !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(uid));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
