import type { Migration } from '../types';

export const actors: Migration = {
  version: 4,
  name: 'actors',
  // Every write records who made it (a portal user's grant, a staff member's suspension, an ECD
  // import run), so that the audit trail can say who changed what. Rows written before this
  // migration get a marker that says so instead of a guess.
  up: `
    ALTER TABLE fhir_resource ADD COLUMN actor text NOT NULL DEFAULT 'system:before-actors';
    ALTER TABLE fhir_resource ALTER COLUMN actor DROP DEFAULT;
    ALTER TABLE fhir_resource_history ADD COLUMN actor text NOT NULL DEFAULT 'system:before-actors';
    ALTER TABLE fhir_resource_history ALTER COLUMN actor DROP DEFAULT;
    ALTER TABLE fhir_resource_history ADD COLUMN ended_at timestamptz;
    CREATE INDEX fhir_resource_history_moment ON fhir_resource_history (resource_type, id, last_updated);
    ALTER TABLE access_suspension ADD COLUMN created_by text NOT NULL DEFAULT 'system:before-actors';
    ALTER TABLE access_suspension ALTER COLUMN created_by DROP DEFAULT;
    ALTER TABLE access_suspension ADD COLUMN lifted_by text;
  `,
};
