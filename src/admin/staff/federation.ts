/**
 * The console as a relying party of a care organisation's own OpenID Connect provider (issue 12,
 * item 1), with openid-client 6 as src/auth/federation does it for portal users: authorization code
 * flow with PKCE S256, state and nonce; openid-client checks the callback and the id_token
 * (signature by the provider's JWKS, iss, aud, exp, nonce). Taken from the id_token: iss and sub
 * (the identity), email and email_verified (to find the staff account at the first login only),
 * and amr (whether the provider did multi-factor authentication, when the configuration asks).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as OpenIdClientModule from 'openid-client';
import type { Configuration } from 'openid-client';
import type { StaffIdentityProviderConfig } from '../../config';

type OpenIdClient = typeof OpenIdClientModule;

export interface StaffPendingLogin {
  readonly provider: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly next: string;
  /** Milliseconds since the epoch: the pending login is good for 10 minutes. */
  readonly at: number;
}

export interface StaffFederatedIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly amr: readonly string[];
}

const PENDING_MINUTES = 10;

let client: Promise<OpenIdClient> | undefined;
const configurations = new Map<string, Promise<Configuration>>();

function openIdClient(): Promise<OpenIdClient> {
  client ??= import('openid-client');
  return client;
}

function configurationOf(provider: StaffIdentityProviderConfig): Promise<Configuration> {
  const key = `${provider.id}\n${provider.issuer}\n${provider.clientId}`;
  const cached = configurations.get(key);
  if (cached) return cached;
  const discovered = (async () => {
    const oidc = await openIdClient();
    const insecure = new URL(provider.issuer).protocol === 'http:';
    return oidc.discovery(
      new URL(provider.issuer),
      provider.clientId,
      provider.clientSecret ? { client_secret: provider.clientSecret } : {},
      provider.clientSecret ? oidc.ClientSecretBasic(provider.clientSecret) : oidc.None(),
      { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) },
    );
  })();
  discovered.catch(() => configurations.delete(key));
  configurations.set(key, discovered);
  return discovered;
}

/** The console's redirect URI at a provider. */
export function staffRedirectUri(publicUrl: string, providerId: string): string {
  return `${publicUrl}/admin/console/login/oidc/${encodeURIComponent(providerId)}/callback`;
}

/** Where to send the browser, and what to keep (in a signed cookie) for the callback. */
export async function startStaffFederatedLogin(
  provider: StaffIdentityProviderConfig,
  publicUrl: string,
  next: string,
): Promise<{ url: URL; pending: StaffPendingLogin }> {
  const oidc = await openIdClient();
  const configuration = await configurationOf(provider);
  const pending: StaffPendingLogin = {
    provider: provider.id,
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
    next,
    at: Date.now(),
  };
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: staffRedirectUri(publicUrl, provider.id),
    scope: 'openid email',
    response_type: 'code',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  return { url, pending };
}

/** The identity the callback proves; throws (with a reason for the log) when it does not hold. */
export async function finishStaffFederatedLogin(
  provider: StaffIdentityProviderConfig,
  publicUrl: string,
  pending: StaffPendingLogin,
  parameters: URLSearchParams,
): Promise<StaffFederatedIdentity> {
  if (Date.now() - pending.at > PENDING_MINUTES * 60_000) throw new Error('the pending login expired');
  const oidc = await openIdClient();
  const configuration = await configurationOf(provider);
  const callback = new URL(staffRedirectUri(publicUrl, provider.id));
  callback.search = parameters.toString();
  const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (claims === undefined) throw new Error('no id_token');
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((a): a is string => typeof a === 'string') : [];
  return {
    issuer: claims.iss,
    subject: claims.sub,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    emailVerified: claims.email_verified === true,
    amr,
  };
}

/** Whether the provider's login counts as the second factor, by the configuration. */
export function providerDidMfa(
  provider: StaffIdentityProviderConfig,
  identity: StaffFederatedIdentity,
): boolean {
  if (provider.mfa === 'provider') return true;
  if (provider.mfa === 'amr') return identity.amr.includes('mfa');
  return false;
}

/** The pending login as a cookie value: JSON, base64url, with an HMAC under the console's key. */
export function sealPending(pending: StaffPendingLogin, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(pending)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(`staff-oidc:${body}`).digest('base64url')}`;
}

export function openPending(value: string | undefined, key: Buffer): StaffPendingLogin | undefined {
  if (!value || value.length > 4000) return undefined;
  const [body, mac] = value.split('.');
  if (!body || !mac) return undefined;
  const expected = Buffer.from(createHmac('sha256', key).update(`staff-oidc:${body}`).digest('base64url'));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as StaffPendingLogin;
    return typeof parsed.state === 'string' && typeof parsed.provider === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
