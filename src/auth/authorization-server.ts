/**
 * The SMART on FHIR authorization server: oidc-provider (OpenID-certified; no hand-rolled OAuth),
 * configured for SMART App Launch 2.2 and Backend Services, on the gateway's store.
 *
 * Choices that shape everything else:
 * - oidc-provider's accountId is an account *link* id (account_link.id): one person's relation to one
 *   client. A token is therefore bound to the account, the patient and the person at once; a parent of
 *   two children picks one at login and gets a token for that child only.
 * - The FHIR base is the one resource server. Access tokens are JWTs for it (ES384, `at+jwt`), also
 *   stored, so that revocation, code reuse and blocks count on every instance at once.
 * - The granted scopes are decided by `grantableScopes` (scopes.ts): what was asked, parsed as SMART
 *   scopes, within the client's registration. Everything granted, identity scopes included, is in the
 *   access token's `scope`, so the token response, the token and introspection agree.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Adapter, Configuration, KoaContextWithOIDC, default as ProviderType } from 'oidc-provider';
import type { AuditTrail } from '../audit';
import type { GatewayConfig, IdentityProviderConfig, SmartClientConfig } from '../config';
import type { Logger } from '../http';
import type { Store } from '../store';
import {
  linkById,
  verifyPassword,
  type AccountLink,
  type AccountSecret,
  type MessageSender,
} from './accounts';
import { authAdapter } from './adapter';
import { AccessTokenVerifier } from './access-tokens';
import { AuthAudit } from './audit';
import { ClientKeyFetcher } from './client-keys';
import { CLIENT_ASSERTION_ALGS, clientMetadata, clientOrigins } from './clients';
import { ClientDirectory, registeredClientAdapter } from './registered-clients';
import { INTROSPECT_SCOPE } from './introspection';
import { storeJwtAccessTokens } from './stored-tokens';
import { findLaunch } from './launch';
import { messagePage, requestLanguage } from './pages/message-page';
import { CONTEXT_SCOPES, grantableScopes, scopeList } from './scopes';
import { activeJwks, ensureSigningKeys } from './signing-keys';
import { recordTokenRefusal, tokenAuditEvents } from './token-audit';
import { acceptedCurrentTerms } from './terms-versions';

/** Whether a link may get tokens now: no suspension, care not ended, access not closed. */
export type PortalAccessCheck = (link: AccountLink, at: Date) => Promise<boolean>;

export interface AuthorizationServerOptions {
  config: GatewayConfig;
  store: Store;
  log: Logger;
  portalAccess: PortalAccessCheck;
  /** Encrypts the signing keys at rest (INZAGE_KEY_ENCRYPTION_KEY). */
  keyEncryptionKey?: Buffer;
  /**
   * Sends verification and login codes by e-mail and SMS (the demo: an OutboxFileSender). Without
   * one, the steps that send a code answer that no code can be sent now.
   */
  messageSender?: MessageSender;
  /** Keys link codes, verification codes and TOTP secrets (default: INZAGE_LINK_CODE_SECRET). */
  accountSecret?: AccountSecret;
  /**
   * The audit trail of logins, tokens, link codes and terms answers (the gateway always gives it;
   * without it, as in unit tests of the authorization server alone, nothing is recorded).
   */
  audit?: AuditTrail;
}

/** The identity and launch scopes oidc-provider must know as such (the rest are resource scopes). */
const OIDC_SCOPES = CONTEXT_SCOPES.filter((s) => s !== INTROSPECT_SCOPE);

/** Code lifetime: SMART and RFC 6749 say short; one minute is what apps expect. */
const CODE_SECONDS = 60;
const INTERACTION_SECONDS = 30 * 60;
const SESSION_SECONDS = 8 * 60 * 60;
/** Backend Services tokens SHOULD live at most 300 s. */
const SYSTEM_TOKEN_MAX_SECONDS = 300;
/** A client assertion may not claim to live longer than five minutes (and some clock skew). */
const ASSERTION_MAX_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 60;

