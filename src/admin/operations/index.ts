import type { AnyAdminOperation } from '../operation';
import { findClients, whoAmI } from './clients';
import { STAFF_OPERATIONS } from './staff';

/**
 * Every admin operation, in the order the OpenAPI document lists them. Each area's file exports its
 * operations as one array; add it here.
 */
export const ADMIN_OPERATIONS: readonly AnyAdminOperation[] = [
  whoAmI as AnyAdminOperation,
  findClients as AnyAdminOperation,
  ...STAFF_OPERATIONS,
];

export { clientOfCaller, clientName } from './client-scope';
