/**
 * What a federated login keeps between its requests, in the oidc-provider interaction itself (the
 * store's auth_model, shared by every instance; never process memory): first the pending login
 * (state, nonce, PKCE verifier), then, when the identity is not linked yet, the identity that waits
 * for a link code. Each replaces the other, so a callback can be used once only.
 */
import type { Request, Response } from 'express';
import type { AuthorizationServer } from '../authorization-server';
import type { ExternalIdentity } from './identities';
import type { PendingLogin } from './relying-party';

export type Details = Awaited<ReturnType<AuthorizationServer['provider']['interactionDetails']>>;

/** The identity proved by a provider, waiting to be linked with a link code. */
export interface UnlinkedIdentity extends ExternalIdentity {
  readonly providerId: string;
}

export interface FederationState {
  readonly pending?: PendingLogin;
  readonly unlinked?: UnlinkedIdentity;
}

export function federationStateOf(details: Details): FederationState {
  return (details.result as { federation?: FederationState } | undefined)?.federation ?? {};
}

/**
 * Stores the federation state in the interaction, beside what other steps keep there; an empty
 * state removes it.
 */
export async function saveFederationState(
  server: AuthorizationServer,
  req: Request,
  res: Response,
  details: Details,
  state: FederationState,
): Promise<void> {
  const { federation: _previous, ...others } = (details.result ?? {}) as Record<string, unknown>;
  const empty = state.pending === undefined && state.unlinked === undefined;
  await server.provider.interactionResult(req, res, empty ? others : { ...others, federation: state }, {
    mergeWithLastSubmission: false,
  });
}
