/**
 * The registered SMART clients (static in configuration) as oidc-provider client metadata. The
 * metadata is the whole truth about a client: which flows it may use and how it authenticates; the
 * scopes it may be granted are kept beside it (`registeredScopes`).
 */
import type { ClientMetadata } from 'oidc-provider';
import type { SmartClientConfig } from '../config';
import { AuthError } from './errors';
import { malformedScopes } from './scopes';

/** The client assertion algorithms SMART asks for (client-confidential-asymmetric, Backend Services). */
export const CLIENT_ASSERTION_ALGS = ['RS384', 'ES384'] as const;

/** oidc-provider's metadata for one registered client. */
export function clientMetadata(client: SmartClientConfig): ClientMetadata {
  const problems = malformedScopes(client.scopes);
  if (problems.length > 0) {
    throw new AuthError(
      'ERR_AUTH_CLIENT_SCOPES',
      `client ${client.id}: these registered scopes are not SMART scopes: ${problems.join(' ')}`,
    );
  }
  const keys = client.jwks
    ? { jwks: client.jwks as unknown as ClientMetadata['jwks'] }
    : client.jwksUrl
      ? { jwks_uri: client.jwksUrl }
      : {};
  const common = { client_id: client.id, client_name: client.name };
  if (client.type === 'backend') {
    return {
      ...common,
      ...keys,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
    };
  }
  const flows = {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code' as const],
    redirect_uris: client.redirectUris,
  };
  if (client.type === 'public') return { ...common, ...flows, token_endpoint_auth_method: 'none' };
  if (client.secretHash !== undefined) {
    // The hash stands where the secret would: compareClientSecret (authorization-server.ts) checks a
    // presented secret against it, so the secret itself is never in configuration or memory.
    return {
      ...common,
      ...flows,
      client_secret: client.secretHash,
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }
  return { ...common, ...flows, ...keys, token_endpoint_auth_method: 'private_key_jwt' };
}

/** The web origins a portal app runs on (its redirect URIs' origins): the CORS allow-list for it. */
export function clientOrigins(client: Pick<SmartClientConfig, 'redirectUris'>): string[] {
  return [...new Set(client.redirectUris.map((uri) => new URL(uri).origin))];
}
