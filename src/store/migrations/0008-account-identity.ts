import type { Migration } from '../types';

/** External identities linked to accounts: federated login (issue 9, item 5). */
export const accountIdentity: Migration = {
  version: 8,
  name: 'account-identity',
  // An identity is the provider's issuer and its `sub` for the person (OpenID Connect: the pair is
  // the only stable, unique key). One identity belongs to one account; an account may have several
  // (DigiD and the organisation's own provider). M-14: an identity is only ever linked by redeeming a
  // link code, whose id is kept, so the audit trail can say how this way in began. The pair is the
  // primary key: an identity cannot silently move to another account.
  up: `
    CREATE TABLE account_identity (
      issuer text NOT NULL,
      subject text NOT NULL,
      account_id text NOT NULL REFERENCES account (id),
      provider_id text NOT NULL,
      link_code_id text NOT NULL UNIQUE REFERENCES link_code (id),
      linked_at timestamptz NOT NULL,
      PRIMARY KEY (issuer, subject)
    );
    CREATE INDEX account_identity_account ON account_identity (account_id);
  `,
};
