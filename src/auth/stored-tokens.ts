/**
 * Our access tokens are JWTs and are also stored under their `jti`. oidc-provider stores opaque
 * tokens only: a JWT access token is signed and handed out with nothing in the adapter. Stored, a
 * token can be revoked (introspection.ts), consumed with its code or grant, and refused by
 * AccessTokenVerifier at once on every instance. So the two token models' value-and-payload step
 * is wrapped: the JWT is made as before, and the payload the opaque format would store is returned
 * with it, which oidc-provider's save() then writes (awaited, before the token response goes out).
 */
import { decodeJwt } from 'jose';
import type { default as ProviderType } from 'oidc-provider';

interface TokenModel {
  readonly IN_PAYLOAD: readonly string[];
  prototype: { getValueAndPayload(): Promise<{ value: string; payload?: Record<string, unknown> }> };
}

/** Makes the provider store its JWT access tokens (user and Backend Services) as it stores opaque ones. */
export function storeJwtAccessTokens(provider: ProviderType): void {
  for (const Model of [provider.AccessToken, provider.ClientCredentials] as unknown as TokenModel[]) {
    const signed = Model.prototype.getValueAndPayload;
    Model.prototype.getValueAndPayload = async function withPayload(this: Record<string, unknown>) {
      const result = await signed.call(this);
      if (result.payload !== undefined || this.format !== 'jwt') return result;
      const claims = decodeJwt(result.value);
      const payload: Record<string, unknown> = {};
      // As oidc-provider picks a payload: the token's own fields that the model stores.
      const stored = new Set(Model.IN_PAYLOAD);
      for (const field of Object.keys(this)) {
        if (stored.has(field) && this[field] !== undefined) payload[field] = this[field];
      }
      // The moments the JWT says, so that the stored token and the JWT expire together.
      Object.assign(payload, { iat: claims.iat, exp: claims.exp, jti: claims.jti });
      return { value: result.value, payload };
    };
  }
}
