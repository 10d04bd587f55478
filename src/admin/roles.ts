/**
 * The roles of the care organisation's staff (issue 12, item 1). One role per staff account; each
 * operation names the roles that may run it, so that "who may do what" is read in one place (the
 * operation's definition) and documented in the OpenAPI document from there.
 */
export const STAFF_ROLES = ['functional-administrator', 'privacy-officer', 'support-desk'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The role's name as the console shows it. */
export const STAFF_ROLE_LABELS: Readonly<Record<StaffRole, { nl: string; en: string }>> = {
  'functional-administrator': { nl: 'Functioneel beheerder', en: 'Functional administrator' },
  'privacy-officer': { nl: 'Privacy officer (reviewer)', en: 'Privacy officer (reviewer)' },
  'support-desk': { nl: 'Servicedesk', en: 'Support desk' },
};

/** Every role: for the operations anyone on the staff may run (reading a client's access). */
export const ANY_STAFF: readonly StaffRole[] = STAFF_ROLES;
/** Reading and explaining: the reviewer changes nothing, but sees everything the others see. */
export const READERS: readonly StaffRole[] = STAFF_ROLES;
/** Changes to who has access: the functional administrator only. */
export const ACCESS_MANAGERS: readonly StaffRole[] = ['functional-administrator'];
/**
 * The daily help to clients and relatives: link codes, and blocking an account whose credentials
 * were reported lost (M-6 asks for that at once, and the support desk takes the call).
 */
export const HELPERS: readonly StaffRole[] = ['functional-administrator', 'support-desk'];

export function isStaffRole(text: string): text is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(text);
}