export interface AuthorizationServer {
  /** `<publicUrl>/auth` */
  readonly issuer: string;
  /** `<publicUrl>/fhir`: the `aud` every authorization must name. */
  readonly fhirBase: string;
  /** The gateway's public URL, without a trailing slash. */
  readonly publicUrl: string;
  /** External OpenID Connect providers people may log in with (federated login). */
  readonly identityProviders: readonly IdentityProviderConfig[];
  readonly provider: ProviderType;
  /** The request handler of oidc-provider, for mounting at `/auth`. */
  readonly callback: (req: IncomingMessage, res: ServerResponse) => void;
  readonly tokens: AccessTokenVerifier;
  /**
   * The client with this id: configured, or registered at run time as this instance last heard of
   * it (enabled ones only; a change on another instance arrives by notification, a moment later).
   * For what must not lag, use `findClient`.
   */
  client(clientId: string): SmartClientConfig | undefined;
  /** The client with this id: configured, or registered and enabled as the store has it now. */
  findClient(clientId: string): Promise<SmartClientConfig | undefined>;
  /**
   * The browser origins of every portal app (configured and enabled registered ones): the CORS
   * allow-list of /fhir. A live Set, changed in place when a registration changes.
   */
  readonly portalOrigins: ReadonlySet<string>;
  /** Stops following the registered clients' changes. */
  close(): Promise<void>;
  /** The configuration it was made from (the pages read organisations and the public URL). */
  readonly config: GatewayConfig;
  /** oidc-provider's cookie keys; the login pages derive their CSRF key from them. */
  readonly cookieKeys: readonly string[];
  readonly messageSender?: MessageSender;
  readonly accountSecret?: AccountSecret;
  /** Where the login pages and the token writes record their events (see audit.ts). */
  readonly audit: AuthAudit;
  /**
   * Whether a login for this link would get tokens now (the check of findAccount): the picker
   * offers only such links, so that a suspended or ended one ends the login cleanly.
   */
  mayLogIn(linkId: string): Promise<boolean>;
}

/** Derives the cookie-signing keys from the stored signing keys, so every instance has the same. */
function cookieKeys(jwks: { keys: { d?: unknown }[] }): string[] {
  return jwks.keys
    .filter((key) => typeof key.d === 'string')
    .map((key) => createHash('sha256').update('inzage:cookies:').update(String(key.d)).digest('base64url'));
}

function patientContext(scopes: readonly string[]): boolean {
  return scopes.some((s) => s === 'launch' || s === 'launch/patient' || s.startsWith('patient/'));
}

