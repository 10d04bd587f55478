import type { Migration } from '../types';

/** The login pages (issue 9, items 6, 7 and 9): terms acceptance and the shared login throttle. */
export const loginPages: Migration = {
  version: 7,
  name: 'login-pages',
  // M-12, A-14, A-15: every login shows the organisation's current terms; which version was shown,
  // whether it was accepted, by whom (account and link), when and for which app is kept, never
  // deleted, so the audit trail can show it.
  //
  // login_throttle counts failures per key (an account, a client address, a link-code entry) in the
  // database, so that every gateway instance counts the same attempts and a lockout holds on all.
  //
  // auth_model_account: blocking an account or refusing the terms revokes the account's sessions,
  // grants and tokens, found by the accountId in their payload. All three tables are the auth module's.
  up: `
    CREATE TABLE terms_acceptance (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES account (id),
      link_id text NOT NULL REFERENCES account_link (id),
      organisation_id text NOT NULL,
      client_id text NOT NULL,
      terms_version text NOT NULL,
      accepted boolean NOT NULL,
      shown_at timestamptz NOT NULL,
      answered_at timestamptz NOT NULL
    );
    CREATE INDEX terms_acceptance_account ON terms_acceptance (account_id, answered_at);

    CREATE TABLE login_throttle (
      key text PRIMARY KEY,
      failures int NOT NULL,
      window_started_at timestamptz NOT NULL,
      locked_until timestamptz
    );

    CREATE INDEX auth_model_account ON auth_model ((payload->>'accountId'))
      WHERE payload ? 'accountId';
  `,
};
