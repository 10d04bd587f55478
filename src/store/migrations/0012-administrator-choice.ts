import type { Migration } from '../types';

/**
 * The organisation's own choice of a client's portal administrator (issue 12, item 3; A-3), made by
 * staff where the rules leave one (two parents with authority, two curators). Owned by src/ecd, next
 * to portal_registration: the ECD import owns that table and ends every registration its export does
 * not list, so a choice made in the console would be undone by the next import; here it is kept
 * apart, and `administratorRegistrationsOf` reads both (a standing choice replaces the ECD's
 * registrations for that client). Rows are never deleted: a replaced choice is ended, so the audit
 * trail can say who was administrator when.
 */
export const administratorChoice: Migration = {
  version: 12,
  name: 'administrator-choice',
  up: `
    CREATE TABLE administrator_choice (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      patient_id text NOT NULL,
      person_reference text NOT NULL CHECK (person_reference LIKE 'RelatedPerson/%'),
      chosen_by text NOT NULL,
      chosen_at timestamptz NOT NULL,
      reason text NOT NULL,
      ended_at timestamptz,
      ended_by text
    );
    CREATE UNIQUE INDEX administrator_choice_current ON administrator_choice (patient_id) WHERE ended_at IS NULL;
  `,
};
