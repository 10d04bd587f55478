import type { Migration } from '../types';

export const fhirResources: Migration = {
  version: 2,
  name: 'fhir-resources',
  // The gateway's own FHIR resources (Patient, RelatedPerson, Consent mapped from the ECD, later the
  // grants written through the policy engine). Every version is kept: a withdrawn Consent or an ended
  // relation must stay explainable to a reviewer, so nothing is deleted, only ended.
  up: `
    CREATE TABLE fhir_resource (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      organisation_id text NOT NULL,
      patient_id text,
      source text NOT NULL,
      source_record text,
      content_hash text NOT NULL,
      ended_at timestamptz,
      content jsonb NOT NULL,
      PRIMARY KEY (resource_type, id)
    );
    CREATE INDEX fhir_resource_patient ON fhir_resource (patient_id, resource_type);
    CREATE INDEX fhir_resource_source ON fhir_resource (organisation_id, source, resource_type);

    CREATE TABLE fhir_resource_history (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      content jsonb NOT NULL,
      PRIMARY KEY (resource_type, id, version_id)
    );

    -- Who signed up for the portal on the registration form (M-14: no account without one).
    CREATE TABLE portal_registration (
      organisation_id text NOT NULL,
      id text NOT NULL,
      client_id text NOT NULL,
      person jsonb NOT NULL,
      registered_on date NOT NULL,
      requested_role text NOT NULL,
      content_hash text NOT NULL,
      updated_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (organisation_id, id)
    );

    -- One row per ECD import or push: when, from where, what it changed.
    CREATE TABLE ecd_import (
      id bigserial PRIMARY KEY,
      organisation_id text NOT NULL,
      source text NOT NULL,
      exported_at timestamptz NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      counts jsonb NOT NULL
    );
  `,
};
