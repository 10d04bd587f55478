import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../auth';
import { Conflict, InvalidInput } from '../../errors';
import type { Queryable } from '../../store';
import { isStaffRole, type StaffRole } from '../roles';

/** A staff member of a care organisation (never a portal account; see migration 11). */
export interface StaffAccount {
  readonly id: string;
  readonly organisationId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  /** Whether a password is set (the hash itself never leaves this file). */
  readonly hasPassword: boolean;
  /** Whether a second factor (TOTP) is enrolled. */
  readonly hasSecondFactor: boolean;
  /** The organisation's OpenID Connect provider and subject, for a federated login. */
  readonly oidc?: { readonly issuer: string; readonly subject: string };
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly blockedAt?: Date;
}

export interface NewStaffAccount {
  readonly organisationId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  /** Absent: a federated-only account, or one whose password is set at enrolment. */
  readonly password?: string;
  readonly totpSecret?: string;
  readonly oidc?: { readonly issuer: string; readonly subject: string };
  /** Who made it: 'staff:<id>' or 'command'. */
  readonly createdBy: string;
  readonly at?: Date;
}

interface StaffRow extends Record<string, unknown> {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  totp_secret: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: Date;
  created_by: string;
  blocked_at: Date | null;
}

const COLUMNS =
  'id, organisation_id, email, name, role, password_hash, totp_secret, oidc_issuer, oidc_subject, created_at, created_by, blocked_at';

function accountOf(row: StaffRow): StaffAccount {
  if (!isStaffRole(row.role)) throw new Error(`staff account ${row.id} has an unknown role`);
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.name,
    role: row.role,
    hasPassword: row.password_hash !== null,
    hasSecondFactor: row.totp_secret !== null,
    ...(row.oidc_issuer && row.oidc_subject
      ? { oidc: { issuer: row.oidc_issuer, subject: row.oidc_subject } }
      : {}),
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.blocked_at ? { blockedAt: row.blocked_at } : {}),
  };
}

export function normaliseStaffEmail(email: string): string {
  const text = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text))
    throw new InvalidInput('not an e-mail address', { code: 'ERR_STAFF_EMAIL' });
  return text;
}

/** Makes a staff account; Conflict (409) when the e-mail address is taken. */
export async function createStaffAccount(q: Queryable, input: NewStaffAccount): Promise<StaffAccount> {
  const email = normaliseStaffEmail(input.email);
  const name = input.name.trim();
  if (!name) throw new InvalidInput('a staff account needs a name', { code: 'ERR_STAFF_NAME' });
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const rows = await q.query<StaffRow>(
    `INSERT INTO staff_account (id, organisation_id, email, name, role, password_hash, totp_secret,
       oidc_issuer, oidc_subject, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (email) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      `staff-${randomUUID()}`,
      input.organisationId,
      email,
      name,
      input.role,
      passwordHash,
      input.totpSecret ?? null,
      input.oidc?.issuer ?? null,
      input.oidc?.subject ?? null,
      input.at ?? new Date(),
      input.createdBy,
    ],
  );
  const row = rows[0];
  if (row === undefined)
    throw new Conflict('a staff account with this e-mail address exists', { code: 'ERR_STAFF_EXISTS' });
  return accountOf(row);
}

export async function staffById(q: Queryable, id: string): Promise<StaffAccount | undefined> {
  const rows = await q.query<StaffRow>(`SELECT ${COLUMNS} FROM staff_account WHERE id = $1`, [id]);
  return rows[0] ? accountOf(rows[0]) : undefined;
}

export async function staffByEmail(q: Queryable, email: string): Promise<StaffAccount | undefined> {
  const rows = await q.query<StaffRow>(`SELECT ${COLUMNS} FROM staff_account WHERE email = $1`, [
    email.trim().toLowerCase(),
  ]);
  return rows[0] ? accountOf(rows[0]) : undefined;
}

export async function staffOfOrganisation(q: Queryable, organisationId: string): Promise<StaffAccount[]> {
  const rows = await q.query<StaffRow>(
    `SELECT ${COLUMNS} FROM staff_account WHERE organisation_id = $1 ORDER BY name, email`,
    [organisationId],
  );
  return rows.map(accountOf);
}

/** The stored password hash and TOTP secret, for the login only. */
export async function staffCredentials(
  q: Queryable,
  id: string,
): Promise<{ passwordHash?: string; totpSecret?: string; totpLastStep?: number } | undefined> {
  const rows = await q.query<{
    password_hash: string | null;
    totp_secret: string | null;
    totp_last_step: string | null;
  }>('SELECT password_hash, totp_secret, totp_last_step FROM staff_account WHERE id = $1', [id]);
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    ...(row.password_hash ? { passwordHash: row.password_hash } : {}),
    ...(row.totp_secret ? { totpSecret: row.totp_secret } : {}),
    ...(row.totp_last_step !== null ? { totpLastStep: Number(row.totp_last_step) } : {}),
  };
}
