/**
 * The administration API for the care organisation's staff and security reviewers: the audit trail
 * (search, read, NDJSON export, the chain check) under /admin, for registered backend clients with
 * a Backend Services token and `system/AuditEvent.rs`. Every request to it is itself recorded in the
 * audit trail. It reads the trail through src/audit only; the FHIR API is not involved.
 */
export { createAdminApi, type AdminApi, type AdminApiDependencies } from './audit-routes';
export { ADMIN_AUDIT_SCOPES, adminCaller, authoriseAuditReader, type AdminCaller } from './access';
