/**
 * Seeing why (issue 12, item 8): who has access to a client's portal now and why, the coming changes
 * of that access, and what the organisation must still decide. All reads, for every staff role
 * (the privacy officer too), and for the organisation's systems with system/Patient.rs. Every answer
 * comes from the policy engine itself (its decisions and their basis), so what staff are told is
 * what the gateway does.
 */
import type { AnyAdminOperation } from '../../operation';
import { clientAuditLog } from './audit-log';
import { clientAccess } from './client-access';
import { needsDecision } from './decisions';
import { accessTimeline } from './timeline';

export * from './audit-log';
export * from './client-access';
export * from './decisions';
export * from './timeline';
export type { BasisItem } from './shared';

export const INSIGHT_OPERATIONS: readonly AnyAdminOperation[] = [
  clientAccess as AnyAdminOperation,
  accessTimeline as AnyAdminOperation,
  needsDecision as AnyAdminOperation,
  clientAuditLog as AnyAdminOperation,
];
