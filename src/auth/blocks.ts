/**
 * M-6: lost or stolen credentials. The organisation blocks the account (every session, grant and
 * token of all its links goes at once, on every instance: the token verifier and oidc-provider read
 * the store on every request), and later lets it re-enrol with a fresh link code.
 */
import { NotFound } from '../errors';
import type { Queryable, Store } from '../store';
import { actorText, type Actor } from '../vocabulary';
import {
  AccountSecret,
  accountById,
  issueLinkCode,
  linksOfAccount,
  type Account,
  type AccountLink,
  type IssuedLinkCode,
} from './accounts';
import { revokeByAccountIds } from './adapter';

/**
 * Records the block inside its transaction (the admin API writes an audit record with it, so that
 * there is no block without its record).
 */
export type BlockJournal = (
  tx: Queryable,
  block: BlockResult & { links: readonly AccountLink[] },
) => Promise<void>;

export interface BlockResult {
  readonly account: Account;
  /** False when the account was blocked already (the tokens are revoked again all the same). */
  readonly newlyBlocked: boolean;
  /** How many sessions, grants, codes and tokens went. */
  readonly revoked: number;
}

/**
 * Blocks an account and revokes all its sessions, grants, codes and tokens (of every link, ended
 * ones too) in one transaction: no instance can refresh or use a token after it commits, and a
 * login is refused (findAccount and the pages refuse a blocked account). Throws NotFound
 * (ERR_NO_ACCOUNT) for an unknown id. Idempotent: blocking twice keeps the first moment.
 */
export async function blockAccount(
  store: Store,
  accountId: string,
  by: Actor,
  at: Date = new Date(),
  journal?: BlockJournal,
): Promise<BlockResult> {
  actorText(by); // a malformed actor is refused before anything changes
  return store.transaction((tx) => blockIn(tx, accountId, at, journal));
}

async function blockIn(
  tx: Queryable,
  accountId: string,
  at: Date,
  journal: BlockJournal | undefined,
): Promise<BlockResult> {
  {
    const before = await tx.query<{ blocked_at: Date | null }>(
      'SELECT blocked_at FROM account WHERE id = $1 FOR UPDATE',
      [accountId],
    );
    if (before[0] === undefined) throw new NotFound(`no account ${accountId}`, { code: 'ERR_NO_ACCOUNT' });
    await tx.query('UPDATE account SET blocked_at = COALESCE(blocked_at, $2) WHERE id = $1', [
      accountId,
      at.toISOString(),
    ]);
    const links = await linksOfAccount(tx, accountId, true);
    const revoked = await revokeByAccountIds(
      tx,
      links.map((l) => l.id),
    );
    const result = {
      account: (await accountById(tx, accountId))!,
      newlyBlocked: before[0].blocked_at === null,
      revoked,
    };
    await journal?.(tx, { ...result, links });
    return result;
  }
}

export interface Reenrolment {
  readonly account: Account;
  /** The link whose person and client the code is for. */
  readonly link: AccountLink;
  /** The fresh link code (shown once): registering with it and the account's e-mail address re-enrols. */
  readonly code: IssuedLinkCode;
  readonly revoked: number;
}

/**
 * Lets a blocked account re-enrol (M-6): blocks it if it was not (revoking everything again), and
 * issues a fresh link code for one of its current links (`patient`, or its first). The person
 * registers with that code and their account's e-mail address on the login pages: a new password,
 * the e-mail address and mobile number verified anew, a new second factor enrolled; the account, its
 * links and its history stay. The old password and second factor never count again. A code issued
 * before replaces nothing but stops counting for the re-enrolment. Throws NotFound for an unknown
 * account or one without a current link (for that client).
 */
export async function reenrolAccount(
  store: Store,
  input: {
    accountId: string;
    by: Actor;
    at?: Date;
    patient?: string;
    organisationId?: string;
    journal?: BlockJournal;
  },
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<Reenrolment> {
  const at = input.at ?? new Date();
  actorText(input.by);
  // The block, the revocation and the code commit together.
  return store.transaction(async (tx) => {
    const blocked = await blockIn(tx, input.accountId, at, input.journal);
    const links = (await linksOfAccount(tx, input.accountId)).filter(
      (l) =>
        (input.patient === undefined || l.patient === input.patient) &&
        (input.organisationId === undefined || l.organisationId === input.organisationId),
    );
    const link = links[0];
    if (link === undefined)
      throw new NotFound(`account ${input.accountId} has no current link to re-enrol with`, {
        code: 'ERR_NO_ACCOUNT_LINK',
      });
    const code = await issueLinkCode(
      tx,
      {
        binding: { organisationId: link.organisationId, patient: link.patient, person: link.person },
        issuedBy: input.by,
        at,
      },
      secret,
    );
    await tx.query('UPDATE account SET reenrol_link_code_id = $2 WHERE id = $1 AND blocked_at IS NOT NULL', [
      input.accountId,
      code.id,
    ]);
    return { account: blocked.account, link, code, revoked: blocked.revoked };
  });
}
