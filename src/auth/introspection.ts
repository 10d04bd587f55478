/**
 * Token introspection and revocation for our JWT access tokens, in front of oidc-provider.
 *
 * oidc-provider refuses structured (JWT) tokens at both endpoints (its reject_structured_tokens
 * step), but every access token we issue is a JWT that is also stored under its `jti`. So a JWT
 * that verifies as ours (our keys, issuer and audience, not expired) is replaced by its `jti`, and
 * oidc-provider then finds, introspects or revokes the stored token as it would an opaque one. Any
 * other JWT (forged, foreign, expired) is replaced by a value no token has, so the answer is the
 * one for an unknown token: `{"active": false}` exactly, or 200 with nothing revoked (RFC 7009).
 * oidc-provider takes the body parsed here (it reads `req.body` when the stream was consumed).
 *
 * Who may introspect (SMART token-introspection, RFC 7662 §2.1):
 * - a client that authenticates (Basic, client_secret_post or a client assertion), for its own
 *   tokens, or for any token when it is registered with `system/introspect` (allowedPolicy in
 *   authorization-server.ts); a public client cannot authenticate and is refused;
 * - `Authorization: Bearer <access token>` whose scope holds `system/introspect`, for any token
 *   (answered here, from oidc-provider's models, with the same fields); a token without that scope
 *   gets 403, a request with neither gets 401 with a Bearer challenge.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { decodeProtectedHeader } from 'jose';
import type { default as ProviderType } from 'oidc-provider';
import { bearerToken, type AccessTokenVerifier } from './access-tokens';

/** The scope that lets its holder introspect any token (see scopes.ts, CONTEXT_SCOPES). */
export const INTROSPECT_SCOPE = 'system/introspect';

const CHALLENGE = 'Bearer realm="inzage"';

/** What the introspection and revocation steps need of the authorization server. */
export interface TokenEndpointParts {
  readonly provider: ProviderType;
  readonly tokens: AccessTokenVerifier;
}

function looksLikeJwt(value: string): boolean {
  try {
    decodeProtectedHeader(value);
    return true;
  } catch {
    return false;
  }
}

/** A value that names no token: what a foreign or expired JWT becomes. */
function noToken(): string {
  return `unknown-${randomBytes(16).toString('base64url')}`;
}

/** The id oidc-provider knows a presented token by: the jti of our JWTs, the value of anything else. */
async function storedId(tokens: AccessTokenVerifier, value: string): Promise<string> {
  if (!looksLikeJwt(value)) return value;
  return (await tokens.tokenId(value)) ?? noToken();
}

/** An OAuth-style refusal (RFC 6749 §5.2, RFC 6750 §3), as the other endpoints answer. */
function refuse(res: Response, status: number, error: string, description: string, challenge?: string): void {
  if (challenge !== undefined) res.set('WWW-Authenticate', challenge);
  res.set('Cache-Control', 'no-store');
  res.status(status).json({ error, error_description: description });
}

function clientAuthenticates(req: Request, body: Record<string, unknown>): boolean {
  return (
    /^Basic\s/i.test(req.get('authorization') ?? '') ||
    typeof body.client_assertion === 'string' ||
    typeof body.client_secret === 'string'
  );
}

/**
 * The introspection answer for a token, from oidc-provider's own models: the fields oidc-provider's
 * introspection endpoint gives (launch context from the token's extra claims, `sub` for user tokens),
 * or exactly `{active: false}`.
 */
export async function describeToken(
  parts: TokenEndpointParts,
  value: string,
): Promise<Record<string, unknown>> {
  const { provider } = parts;
  const id = await storedId(parts.tokens, value);
  const token =
    (await provider.AccessToken.find(id)) ??
    (await provider.ClientCredentials.find(id)) ??
    (await provider.RefreshToken.find(id));
  if (token === undefined || token.isExpired) return { active: false };
  const grantId = 'grantId' in token ? token.grantId : undefined;
  const accountId = 'accountId' in token ? token.accountId : undefined;
  if (grantId !== undefined) {
    const grant = await provider.Grant.find(grantId, { ignoreExpiration: true });
    if (!grant || grant.isExpired || grant.clientId !== token.clientId || grant.accountId !== accountId) {
      return { active: false };
    }
  }
  const body: Record<string, unknown> = {
    ...('extra' in token ? (token.extra ?? {}) : {}),
    active: true,
    sub: accountId,
    client_id: token.clientId,
    exp: token.exp,
    iat: token.iat,
    iss: provider.issuer,
    aud: 'aud' in token ? token.aud : undefined,
    scope: token.scope || undefined,
    token_type: token.kind === 'RefreshToken' ? undefined : 'Bearer',
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/**
 * POST /auth/introspect and /auth/revoke: mount before oidc-provider (and before any other body
 * parser). Requests that oidc-provider should answer go on to it with `token` replaced by its id.
 */
export function tokenEndpointsRouter(parts: TokenEndpointParts): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '56kb' });

  router.post('/auth/introspect', form, async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (/^Bearer\s/i.test(req.get('authorization') ?? '')) {
        let scopes: readonly string[];
        try {
          scopes = (await parts.tokens.verify(bearerToken(req.get('authorization')))).scopes;
        } catch {
          return refuse(
            res,
            401,
            'invalid_token',
            'the access token is not valid',
            `${CHALLENGE}, error="invalid_token"`,
          );
        }
        if (!scopes.includes(INTROSPECT_SCOPE)) {
          return refuse(
            res,
            403,
            'insufficient_scope',
            `introspection needs an access token with ${INTROSPECT_SCOPE}`,
            `${CHALLENGE}, error="insufficient_scope", scope="${INTROSPECT_SCOPE}"`,
          );
        }
        if (typeof body.token !== 'string' || body.token === '') {
          return refuse(res, 400, 'invalid_request', "missing required parameter 'token'");
        }
        res.set('Cache-Control', 'no-store');
        res.json(await describeToken(parts, body.token));
        return;
      }
      if (!clientAuthenticates(req, body)) {
        return refuse(
          res,
          401,
          'invalid_client',
          `introspection needs client authentication, or an access token with ${INTROSPECT_SCOPE}`,
          CHALLENGE,
        );
      }
      if (typeof body.token === 'string') body.token = await storedId(parts.tokens, body.token);
      next();
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/revoke', form, async (req, _res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.token === 'string') body.token = await storedId(parts.tokens, body.token);
      next();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
