import type { AnyAdminOperation } from '../operation';
import { findClients, whoAmI } from './clients';
import { ONBOARDING_OPERATIONS } from './onboarding';
import { MAINTENANCE_OPERATIONS } from './maintenance';
import { REQUEST_OPERATIONS } from './requests';
import { TERMS_OPERATIONS } from './terms';
import { INSIGHT_OPERATIONS } from './insight';
import { APP_OPERATIONS } from './apps';
import { STAFF_OPERATIONS } from './staff';
import { ACCESS_OPERATIONS } from './access';

/**
 * Every admin operation, in the order the OpenAPI document lists them. Each area's file exports its
 * operations as one array; add it here.
 */
export const ADMIN_OPERATIONS: readonly AnyAdminOperation[] = [
  whoAmI as AnyAdminOperation,
  findClients as AnyAdminOperation,
  ...ACCESS_OPERATIONS,
  ...ONBOARDING_OPERATIONS,
  ...(MAINTENANCE_OPERATIONS as unknown as AnyAdminOperation[]),
  ...(TERMS_OPERATIONS as AnyAdminOperation[]),
  ...(REQUEST_OPERATIONS as AnyAdminOperation[]),
  ...INSIGHT_OPERATIONS,
  ...(APP_OPERATIONS as readonly AnyAdminOperation[]),
  ...STAFF_OPERATIONS,
];

export { clientOfCaller, clientName } from './client-scope';
