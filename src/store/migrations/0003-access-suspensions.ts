import type { Migration } from '../types';

export const accessSuspensions: Migration = {
  version: 3,
  name: 'access-suspensions',
  // M-5 and A-10: the organisation suspends or ends one person's access to one client's portal, or
  // closes the client's whole portal; from a moment, until a moment or until lifted. Rows are never
  // deleted: lifting sets lifted_at, so the audit trail can say when access came back.
  up: `
    CREATE TABLE access_suspension (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      patient_id text NOT NULL,
      principal text,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz,
      lifted_at timestamptz,
      reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX access_suspension_patient ON access_suspension (patient_id);
  `,
};
