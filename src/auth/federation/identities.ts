/**
 * External identities linked to accounts (table account_identity, migration 8): all SQL on it is
 * here. An identity is the provider's issuer with the person's `sub` there, nothing else: those are
 * the only claims federated login trusts (see README.md).
 */
import type { Queryable } from '../../store';

export interface ExternalIdentity {
  readonly issuer: string;
  readonly subject: string;
}

export interface LinkedIdentity extends ExternalIdentity {
  readonly accountId: string;
  readonly providerId: string;
  readonly linkCodeId: string;
  readonly linkedAt: Date;
}

type IdentityRow = {
  issuer: string;
  subject: string;
  account_id: string;
  provider_id: string;
  link_code_id: string;
  linked_at: Date;
};

function identityOf(row: IdentityRow): LinkedIdentity {
  return {
    issuer: row.issuer,
    subject: row.subject,
    accountId: row.account_id,
    providerId: row.provider_id,
    linkCodeId: row.link_code_id,
    linkedAt: row.linked_at,
  };
}

const COLUMNS = 'issuer, subject, account_id, provider_id, link_code_id, linked_at';

/** The link of this identity to an account, if it has one. */
export async function findLinkedIdentity(
  tx: Queryable,
  identity: ExternalIdentity,
): Promise<LinkedIdentity | undefined> {
  const [row] = await tx.query<IdentityRow>(
    `SELECT ${COLUMNS} FROM account_identity WHERE issuer = $1 AND subject = $2`,
    [identity.issuer, identity.subject],
  );
  return row && identityOf(row);
}

export interface LinkIdentityInput extends ExternalIdentity {
  readonly accountId: string;
  readonly providerId: string;
  /** The redeemed link code that made this link (M-14). */
  readonly linkCodeId: string;
  readonly at: Date;
}

/**
 * Links an identity to an account. False when the identity is linked already (to any account: a
 * concurrent link won, and the caller's transaction should give its code back by failing).
 */
export async function linkIdentity(tx: Queryable, input: LinkIdentityInput): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO account_identity (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (issuer, subject) DO NOTHING RETURNING issuer`,
    [input.issuer, input.subject, input.accountId, input.providerId, input.linkCodeId, input.at],
  );
  return rows.length === 1;
}
