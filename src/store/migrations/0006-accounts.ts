import type { Migration } from '../types';

/** Portal accounts, their links to clients, link codes and verification codes (issue 9, item 4). */
export const accounts: Migration = {
  version: 6,
  name: 'accounts',
  // the organisation hands out a link code bound to one client and one role; only its keyed
  // hash is kept. M-14: an account is only ever made by redeeming such a code, so every account row
  // has at least one account_link that names the code it came from. Rows are never deleted: a used,
  // revoked or expired code and an ended link stay, so the audit trail can say how access began.
  // The TOTP secret is stored as is: the server must read it to check a code (a known limitation,
  // see src/auth/accounts/README.md).
  up: `
    CREATE TABLE link_code (
      id text PRIMARY KEY,
      code_hash text NOT NULL UNIQUE,
      organisation_id text NOT NULL,
      patient_reference text NOT NULL,
      person_reference text NOT NULL,
      issued_by text NOT NULL,
      issued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      revoked_by text
    );
    CREATE INDEX link_code_patient ON link_code (organisation_id, patient_reference);

    CREATE TABLE account (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      email_verified_at timestamptz,
      mobile text NOT NULL,
      mobile_verified_at timestamptz,
      password_hash text NOT NULL,
      totp_secret text,
      totp_last_step bigint,
      created_at timestamptz NOT NULL,
      blocked_at timestamptz
    );

    CREATE TABLE account_link (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES account (id),
      organisation_id text NOT NULL,
      person_reference text NOT NULL,
      patient_reference text NOT NULL,
      link_code_id text NOT NULL UNIQUE REFERENCES link_code (id),
      linked_at timestamptz NOT NULL,
      ended_at timestamptz
    );
    CREATE INDEX account_link_account ON account_link (account_id);
    CREATE UNIQUE INDEX account_link_current
      ON account_link (account_id, organisation_id, person_reference, patient_reference)
      WHERE ended_at IS NULL;

    CREATE TABLE verification_code (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES account (id),
      purpose text NOT NULL CHECK (purpose IN ('verify-email', 'verify-mobile', 'login')),
      destination text NOT NULL,
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      closed_at timestamptz,
      outcome text CHECK (outcome IN ('verified', 'superseded', 'exhausted'))
    );
    CREATE INDEX verification_code_open ON verification_code (account_id, purpose) WHERE closed_at IS NULL;
  `,
};
