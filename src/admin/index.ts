/**
 * The care organisation's administration (issue 12): staff accounts with roles, the admin
 * operations (src/admin/operations), and three ways to run them over the same definitions: the HTTP
 * API under /admin (described at /admin/openapi.json), the console under /admin/console, and the
 * `inzage admin` commands. Every operation is authorised by role or system scope, checked against
 * its schemas both ways, and recorded in the audit trail with the staff member, role and reason.
 * The audit trail's reviewer routes (/admin/audit) sit beside them.
 */
export { createAdminApi, type AdminApi, type AdminApiDependencies } from './audit-routes';
export { ADMIN_AUDIT_SCOPES, adminCaller, authoriseAuditReader } from './access';
export { createAdministration, type AdministrationOptions } from './administration';
export { ADMIN_OPERATIONS } from './operations';
export { invokeOperation, mayRun, type Invocation } from './invoke';
export { openApiDocument } from './openapi';
export { ADMIN_BASE } from './api';
export {
  defineOperation,
  type AdminOperation,
  type AdminServices,
  type AnyAdminOperation,
  type DeskRequest,
  type JsonSchema,
  type OperationContext,
  type RequestDesk,
} from './operation';
export type { AdminCaller, StaffCaller, SystemCaller } from './caller';
export { STAFF_ROLES, STAFF_ROLE_LABELS, isStaffRole, type StaffRole } from './roles';
export {
  createStaffAccount,
  staffByEmail,
  staffById,
  staffOfOrganisation,
  openStaffSession,
  csrfTokenOf,
  issueEnrolmentCode,
  setStaffPassword,
  sealStaffTotp,
  STAFF_SESSION_COOKIE,
  type StaffAccount,
  type NewStaffAccount,
} from './staff';
export { CONSOLE_BASE } from './console';