export async function createAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<AuthorizationServer> {
  const { config, store, log } = options;
  const issuer = `${config.server.publicUrl}/auth`;
  const fhirBase = `${config.server.publicUrl}${config.fhirBasePath}`;
  const directory = new ClientDirectory(store, config.smart.clients, (err) =>
    log.error({ err }, 'reading a registered SMART client failed'),
  );
  const metadata = config.smart.clients.map(clientMetadata);
  const keyFetcher = new ClientKeyFetcher(
    config.smart.clients.flatMap((c) => (c.jwksUrl !== undefined ? [c.jwksUrl] : [])),
  );

  await ensureSigningKeys(store, { encryptionKey: options.keyEncryptionKey });
  const jwks = await activeJwks(store, { encryptionKey: options.keyEncryptionKey });
  const accessTokenSeconds = config.smart.accessTokenSeconds;

  // ESM-only; a dynamic import loads it from the CommonJS build and under jest's VM modules.
  const { default: Provider, errors, interactionPolicy } = await import('oidc-provider');

  // Every authorization is a login (A-14: the terms at every login; the second factor always): an
  // earlier session in the same browser is not enough. The login result of this authorization
  // (kept through the consent step by mergeWithLastSubmission) is what satisfies it.
  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('every_authorization', 'every authorization requires a login', (ctx) =>
        ctx.oidc.result?.login
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  /** The scopes a request may be granted: asked for now, or granted before (a refresh), within the registration. */
  async function grantable(ctx: KoaContextWithOIDC, clientId: string): Promise<string[]> {
    const registered = (await directory.find(clientId))?.scopes ?? [];
    const asked = scopeList(ctx.oidc.params?.scope as string | undefined);
    const before = scopeList(ctx.oidc.entities.Grant?.getResourceScope(fhirBase));
    return grantableScopes([...new Set([...asked, ...before])], registered);
  }

  /**
   * The link, when it may get tokens now. `terms`: also only when its last answer accepted the terms
   * in effect (M-12) — for tokens (findAccount: the code exchange and every refresh), not for the
   * picker, which comes before the terms step.
   */
  async function usableLink(id: string, terms = true) {
    const found = await linkById(store, id);
    if (found === undefined || found.link.endedAt !== undefined || found.account.blockedAt !== undefined) {
      return undefined;
    }
    const now = new Date();
    // A suspension, a block or the end of care: no new tokens, also not by refresh.
    if (!(await options.portalAccess(found.link, now))) return undefined;
    // New terms published since the last login: no refresh until a login accepts them (M-12).
    const configured = config.organisations.find((o) => o.id === found.link.organisationId)?.termsVersion;
    if (terms && !(await acceptedCurrentTerms(store, found.link, now, configured))) return undefined;
    return found;
  }

  const audit = new AuthAudit(options.audit);
  // oidc-provider's context of the request in progress (its AsyncLocalStorage), for the token records.
  const currentContext = () => (Provider as unknown as { ctx?: KoaContextWithOIDC }).ctx;

  const keys = cookieKeys(jwks as { keys: { d?: unknown }[] });
  const secureCookies = config.server.publicUrl.startsWith('https:');
  const configuration: Configuration = {
    // With the trail, every token row is written in one transaction with its record (token-audit.ts).
    adapter: withRegisteredClients(
      store,
      authAdapter(store, audit.enabled ? { events: tokenAuditEvents(audit, currentContext) } : {}),
    ),
    fetch: keyFetcher.fetch as Configuration['fetch'],
    jwks: jwks as Configuration['jwks'],
    clients: metadata,
    cookies: {
      keys,
      // Secure when the public URL is https (behind a TLS proxy: with server.trustProxy set).
      long: { signed: true, httpOnly: true, sameSite: 'lax', ...(secureCookies ? { secure: true } : {}) },
      short: { signed: true, httpOnly: true, sameSite: 'lax', ...(secureCookies ? { secure: true } : {}) },
    },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub'],
      fhirUser: ['fhirUser'],
      // SMART v1 apps read the user from `profile`; fhirclient falls back to it.
      profile: ['fhirUser', 'profile'],
    },
    // SMART apps read fhirUser from the id_token, so scope-requested claims go there too.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGS],
      idTokenSigningAlgValues: ['RS256'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      introspection: '/introspect',
      revocation: '/revoke',
      jwks: '/jwks',
      userinfo: '/userinfo',
      end_session: '/logout',
    },
    ttl: {
      AccessToken: accessTokenSeconds,
      AuthorizationCode: CODE_SECONDS,
      ClientCredentials: Math.min(accessTokenSeconds, SYSTEM_TOKEN_MAX_SECONDS),
      IdToken: 3600,
      Interaction: INTERACTION_SECONDS,
      Session: SESSION_SECONDS,
      Grant: config.smart.refreshTokenDays * 24 * 60 * 60,
      RefreshToken: config.smart.refreshTokenDays * 24 * 60 * 60,
    },
    // Every refresh rotates; oidc-provider revokes the whole grant when a used one comes back.
    rotateRefreshToken: () => true,
    // Never for Backend Services (SHOULD NOT): their clients are registered without refresh_token.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    extraParams: {
      /**
       * SMART requires `state` of every app (and apps echo-check it against CSRF); RFC 6749 only
       * recommends it, so oidc-provider lets it be left out. Refused here: a launch without it is an
       * app bug that would otherwise go unnoticed.
       */
      state(_ctx: KoaContextWithOIDC, value: string | undefined) {
        if (value === undefined || value === '')
          throw new errors.InvalidRequest("the 'state' parameter is required");
      },
      /** SMART: `aud` is required and must be our FHIR base (no token for another server's data). */
      aud(ctx: KoaContextWithOIDC, value: string | undefined) {
        if (value === undefined || value === '')
          throw new errors.InvalidRequest("the 'aud' parameter is required");
        if (value.replace(/\/+$/, '') !== fhirBase) {
          throw new errors.InvalidRequest(`'aud' must be this server's FHIR base, ${fhirBase}`);
        }
      },
      /** EHR launch: the handle must be live and issued for this client. */
      async launch(ctx: KoaContextWithOIDC, value: string | undefined, client) {
        if (value === undefined || value === '') return;
        if ((await findLaunch(store, value, client.clientId)) === undefined) {
          throw new errors.InvalidRequest("the 'launch' parameter is unknown, used or expired");
        }
      },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${new URL(issuer).pathname}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Confidential and backend clients may introspect their own tokens; backend clients with the
        // introspection scope any token (SMART: "clients authorised this way can introspect any").
        allowedPolicy: async (_ctx, client, token) =>
          client.clientId === token.clientId ||
          ((await directory.find(client.clientId))?.scopes ?? []).includes(INTROSPECT_SCOPE),
      },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: async (ctx, resource, client) => {
          if (resource.replace(/\/+$/, '') !== fhirBase) throw new errors.InvalidTarget();
          const scope = await grantable(ctx, client.clientId);
          if (ctx.oidc.params?.grant_type === 'client_credentials') {
            const asked = scopeList(ctx.oidc.params.scope as string | undefined);
            const refused = asked.filter((s) => !scope.includes(s));
            // Backend Services: asking beyond the pre-authorisation fails (SHOULD), and so does asking nothing.
            if (asked.length === 0 || refused.length > 0) {
              throw new errors.InvalidScope(
                asked.length === 0 ? 'a scope is required' : `not registered for: ${refused.join(' ')}`,
                refused.join(' '),
              );
            }
          }
          return {
            scope: scope.join(' '),
            audience: fhirBase,
            accessTokenFormat: 'jwt',
            accessTokenTTL:
              ctx.oidc.params?.grant_type === 'client_credentials'
                ? Math.min(accessTokenSeconds, SYSTEM_TOKEN_MAX_SECONDS)
                : accessTokenSeconds,
            jwt: { sign: { alg: 'ES384' } },
          };
        },
      },
    },
    async findAccount(_ctx, id) {
      const found = await usableLink(id);
      if (found === undefined) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, fhirUser: found.link.person, profile: found.link.person }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const found = await linkById(store, token.accountId);
      if (found === undefined) return undefined;
      const scopes = scopeList(token.scope);
      return {
        fhirUser: found.link.person,
        ...(patientContext(scopes)
          ? { patient: found.link.patient.slice('Patient/'.length), need_patient_banner: true }
          : {}),
      };
    },
    clientBasedCORS(_ctx, origin, client) {
      // The client as oidc-provider just found it (for a registered one: read from the store).
      return clientOrigins({ redirectUris: [...(client.redirectUris ?? [])] }).includes(origin);
    },
    async assertJwtClientAuthClaimsAndHeader(_ctx, claims, header, client) {
      // SMART client-confidential-asymmetric, beyond what oidc-provider checks itself (signature with
      // a registered key of the alg's kty, iss = client_id, aud, exp present and not past, jti, and
      // jti replay through its ReplayDetection model in the store): typ JWT, a kid, sub = client_id,
      // exp at most five minutes ahead, jku only the registered URL.
      if (header.typ !== 'JWT') throw new errors.InvalidClientAuth("the client assertion's typ must be JWT");
      if (typeof header.kid !== 'string' || header.kid === '') {
        throw new errors.InvalidClientAuth('the client assertion must name its key (kid)');
      }
      if (claims.sub !== client.clientId) {
        throw new errors.InvalidClientAuth("the client assertion's sub must be the client_id");
      }
      const now = Math.floor(Date.now() / 1000);
      if (typeof claims.exp !== 'number' || claims.exp > now + ASSERTION_MAX_SECONDS + CLOCK_SKEW_SECONDS) {
        throw new errors.InvalidClientAuth('the client assertion must expire within five minutes');
      }
      const jku = (header as { jku?: unknown }).jku;
      if (jku !== undefined && jku !== client.jwksUri) {
        throw new errors.InvalidClientAuth("the client assertion's jku is not the registered JWKS URL");
      }
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = messagePage(
        requestLanguage(ctx.query.lang, ctx.get('cookie')),
        'loginFailedTitle',
        'loginFailed',
        {
          technical: [out.error, out.error_description].filter(Boolean).join(': '),
          // The address as the browser asked it (express strips the /auth mount before koa sees it).
          path: (ctx.req as { originalUrl?: string }).originalUrl ?? ctx.originalUrl,
        },
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = config.server.trustProxy !== false;
  // The hash stands in the metadata where the secret would; this checks a presented secret against it.
  provider.Client.prototype.compareClientSecret = async function compare(
    this: { clientSecret: string },
    actual: string,
  ) {
    return verifyPassword(actual, this.clientSecret);
  };

  // The SMART launch context in the token response (and it is already in the token and introspection).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const extra = ctx.oidc.entities.AccessToken?.extra as Record<string, unknown> | undefined;
    if (body === undefined || extra === undefined) return;
    for (const field of ['patient', 'need_patient_banner'] as const) {
      if (extra[field] !== undefined) body[field] = extra[field];
    }
  });

  // A refused token request is recorded before its answer leaves (koa sends after the chain).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'token' && ctx.status >= 400)
      await recordTokenRefusal(audit, store, ctx as unknown as KoaContextWithOIDC);
  });

  storeJwtAccessTokens(provider);
  const keyed = config.smart.clients.find((c) => c.jwksUrl !== undefined);
  if (keyed !== undefined) await keyFetcher.install(provider, keyed.id);

  provider.on('server_error', (_ctx, err) => log.error({ err }, 'authorization server error'));

  const tokens = new AccessTokenVerifier(store, issuer, fhirBase);
  const stopFollowing = await directory.start();
  return {
    issuer,
    fhirBase,
    publicUrl: config.server.publicUrl,
    identityProviders: config.smart.identityProviders,
    provider,
    callback: provider.callback(),
    tokens,
    client: (clientId) => directory.get(clientId),
    findClient: (clientId) => directory.find(clientId),
    portalOrigins: directory.origins,
    close: stopFollowing,
    config,
    cookieKeys: keys,
    messageSender: options.messageSender,
    accountSecret: options.accountSecret,
    audit,
    mayLogIn: async (linkId) => (await usableLink(linkId, false)) !== undefined,
  };
}

/**
 * The adapter factory with oidc-provider's 'Client' model on the registered clients (smart_client):
 * it is asked for the ids the configuration does not have.
 */
function withRegisteredClients(
  store: Store,
  adapters: (model: string) => Adapter,
): (model: string) => Adapter {
  const clients = registeredClientAdapter(store);
  return (model) => (model === 'Client' ? clients : adapters(model));
}
