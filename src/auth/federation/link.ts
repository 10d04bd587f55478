/**
 * Linking an external identity with a link code: one transaction that redeems the code, finds or
 * makes the account (registerExternalLogin) and stores the identity, so that any refusal gives the
 * code back and a used code can never link a second identity.
 */
import { Conflict } from '../../errors';
import type { Store } from '../../store';
import { AccountSecret, registerExternalLogin, type ExternalRegistration } from '../accounts';
import { linkIdentity, type ExternalIdentity } from './identities';

export interface LinkWithCodeInput {
  readonly identity: ExternalIdentity;
  readonly providerId: string;
  readonly linkCode: string;
  readonly email?: string;
  readonly mobile?: string;
  readonly at: Date;
}

/** Links the identity to the account the code belongs to, or to a new one; see registerExternalLogin. */
export async function linkWithCode(
  store: Store,
  input: LinkWithCodeInput,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<ExternalRegistration> {
  return store.transaction(async (tx) => {
    const registration = await registerExternalLogin(
      tx,
      { linkCode: input.linkCode, email: input.email, mobile: input.mobile, at: input.at },
      secret,
    );
    const linked = await linkIdentity(tx, {
      ...input.identity,
      accountId: registration.account.id,
      providerId: input.providerId,
      linkCodeId: registration.linkCodeId,
      at: input.at,
    });
    if (!linked) {
      throw new Conflict('this identity is already linked to an account', {
        code: 'ERR_IDENTITY_LINKED',
      });
    }
    return registration;
  });
}
