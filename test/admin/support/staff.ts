import {
  createStaffAccount,
  openStaffSession,
  STAFF_SESSION_COOKIE,
  type StaffAccount,
  type StaffRole,
} from '../../../src/admin';
import type { Store } from '../../../src/store';

let made = 0;

export interface StaffLogin {
  readonly staff: StaffAccount;
  /** The Cookie header of a session with the second factor done. */
  readonly cookie: string;
  /** The session's CSRF token, read from an API answer's X-CSRF-Token header. */
  csrf(base: string): Promise<string>;
}

/**
 * A staff member of `organisationId` with a fully logged-in console session, made in the database
 * (the login pages have their own tests): for tests of operations and pages.
 */
export async function staffLogin(
  store: Store,
  role: StaffRole,
  options: { organisationId?: string; name?: string } = {},
): Promise<StaffLogin> {
  made += 1;
  const staff = await createStaffAccount(store, {
    organisationId: options.organisationId ?? 'meerzicht',
    email: `staff-${role}-${made}-${process.pid}@example.org`,
    name: options.name ?? `Medewerker ${made}`,
    role,
    createdBy: 'test',
  });
  const token = await openStaffSession(store, staff.id, { secondFactorDone: true });
  const cookie = `${STAFF_SESSION_COOKIE}=${token}`;
  return {
    staff,
    cookie,
    async csrf(base) {
      const res = await fetch(`${base}/admin/me`, { headers: { cookie } });
      const token = res.headers.get('x-csrf-token');
      if (!token) throw new Error(`no X-CSRF-Token from /admin/me (${res.status})`);
      return token;
    },
  };
}
