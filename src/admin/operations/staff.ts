import { Conflict, NotFound } from '../../errors';
import { defineOperation, type AnyAdminOperation, type OperationContext } from '../operation';
import { ACCESS_MANAGERS, READERS, STAFF_ROLES, type StaffRole } from '../roles';
import {
  createStaffAccount,
  endSessionsOfStaff,
  issueEnrolmentCode,
  setStaffBlocked,
  setStaffRole,
  staffById,
  staffOfOrganisation,
  type StaffAccount,
} from '../staff';

/**
 * The staff accounts of the caller's organisation (issue 12, item 1): the functional administrator
 * makes them, changes a role, blocks and unblocks; everyone on the staff may list them. A new staff
 * member sets their own password with a one-time enrolment code, shown once to the administrator
 * who made the account (only its hash is kept): nobody but the staff member ever knows the password,
 * and there is no initial password to be changed, forgotten in a mailbox or reused.
 */

const STAFF_SUMMARY = {
  type: 'object',
  required: [
    'id',
    'email',
    'name',
    'role',
    'organisationId',
    'hasPassword',
    'hasSecondFactor',
    'federated',
    'createdAt',
    'createdBy',
    'blocked',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { enum: [...STAFF_ROLES] },
    organisationId: { type: 'string' },
    hasPassword: { type: 'boolean' },
    hasSecondFactor: { type: 'boolean' },
    federated: { type: 'boolean', description: "Linked to the organisation's own identity provider." },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    blocked: { type: 'boolean' },
    blockedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export interface StaffSummary {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  organisationId: string;
  hasPassword: boolean;
  hasSecondFactor: boolean;
  federated: boolean;
  createdAt: string;
  createdBy: string;
  blocked: boolean;
  blockedAt?: string;
}

export function staffSummary(s: StaffAccount): StaffSummary {
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    role: s.role,
    organisationId: s.organisationId,
    hasPassword: s.hasPassword,
    hasSecondFactor: s.hasSecondFactor,
    federated: s.oidc !== undefined,
    createdAt: s.createdAt.toISOString(),
    createdBy: s.createdBy,
    blocked: s.blockedAt !== undefined,
    ...(s.blockedAt ? { blockedAt: s.blockedAt.toISOString() } : {}),
  };
}

/** A staff account of the caller's organisation; another organisation's is the same 404 as none. */
async function staffOfCaller(context: OperationContext, staffId: string): Promise<StaffAccount> {
  const staff = await staffById(context.services.store, staffId);
  if (staff === undefined || staff.organisationId !== context.caller.organisationId)
    throw new NotFound(`no staff account ${staffId}`, { code: 'ERR_STAFF_NOT_FOUND' });
  return staff;
}

function notSelf(context: OperationContext, staffId: string, what: string): void {
  if (context.caller.kind === 'staff' && context.caller.staffId === staffId)
    throw new Conflict(`you cannot ${what} your own account; ask another functional administrator`, {
      code: 'ERR_STAFF_SELF',
    });
}

function actorOf(context: OperationContext): string {
  return context.caller.kind === 'staff'
    ? `staff:${context.caller.staffId}`
    : `client:${context.caller.clientId}`;
}

const STAFF_ID = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$' } as const;

export const listStaff = defineOperation<Record<string, never>, { staff: StaffSummary[] }>({
  id: 'listStaff',
  method: 'get',
  path: '/staff',
  tag: 'staff',
  summary: "The staff accounts of the caller's organisation",
  roles: READERS,
  action: 'R',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    required: ['staff'],
    additionalProperties: false,
    properties: { staff: { type: 'array', items: STAFF_SUMMARY } },
  },
  command: {
    group: 'staff',
    name: 'list',
    print: (out) =>
      out.staff
        .map((s) => `${s.id}\t${s.email}\t${s.name}\t${s.role}${s.blocked ? '\t(blocked)' : ''}`)
        .join('\n'),
  },
  async run(context) {
    const all = await staffOfOrganisation(context.services.store, context.caller.organisationId);
    return { staff: all.map(staffSummary) };
  },
});

interface CreatedStaff {
  staff: StaffSummary;
  enrolmentCode: string;
  enrolmentUrl: string;
  enrolmentExpiresAt: string;
}

export const createStaff = defineOperation<
  { email: string; name: string; role: StaffRole; reason: string },
  CreatedStaff
