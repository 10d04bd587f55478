/**
 * The audit records of tokens, written by the adapter in the transaction of the token row (see
 * adapter.ts `TokenEvents`): oidc-provider awaits that write before it answers, so a token whose
 * record could not be committed is never handed out, and a record never names a token that was not
 * stored. The request the write belongs to is oidc-provider's context of the moment (`Provider.ctx`,
 * its AsyncLocalStorage): the client, the grant type, the route, the caller's address.
 *
 * - AccessToken / ClientCredentials inserted: `issued` (`refreshed` on a refresh), with the `jti`,
 *   the client, the account, person and patient of the link, the scopes granted, the grant.
 * - RefreshToken inserted: `refresh-token-issued`, or `refresh-token-rotated` on a refresh. No token
 *   id: a refresh token's id is its value; the grant (`detail.grant`) ties it to its access tokens.
 * - A refresh token used again, or an authorization code used again: `refresh-token-reuse` or
 *   `code-reuse`, refused; every token of the grant then removed is recorded as `revoked`.
 * - Revocation (`/auth/revoke`): each token removed is `revoked`.
 * - Any other refusal of the token endpoint (a bad client authentication, an expired code, a refresh
 *   for a suspended or blocked account): `refused`, with the OAuth error the app got
 *   (`recordTokenRefusal`, awaited before the answer is sent).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Queryable, Store } from '../store';
import { linkById } from './accounts';
import type { RemovedToken, TokenEvents } from './adapter';
import { requestFacts, type AuthAudit, type AuthEvent, type RequestFacts } from './audit';

type Payload = Record<string, unknown>;

/** oidc-provider's context of the request in progress, when there is one. */
export type ContextOf = () => KoaContextWithOIDC | undefined;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function factsOf(ctx: KoaContextWithOIDC | undefined): RequestFacts {
  if (ctx === undefined) return { at: new Date() };
  // The address as express sees it (server.trustProxy), as the login pages record it: koa's own
  // `ctx.ip` would trust any X-Forwarded-For once a proxy is trusted at all.
  return requestFacts(ctx.req, new Date());
}

/** The grant type of the request (`authorization_code`, `refresh_token`, …). */
function grantTypeOf(ctx: KoaContextWithOIDC | undefined): string | undefined {
  return text((ctx?.oidc?.params as Payload | undefined)?.grant_type);
}

/** Who a token is for: the login account, the person and the patient of its link. */
async function holderOf(
  tx: Queryable,
  payload: Payload,
): Promise<Pick<AuthEvent, 'account' | 'person' | 'patient'> & { link?: string }> {
  const linkId = text(payload.accountId);
  if (linkId === undefined) return {};
  const found = await linkById(tx, linkId);
  if (found === undefined) return { link: linkId };
  return {
    link: linkId,
    account: found.account.id,
    person: found.link.person,
    patient: found.link.patient,
  };
}

/** The token requests whose refusal is a reuse, recorded as such already. */
const reuses = new WeakSet<object>();

