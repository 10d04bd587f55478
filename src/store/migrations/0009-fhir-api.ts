import type { Migration } from '../types';

/** The FHIR API (issue 10): where each client's dossier is found upstream. Owned by src/fhir. */
export const fhirApi: Migration = {
  version: 9,
  name: 'fhir-api',
  // A client's Patient in the gateway and the dossier's Patient upstream are linked by the ECD client
  // number that both carry. The link is resolved through the upstream once and kept here, with the
  // identifier it was resolved from: when the gateway's Patient carries another number (an ECD
  // correction), the kept link no longer applies and is resolved again. One row per gateway Patient;
  // an upstream Patient serves at most one client (UNIQUE), so two clients can never share a dossier.
  up: `
    CREATE TABLE fhir_patient_link (
      patient_id text PRIMARY KEY,
      organisation_id text NOT NULL,
      identifier_system text NOT NULL,
      identifier_value text NOT NULL,
      upstream_id text NOT NULL,
      resolved_at timestamptz NOT NULL,
      UNIQUE (upstream_id)
    );
  `,
};
