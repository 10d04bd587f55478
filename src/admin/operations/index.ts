import type { AnyAdminOperation } from '../operation';
import { ACCESS_OPERATIONS } from './access';
import { findClients, whoAmI } from './clients';

/**
 * Every admin operation, in the order the OpenAPI document lists them. Each area's file exports its
 * operations as one array; add it here.
 */
export const ADMIN_OPERATIONS: readonly AnyAdminOperation[] = [
  whoAmI as AnyAdminOperation,
  findClients as AnyAdminOperation,
  ...ACCESS_OPERATIONS,
];

export { clientOfCaller, clientName } from './client-scope';