export function tokenAuditEvents(audit: AuthAudit, contextOf: ContextOf): TokenEvents {
  return {
    async issued(tx, model, id, payload) {
      if (model === 'AuthorizationCode') return;
      const ctx = contextOf();
      const refresh = grantTypeOf(ctx) === 'refresh_token';
      const { link, ...holder } = await holderOf(tx, payload);
      const refreshToken = model === 'RefreshToken';
      const rotations = typeof payload.rotations === 'number' ? payload.rotations : undefined;
      await audit.recordIn(
        tx,
        {
          kind: 'token',
          action: 'C',
          outcome: 'success',
          interaction: refreshToken
            ? refresh
              ? 'refresh-token-rotated'
              : 'refresh-token-issued'
            : refresh
              ? 'refreshed'
              : 'issued',
          ...holder,
          clientApp: text(payload.clientId),
          ...(refreshToken ? {} : { tokenId: text(payload.jti) ?? id }),
          detail: {
            tokenType: model === 'ClientCredentials' ? 'system' : refreshToken ? 'refresh' : 'access',
            scope: text(payload.scope),
            grant: text(payload.grantId),
            grantType: grantTypeOf(ctx) ?? text(payload.gty),
            link,
            ...(refreshToken && rotations !== undefined ? { rotations } : {}),
            expiresAt:
              typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : undefined,
          },
        },
        factsOf(ctx),
      );
    },

    async removed(tx, model, how, removed, grantId) {
      const ctx = contextOf();
      const route = ctx?.oidc?.route;
      const grantType = grantTypeOf(ctx);
      const facts = factsOf(ctx);
      // In the token endpoint a removal is oidc-provider's answer to a reuse: a consumed code (all the
      // grant's tokens go) or a consumed refresh token (it, and all the grant's tokens, go).
      const codeReuse = route === 'token' && grantType === 'authorization_code';
      const refreshReuse = route === 'token' && grantType === 'refresh_token';
      const reason = codeReuse
        ? 'an authorization code was used again'
        : refreshReuse
          ? 'a refresh token was used again'
          : route === 'revocation'
            ? 'revoked at the request of the client'
            : 'the grant was revoked';
      // Once per reuse: the grant's removal of that model runs exactly once (the reused refresh
      // token's own destroy runs beside it and may find its row gone).
      if (
        how === 'grant' &&
        ((codeReuse && model === 'AuthorizationCode') || (refreshReuse && model === 'RefreshToken'))
      ) {
        const presented = refreshReuse
          ? (ctx?.oidc?.entities?.RefreshToken as unknown as Payload | undefined)
          : undefined;
        const source = presented ?? (removed[0]?.payload as Payload | undefined) ?? {};
        if (ctx !== undefined) reuses.add(ctx);
        const { link, ...holder } = await holderOf(tx, source);
        await audit.recordIn(
          tx,
          {
            kind: 'token',
            action: 'E',
            outcome: 'refused',
            outcomeText: codeReuse ? 'ERR_CODE_REUSED' : 'ERR_REFRESH_TOKEN_REUSED',
            interaction: codeReuse ? 'code-reuse' : 'refresh-token-reuse',
            ...holder,
            clientApp: text(source.clientId) ?? text(ctx?.oidc?.client?.clientId),
            detail: { grant: grantId ?? text(source.grantId), link, reason: 'the grant is revoked' },
          },
          facts,
        );
      }
      if (model === 'AuthorizationCode') return;
      for (const token of removed) await recordRevoked(tx, audit, model, token, reason, facts);
    },
  };
}

async function recordRevoked(
  tx: Queryable,
  audit: AuthAudit,
  model: string,
  token: RemovedToken,
  reason: string,
  facts: RequestFacts,
): Promise<void> {
  const payload = token.payload as Payload;
  const { link, ...holder } = await holderOf(tx, payload);
  const refreshToken = model === 'RefreshToken';
  await audit.recordIn(
    tx,
    {
      kind: 'token',
      action: 'D',
      outcome: 'success',
      interaction: 'revoked',
      outcomeText: reason,
      ...holder,
      clientApp: text(payload.clientId),
      ...(refreshToken ? {} : { tokenId: text(payload.jti) ?? token.id }),
      detail: {
        tokenType: model === 'ClientCredentials' ? 'system' : refreshToken ? 'refresh' : 'access',
        grant: text(payload.grantId),
        link,
      },
    },
    facts,
  );
}

/**
 * The record of a token request that was refused or failed, other than a reuse (recorded by the
 * adapter already): the client, the grant type, the OAuth error, and for a refresh the account of
 * the refresh token. Call it after oidc-provider answered and before the answer is sent.
 */
export async function recordTokenRefusal(
  audit: AuthAudit,
  store: Store,
  ctx: KoaContextWithOIDC,
): Promise<void> {
  if (!audit.enabled || reuses.has(ctx)) return;
  const body = (ctx.body ?? {}) as Payload;
  const presented = ctx.oidc.entities?.RefreshToken as unknown as Payload | undefined;
  const { link, ...holder } = presented ? await holderOf(store, presented) : {};
  const params = (ctx.oidc.params ?? {}) as Payload;
  await audit.record(
    {
      kind: 'token',
      action: 'E',
      outcome: ctx.status >= 500 ? 'failed' : 'refused',
      outcomeText: text(body.error) ?? 'ERR_TOKEN_REFUSED',
      status: ctx.status,
      interaction: 'token-request',
      ...holder,
      clientApp: text(ctx.oidc.client?.clientId) ?? text(params.client_id),
      detail: {
        grantType: grantTypeOf(ctx),
        description: text(body.error_description),
        grant: text(presented?.grantId),
        link,
      },
    },
    factsOf(ctx),
  );
}
