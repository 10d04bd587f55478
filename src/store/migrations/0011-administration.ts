import type { Migration } from '../types';

/** The care organisation's administration (issue 12). Owned by src/admin unless a comment says otherwise. */
export const administration: Migration = {
  version: 11,
  name: 'administration',
  // Staff accounts are not portal accounts: they are made by a functional administrator (or the
  // `inzage admin staff add` command), never by a link code, they carry one role, and they can never
  // hold a SMART token for /fhir. A staff member logs in with a password and a second factor (TOTP)
  // or through the organisation's own OpenID Connect provider (oidc_issuer + oidc_subject).
  // A staff member works for one organisation and sees only its clients.
  // Rows are never deleted: a blocked staff account stays, so the audit trail can name who acted.
  //
  // staff_session: the console's sessions. Only a hash of the session cookie is kept, so a copy of
  // the table opens no session. second_factor_at is set once the second factor (or the federated
  // login) is done; a session without it may only finish the login.
  //
  // smart_client (owned by src/auth): portal apps registered at run time by the admin API, beside
  // the static clients of the configuration. The secret is shown once and only its hash is kept.
  //
  // terms_version (owned by src/auth): the terms versions an organisation published. The login
  // pages ask for the newest one in effect; without one, the configured version holds.
  up: `
    CREATE TABLE staff_account (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('functional-administrator', 'privacy-officer', 'support-desk')),
      password_hash text,
      totp_secret text,
      totp_last_step bigint,
      oidc_issuer text,
      oidc_subject text,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      blocked_at timestamptz
    );
    CREATE UNIQUE INDEX staff_account_oidc ON staff_account (oidc_issuer, oidc_subject)
      WHERE oidc_subject IS NOT NULL;

    CREATE TABLE staff_session (
      id_hash text PRIMARY KEY,
      staff_id text NOT NULL REFERENCES staff_account (id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      second_factor_at timestamptz,
      ended_at timestamptz
    );
    CREATE INDEX staff_session_staff ON staff_session (staff_id);

    CREATE TABLE smart_client (
      id text PRIMARY KEY,
      metadata jsonb NOT NULL,
      secret_hash text,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      updated_at timestamptz NOT NULL,
      disabled_at timestamptz
    );

    CREATE TABLE terms_version (
      organisation_id text NOT NULL,
      version text NOT NULL,
      effective_from timestamptz NOT NULL,
      summary text NOT NULL,
      published_at timestamptz NOT NULL,
      published_by text NOT NULL,
      PRIMARY KEY (organisation_id, version)
    );
  `,
};
