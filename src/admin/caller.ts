import type { StaffRole } from './roles';

/**
 * Who runs an admin operation: a staff member (console session, the API with that session, or the
 * `inzage admin` command naming them with --as), or one of the organisation's systems with a SMART
 * Backend Services token. Either way the caller belongs to one organisation and sees only its clients.
 */
export type AdminCaller = StaffCaller | SystemCaller;

export interface StaffCaller {
  readonly kind: 'staff';
  readonly staffId: string;
  readonly name: string;
  readonly email: string;
  readonly role: StaffRole;
  readonly organisationId: string;
  /** How they came in: the console's session cookie, or the command line. */
  readonly via: 'session' | 'command';
}

export interface SystemCaller {
  readonly kind: 'system';
  /** The registered backend client. */
  readonly clientId: string;
  readonly organisationId: string;
  readonly scopes: readonly string[];
  /** The token's jti, for the record. */
  readonly tokenId?: string;
}

/** The caller as the audit trail names it (account, name, role). */
export function callerActor(caller: AdminCaller): { account: string; name?: string; role: string } {
  return caller.kind === 'staff'
    ? { account: `staff:${caller.staffId}`, name: caller.name, role: caller.role }
    : { account: `client:${caller.clientId}`, role: 'system' };
}
