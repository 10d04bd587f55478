/**
 * Ending a person's access at once: a block of their account (M-6, by the admin API) or a refusal of
 * the terms revokes what oidc-provider holds for them, so that no refresh, no open session
 * and no access token still works, on any instance.
 */
import type { Store } from '../store';
import { linksOfAccount } from './accounts';
import { revokeByAccountIds } from './adapter';

export interface RevokeOptions {
  /** Only what was issued to this app (the terms refusal); all apps and the sessions when absent. */
  readonly clientId?: string;
}

/**
 * Revokes the sessions, grants, codes and tokens of every link of an account, ended links included
 * (a token of an ended link must not outlive the block either). Returns how many records went.
 */
export async function revokeAccountTokens(
  store: Store,
  accountId: string,
  options: RevokeOptions = {},
): Promise<number> {
  const links = await linksOfAccount(store, accountId, true);
  return revokeByAccountIds(
    store,
    links.map((l) => l.id),
    options.clientId,
  );
}
