import type { Migration } from '../types';

/** The request desk (issue 12, item 5). Owned by src/fhir (the request channel). */
export const requestDesk: Migration = {
  version: 13,
  name: 'request-desk',
  // Which staff member handles a request of the request channel (M-9, M-10). Kept beside the Task,
  // not in it: the requester reads the Task through the FHIR API, and employees' identities stay
  // out of portal responses; Task.owner remains the organisation. One row per Task, replaced
  // by a new assignment; who assigned whom when is in the audit trail.
  up: `
    CREATE TABLE request_assignment (
      task_id text PRIMARY KEY,
      organisation_id text NOT NULL,
      staff_id text NOT NULL,
      staff_name text NOT NULL,
      assigned_at timestamptz NOT NULL,
      assigned_by text NOT NULL
    );
    CREATE INDEX request_assignment_staff ON request_assignment (organisation_id, staff_id);
  `,
};
