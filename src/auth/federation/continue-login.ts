/**
 * After the provider proved an identity that is linked to an account: the rest of the login, as
 * after the password step. This is the one place where federated login hands over to the login
 * steps (src/auth/pages): it writes their state (`inzage: {step, accountId}`, see pages/state.ts) and
 * sends the browser to the interaction page, which shows the second factor, or the picker and the
 * terms. When those steps change, only this function follows them.
 */
import type { Request, Response } from 'express';
import type { Store } from '../../store';
import { accountById, linksOfAccount, type AccountLink } from '../accounts';
import { requestFacts } from '../audit';
import type { AuthorizationServer } from '../authorization-server';
import { findLaunch } from '../launch';
import { failurePage } from './pages';
import type { Details } from './state';

export interface ContinueLoginOptions {
  readonly store: Store;
  readonly server: AuthorizationServer;
  /** The provider's `secondFactor` setting: the account's own second factor is still asked. */
  readonly secondFactor: boolean;
}

/** The links this login may choose from: the launch's one in an EHR launch, else the account's. */
async function choices(store: Store, details: Details, accountId: string): Promise<AccountLink[]> {
  const links = await linksOfAccount(store, accountId);
  const launch = details.params.launch as string | undefined;
  if (launch === undefined) return links;
  const context = await findLaunch(store, launch, String(details.params.client_id));
  return links.filter((l) => l.id === context?.linkId);
}

/**
 * Continues the login of `details` as account `accountId`: the second factor when the provider
 * asks for it and the account has one, then the one link, or the picker for several. A blocked
 * account, or one without a current link, gets a page and no login.
 */
export async function continueLoginAsAccount(
  req: Request,
  res: Response,
  details: Details,
  accountId: string,
  options: ContinueLoginOptions,
): Promise<void> {
  const { store, server } = options;
  const { provider } = server;
  const account = await accountById(store, accountId);
  const noAccess = async () => {
    await server.audit.record(
      {
        kind: 'login',
        action: 'E',
        outcome: 'refused',
        outcomeText: 'ERR_NO_ACCESS',
        status: 403,
        interaction: 'federated',
        account: accountId,
        clientApp: String(details.params.client_id),
      },
      requestFacts(req),
    );
    res.status(403).type('html').send(failurePage('no-access', details.uid));
  };
  if (account === undefined || account.blockedAt !== undefined) return noAccess();
  const interactionPage = `/auth/interaction/${encodeURIComponent(details.uid)}`;
  if (options.secondFactor && account.hasTotp) {
    await provider.interactionResult(
      req,
      res,
      { inzage: { step: 'second-factor', accountId } },
      { mergeWithLastSubmission: false },
    );
    return void res.redirect(303, interactionPage);
  }
  const links = await choices(store, details, accountId);
  if (links.length === 0) return noAccess();
  // The pages take it from here: the picker (or, with one link, straight on), then the terms.
  await provider.interactionResult(
    req,
    res,
    { inzage: { step: 'pick', accountId } },
    { mergeWithLastSubmission: false },
  );
  res.redirect(303, interactionPage);
}
