import type { Migration } from '../types';

/** Re-enrolment after lost credentials (issue 12, M-6). Owned by src/auth. */
export const access: Migration = {
  version: 15,
  name: 'access',
  // account.reenrol_link_code_id: the link code the organisation issued to let a blocked account
  // re-enrol (reenrolAccount). Registering with exactly that code and the account's e-mail address
  // sets a new password, a new mobile number and no second factor (to be enrolled anew), and lifts
  // the block; any other code still meets the block.
  up: `
    ALTER TABLE account ADD COLUMN reenrol_link_code_id text;
  `,
};
