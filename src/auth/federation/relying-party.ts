/**
 * The gateway as a relying party of external OpenID Connect providers, with openid-client 6 (ESM
 * only, loaded with a dynamic import). One discovered Configuration is kept per provider; a failure
 * drops it, so the next login discovers again (new endpoints or keys after a provider's change).
 *
 * Every login is an authorization code flow with PKCE S256, `state` and `nonce`; openid-client
 * checks the callback (state, `iss` when the provider sends it, errors) and the id_token (signature
 * against the provider's JWKS, iss, aud, exp, nonce). Only `iss` and `sub` are taken from it.
 */
import type * as OpenIdClientModule from 'openid-client';
import type { Configuration } from 'openid-client';
import type { IdentityProviderConfig } from '../../config';
import type { ExternalIdentity } from './identities';

/** What a login through a provider must remember between the redirect and the callback. */
export interface PendingLogin {
  readonly providerId: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** Why a callback gave no identity, in the terms the error page speaks. */
export type FederationFailureKind =
  /** The provider answered with an error (the person cancelled: access_denied). */
  | 'provider-error'
  /** The answer did not hold up: wrong state, bad or missing id_token, a refused code. */
  | 'rejected'
  /** The provider could not be reached or discovered. */
  | 'unavailable';

/** A callback that gave no identity. `detail` is for the log, never for the page. */
export class FederationFailure extends Error {
  constructor(
    readonly kind: FederationFailureKind,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`federated login failed (${kind}): ${detail}`, options);
    this.name = 'FederationFailure';
  }
}

const DISCOVERY_TIMEOUT_SECONDS = 10;

type OpenIdClient = typeof OpenIdClientModule;

export class RelyingParties {
  readonly #providers: ReadonlyMap<string, IdentityProviderConfig>;
  readonly #configurations = new Map<string, Promise<Configuration>>();
  #client: Promise<OpenIdClient> | undefined;

  /** `redirectUri(id)`: the gateway's callback registered at provider `id`. */
  constructor(
    providers: readonly IdentityProviderConfig[],
    readonly redirectUri: (providerId: string) => string,
  ) {
    this.#providers = new Map(providers.map((p) => [p.id, p]));
  }

  /** The configured provider with this id. */
  provider(id: string): IdentityProviderConfig | undefined {
    return this.#providers.get(id);
  }

  /**
   * Where to send the browser to log in at the provider, and what to keep for the callback.
   * `statePrefix` is put before the random state: it names the interaction the callback belongs to.
   */
  async start(id: string, statePrefix: string): Promise<{ url: URL; pending: PendingLogin }> {
    const client = await this.#openIdClient();
    const configuration = await this.#configuration(id);
    const pending: PendingLogin = {
      providerId: id,
      state: `${statePrefix}.${client.randomState()}`,
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(id),
      scope: 'openid',
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, pending };
  }

  /** The identity the callback's parameters prove, or a FederationFailure. */
  async finish(pending: PendingLogin, callbackParameters: URLSearchParams): Promise<ExternalIdentity> {
    const client = await this.#openIdClient();
    const id = pending.providerId;
    const configuration = await this.#configuration(id);
    const callback = new URL(this.redirectUri(id));
    callback.search = callbackParameters.toString();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new FederationFailure('rejected', 'no id_token');
      return { issuer: claims.iss, subject: claims.sub };
    } catch (err) {
      if (err instanceof FederationFailure) throw err;
      if (err instanceof client.AuthorizationResponseError) {
        throw new FederationFailure('provider-error', `${err.error}: ${err.error_description ?? ''}`, {
          cause: err,
        });
      }
      // A provider that changed (keys, endpoints) is discovered again at the next login.
      this.#configurations.delete(id);
      const code = (err as { code?: unknown }).code;
      const kind = err instanceof TypeError && code === undefined ? 'unavailable' : 'rejected';
      throw new FederationFailure(kind, err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  #openIdClient(): Promise<OpenIdClient> {
    this.#client ??= import('openid-client');
    return this.#client;
  }

  /** The discovered configuration of a provider: cached, and forgotten when discovery fails. */
  #configuration(id: string): Promise<Configuration> {
    const cached = this.#configurations.get(id);
    if (cached) return cached;
    const provider = this.#providers.get(id);
    if (!provider) return Promise.reject(new FederationFailure('rejected', `no identity provider '${id}'`));
    const discovered = this.#discover(provider).catch((err: unknown) => {
      this.#configurations.delete(id);
      throw new FederationFailure('unavailable', `discovery of ${provider.issuer} failed`, { cause: err });
    });
    this.#configurations.set(id, discovered);
    return discovered;
  }

  async #discover(provider: IdentityProviderConfig): Promise<Configuration> {
    const client = await this.#openIdClient();
    // RFC 6749 makes client_secret_basic the method every provider supports; without a secret the
    // gateway is a public client and PKCE is all that binds the code to this login.
    const authentication = provider.clientSecret
      ? client.ClientSecretBasic(provider.clientSecret)
      : client.None();
    const insecure = new URL(provider.issuer).protocol === 'http:';
    return client.discovery(
      new URL(provider.issuer),
      provider.clientId,
      provider.clientSecret ? { client_secret: provider.clientSecret } : {},
      authentication,
      {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        // http:// issuers are for tests and local development: the configuration allows them.
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      },
    );
  }
}