>({
  id: 'createStaff',
  method: 'post',
  path: '/staff',
  tag: 'staff',
  summary: 'Make a staff account; the new member sets a password with the one-time enrolment code',
  description:
    'The enrolment code is in this answer only (its hash is kept); it is valid for 72 hours and works once. ' +
    'The new member opens the enrolment URL, chooses a password, then logs in and sets up TOTP.',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['email', 'name', 'role'],
    additionalProperties: false,
    properties: {
      email: { type: 'string', format: 'email', maxLength: 320 },
      name: { type: 'string', minLength: 1, maxLength: 200 },
      role: { enum: [...STAFF_ROLES] },
    },
  },
  output: {
    type: 'object',
    required: ['staff', 'enrolmentCode', 'enrolmentUrl', 'enrolmentExpiresAt'],
    additionalProperties: false,
    properties: {
      staff: STAFF_SUMMARY,
      enrolmentCode: { type: 'string', description: 'Shown once.' },
      enrolmentUrl: { type: 'string' },
      enrolmentExpiresAt: { type: 'string', format: 'date-time' },
    },
  },
  command: {
    group: 'staff',
    name: 'create',
    print: (out) =>
      `${out.staff.id}\t${out.staff.email}\t${out.staff.role}\n` +
      `enrolment (once, until ${out.enrolmentExpiresAt}): ${out.enrolmentUrl}`,
  },
  async run(context, input) {
    const { store } = context.services;
    return store.transaction(async (tx) => {
      const staff = await createStaffAccount(tx, {
        organisationId: context.caller.organisationId,
        email: input.email,
        name: input.name,
        role: input.role,
        createdBy: actorOf(context),
        at: context.now,
      });
      const { code, expiresAt } = await issueEnrolmentCode(tx, staff.id, context.now);
      return {
        staff: staffSummary(staff),
        enrolmentCode: code,
        enrolmentUrl: `${context.services.publicUrl}/admin/console/enrol?code=${encodeURIComponent(code)}`,
        enrolmentExpiresAt: expiresAt.toISOString(),
      };
    });
  },
});

export const changeStaffRole = defineOperation<
  { staffId: string; role: StaffRole; reason: string },
  { staff: StaffSummary; sessionsEnded: number }
>({
  id: 'changeStaffRole',
  method: 'put',
  path: '/staff/{staffId}/role',
  tag: 'staff',
  summary: "Change a staff member's role; their sessions end, so the new role counts at once",
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['staffId', 'role'],
    additionalProperties: false,
    properties: { staffId: STAFF_ID, role: { enum: [...STAFF_ROLES] } },
  },
  output: {
    type: 'object',
    required: ['staff', 'sessionsEnded'],
    additionalProperties: false,
    properties: { staff: STAFF_SUMMARY, sessionsEnded: { type: 'integer' } },
  },
  command: { group: 'staff', name: 'role', print: (out) => `${out.staff.email}\t${out.staff.role}` },
  async run(context, input) {
    await staffOfCaller(context, input.staffId);
    notSelf(context, input.staffId, 'change the role of');
    return context.services.store.transaction(async (tx) => {
      await setStaffRole(tx, input.staffId, input.role);
      const sessionsEnded = await endSessionsOfStaff(tx, input.staffId, context.now);
      const staff = (await staffById(tx, input.staffId))!;
      return { staff: staffSummary(staff), sessionsEnded };
    });
  },
});

export const blockStaff = defineOperation<
  { staffId: string; reason: string },
  { staff: StaffSummary; sessionsEnded: number }
>({
  id: 'blockStaff',
  method: 'post',
  path: '/staff/{staffId}/block',
  tag: 'staff',
  summary: 'Block a staff account: every session ends at once and no login succeeds',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['staffId'],
    additionalProperties: false,
    properties: { staffId: STAFF_ID },
  },
  output: {
    type: 'object',
    required: ['staff', 'sessionsEnded'],
    additionalProperties: false,
    properties: { staff: STAFF_SUMMARY, sessionsEnded: { type: 'integer' } },
  },
  command: {
    group: 'staff',
    name: 'block',
    print: (out) => `${out.staff.email}\tblocked (${out.sessionsEnded} sessions ended)`,
  },
  async run(context, input) {
    await staffOfCaller(context, input.staffId);
    notSelf(context, input.staffId, 'block');
    return context.services.store.transaction(async (tx) => {
      await setStaffBlocked(tx, input.staffId, true, context.now);
      const sessionsEnded = await endSessionsOfStaff(tx, input.staffId, context.now);
      const staff = (await staffById(tx, input.staffId))!;
      return { staff: staffSummary(staff), sessionsEnded };
    });
  },
});

export const unblockStaff = defineOperation<{ staffId: string; reason: string }, { staff: StaffSummary }>({
  id: 'unblockStaff',
  method: 'post',
  path: '/staff/{staffId}/unblock',
  tag: 'staff',
  summary: 'Unblock a staff account (they log in again; no session comes back)',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['staffId'],
    additionalProperties: false,
    properties: { staffId: STAFF_ID },
  },
  output: {
    type: 'object',
    required: ['staff'],
    additionalProperties: false,
    properties: { staff: STAFF_SUMMARY },
  },
  command: { group: 'staff', name: 'unblock', print: (out) => `${out.staff.email}\tunblocked` },
  async run(context, input) {
    await staffOfCaller(context, input.staffId);
    await setStaffBlocked(context.services.store, input.staffId, false, context.now);
    return { staff: staffSummary((await staffById(context.services.store, input.staffId))!) };
  },
});

export const STAFF_OPERATIONS: readonly AnyAdminOperation[] = [
  listStaff as AnyAdminOperation,
  createStaff as AnyAdminOperation,
  changeStaffRole as AnyAdminOperation,
  blockStaff as AnyAdminOperation,
  unblockStaff as AnyAdminOperation,
];
