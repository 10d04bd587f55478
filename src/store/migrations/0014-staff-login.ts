import type { Migration } from '../types';

/** The console's staff login (issue 12, item 1). Owned by src/admin. */
export const staffLogin: Migration = {
  version: 14,
  name: 'staff-login',
  // A new staff member sets their own password with a one-time enrolment code, shown once to
  // whoever made the account: only its SHA-256 hash is kept (the code has 160 random bits), with
  // the moment it expires. Setting the password clears both, so a code works once.
  // The lockout of the login counts in login_throttle (src/auth), as the portal's login does.
  up: `
    ALTER TABLE staff_account ADD COLUMN enrolment_code_hash text;
    ALTER TABLE staff_account ADD COLUMN enrolment_expires_at timestamptz;
    CREATE UNIQUE INDEX staff_account_enrolment ON staff_account (enrolment_code_hash)
      WHERE enrolment_code_hash IS NOT NULL;
  `,
};
