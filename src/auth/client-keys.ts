/**
 * Fetching the keys of clients registered by JWKS URL (SMART client-confidential-asymmetric):
 *
 * - Only the registered URLs are fetched without oidc-provider's guard against special-use
 *   addresses: they come from the operator's configuration, and an ECD's key server is often on the
 *   organisation's own network. Every other URL keeps the guard.
 * - The cache follows the client's Cache-Control (the IG: "not longer than Cache-Control", and
 *   SHOULD within it). oidc-provider keeps a fetched JWKS for at least 60 seconds whatever the
 *   header says; after each fetch the keystore's freshness is set back to what the header allows
 *   (at least one second), so with `max-age=0` or `no-store` an assertion with an unknown kid
 *   fetches again, and a rotated key at the URL counts at once.
 */
import type { default as ProviderType } from 'oidc-provider';

/** Seconds a response may be cached for, by its Cache-Control; undefined when it says nothing. */
export function cacheSeconds(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  if (/(?:^|,)\s*(?:no-store|no-cache)\b/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

type Fetch = (url: URL | string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

/** The JWKS URL fetches of one provider: what each URL's last answer allowed. */
export class ClientKeyFetcher {
  readonly #urls: ReadonlySet<string>;
  readonly #allowed = new Map<string, { fetchedAt: number; seconds: number }>();

  constructor(jwksUrls: readonly string[]) {
    this.#urls = new Set(jwksUrls.map((u) => new URL(u).href));
  }

  /** The value for oidc-provider's `fetch` option. */
  readonly fetch: Fetch = async (url, init) => {
    const href = new URL(String(url)).href;
    const registered = this.#urls.has(href);
    const response = await globalThis.fetch(
      url,
      registered ? ({ ...init, dispatcher: undefined } as RequestInit) : (init as RequestInit),
    );
    const seconds = registered ? cacheSeconds(response.headers.get('cache-control')) : undefined;
    if (seconds !== undefined) this.#allowed.set(href, { fetchedAt: Math.floor(Date.now() / 1000), seconds });
    else this.#allowed.delete(href);
    return response;
  };

  /** Until when the last answer for this URL may be used, when its Cache-Control said. */
  freshUntil(url: string): number | undefined {
    const allowed = this.#allowed.get(new URL(url).href);
    // At least one second: oidc-provider refetches a stale JWKS on every failed verification and
    // tries again, so a JWKS that is never fresh would loop on an assertion no key verifies.
    return allowed === undefined ? undefined : allowed.fetchedAt + Math.max(allowed.seconds, 1);
  }

  /**
   * Makes the provider's client keystores keep a fetched JWKS no longer than its Cache-Control
   * says. The keystore class is oidc-provider's own (per provider), reached through a client.
   */
  async install(provider: ProviderType, clientId: string): Promise<void> {
    const client = (await provider.Client.find(clientId)) as unknown as { asymmetricKeyStore?: object };
    const keystore = client?.asymmetricKeyStore as
      { refresh(): Promise<void>; jwksUri?: string; freshUntil?: number } | undefined;
    if (keystore === undefined) return;
    const prototype = Object.getPrototypeOf(keystore) as {
      refresh(this: typeof keystore): Promise<void>;
      __inzageCachePatched?: boolean;
    };
    if (prototype.__inzageCachePatched) return;
    const refresh = prototype.refresh;
    const freshUntil = (url: string) => this.freshUntil(url);
    prototype.refresh = async function refreshWithinCacheControl(this: typeof keystore) {
      await refresh.call(this);
      const until = this.jwksUri === undefined ? undefined : freshUntil(this.jwksUri);
      if (until !== undefined && (this.freshUntil === undefined || until < this.freshUntil)) {
        this.freshUntil = until;
      }
    };
    prototype.__inzageCachePatched = true;
  }
}
