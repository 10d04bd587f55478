import type { IdentityProviderConfig } from '../../config';

/** One button on the login page: log in through this provider. */
export interface IdentityProviderChoice {
  readonly id: string;
  readonly name: string;
  /** Where the button goes (GET): starts the login at the provider for this interaction. */
  readonly href: string;
}

/** The login page's buttons for the configured providers, for the interaction `uid`. */
export function identityProviderChoices(
  providers: readonly IdentityProviderConfig[],
  uid: string,
): IdentityProviderChoice[] {
  return providers.map((p) => ({
    id: p.id,
    name: p.name,
    href: `/auth/interaction/${encodeURIComponent(uid)}/federated/${encodeURIComponent(p.id)}`,
  }));
}
