/**
 * Verifying the gateway's own access tokens, for the routes that take them (the ECD push, EHR
 * launches, and the FHIR API). A token is good when its signature is one of our keys, its issuer is
 * ours, its audience is our FHIR base, it has not expired, and it is still in the store: revocation,
 * code reuse, a block or a reused refresh token delete it there, and that counts at once.
 */
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { Unauthenticated } from '../errors';
import type { Queryable } from '../store';
import { publicJwks } from './signing-keys';
import { scopeList } from './scopes';

/** What a verified access token says. */
export interface VerifiedAccessToken {
  readonly clientId: string;
  /** The subject: an account link id for user tokens, the client id for Backend Services tokens. */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** The patient context (a Patient id), when the token has one. */
  readonly patient?: string;
  /** The user (`Patient/…` or `RelatedPerson/…`), when the token has one. */
  readonly fhirUser?: string;
  readonly expiresAt: Date;
  /** Whether a person is behind it (authorization code) or a system (client credentials). */
  readonly kind: 'user' | 'system';
  /** The token's `jti`: the id the store and oidc-provider know it by, recorded in the audit trail. */
  readonly jti: string;
}

/** How many checked tokens one instance remembers (the oldest goes first). */
const CHECKED_TOKENS_KEPT = 10_000;

/** The algorithms our access tokens are signed with (see authorization-server.ts). */
const ACCESS_TOKEN_ALGS = ['ES384'];

function invalidToken(detail: string): Unauthenticated {
  return new Unauthenticated('the access token is not valid', 'Bearer error="invalid_token"', {
    detail,
    code: 'ERR_INVALID_TOKEN',
  });
}

export class AccessTokenVerifier {
  #keys: ReturnType<typeof createLocalJWKSet> | undefined;

  constructor(
    private readonly store: Queryable,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  /** The token's claims, or Unauthenticated (401, `invalid_token`). */
  async verify(token: string, now: Date = new Date()): Promise<VerifiedAccessToken> {
    const payload = await this.verifiedPayload(token, now);
    const jti = typeof payload.jti === 'string' ? payload.jti : undefined;
    if (jti === undefined) throw invalidToken('no jti');
    // The model that holds the record says what the token is: a person's (authorization code) or a
    // system's (client credentials). One indexed read, which also refuses the token of a client
    // registered at run time and disabled since (a configured client has no smart_client row).
    const [record] = await this.store.query<{ model: string }>(
      `SELECT model FROM auth_model
       WHERE model IN ('AccessToken', 'ClientCredentials') AND id = $1
         AND (expires_at IS NULL OR expires_at > $2)
         AND NOT EXISTS (SELECT 1 FROM smart_client WHERE id = $3 AND disabled_at IS NOT NULL)
       LIMIT 1`,
      [jti, new Date(), String(payload.client_id)],
    );
    if (record === undefined) throw invalidToken(`token ${jti} is revoked or unknown`);
    return {
      clientId: String(payload.client_id),
      subject: String(payload.sub),
      scopes: scopeList(typeof payload.scope === 'string' ? payload.scope : ''),
      ...(typeof payload.patient === 'string' ? { patient: payload.patient } : {}),
      ...(typeof payload.fhirUser === 'string' ? { fhirUser: payload.fhirUser } : {}),
      expiresAt: new Date((payload.exp ?? 0) * 1000),
      kind: record.model === 'AccessToken' ? 'user' : 'system',
      jti,
    };
  }

  /**
   * The `jti` of one of our JWT access tokens (signature with our keys, our issuer and audience, not
   * expired), or undefined for anything else: the id under which the store and oidc-provider know it.
   * Whether it is still stored (not revoked) is not looked at here.
   */
  async tokenId(token: string, now: Date = new Date()): Promise<string | undefined> {
    try {
      const payload = await this.verifiedPayload(token, now);
      return typeof payload.jti === 'string' ? payload.jti : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Payloads whose signature, issuer, audience and type were checked, by token: a portal app sends
   * the same token with every request until it expires, and the ES384 check is the dearest part of
   * verifying it. The expiry is still held against `now` on every use, and whether the token is
   * still on record (not revoked) is asked of the store every time, so that a revocation counts at
   * once on every instance.
   */
  readonly #checked = new Map<string, JWTPayload>();

  private async verifiedPayload(token: string, now: Date): Promise<JWTPayload> {
    const known = this.#checked.get(token);
    if (known !== undefined) {
      const exp = typeof known.exp === 'number' ? known.exp : 0;
      const nbf = typeof known.nbf === 'number' ? known.nbf : Number.NEGATIVE_INFINITY;
      const seconds = Math.floor(now.getTime() / 1000);
      if (seconds < exp && seconds >= nbf) return known;
      // Outside its time, it is checked afresh (and refused there, with jose's own reason).
      this.#checked.delete(token);
    }
    const payload = await this.checkedPayload(token, now);
    if (this.#checked.size >= CHECKED_TOKENS_KEPT) {
      const oldest = this.#checked.keys().next().value;
      if (oldest !== undefined) this.#checked.delete(oldest);
    }
    this.#checked.set(token, payload);
    return payload;
  }

  private async checkedPayload(token: string, now: Date, retried = false): Promise<JWTPayload> {
    this.#keys ??= createLocalJWKSet(await publicJwks(this.store));
    try {
      const { payload } = await jwtVerify(token, this.#keys, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ACCESS_TOKEN_ALGS,
        typ: 'at+jwt',
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      });
      return payload;
    } catch (err) {
      // Another instance may have rotated the keys: read them again once.
      if (err instanceof joseErrors.JWKSNoMatchingKey && !retried) {
        this.#keys = undefined;
        return this.checkedPayload(token, now, true);
      }
      throw invalidToken(err instanceof Error ? err.message : String(err));
    }
  }
}

/** The bearer token of an Authorization header, or Unauthenticated without one. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '');
  if (!match) {
    throw new Unauthenticated('an access token is required (Authorization: Bearer …)', 'Bearer', {
      code: 'ERR_NO_TOKEN',
    });
  }
  return match[1]!;
}
