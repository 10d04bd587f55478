import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidInput } from '../../errors';
import type { Queryable } from '../../store';
import {
  parsePatientReference,
  parsePersonReference,
  type PatientReference,
  type PersonReference,
} from '../../vocabulary';
import { AccountBlocked, AccountExists } from './errors';
import { redeemLinkCode, type LinkCodeBinding } from './link-codes';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords';
import { AccountSecret } from './secret';

/**
 * Portal accounts and their links to clients. M-14: the only way to make an account is
 * registerAccount, which redeems a link code in the same transaction, so there is no account without
 * an explicit registration. One account may be linked to several clients (a parent of two children),
 * each link from a code of its own. All SQL on account and account_link is here.
 */

export interface AccountLink {
  readonly id: string;
  readonly accountId: string;
  readonly organisationId: string;
  readonly person: PersonReference;
  readonly patient: PatientReference;
  readonly linkedAt: Date;
  readonly endedAt?: Date;
}

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly emailVerifiedAt?: Date;
  readonly mobile: string;
  readonly mobileVerifiedAt?: Date;
  readonly createdAt: Date;
  readonly blockedAt?: Date;
  readonly hasTotp: boolean;
}

export interface RegisterAccountInput {
  readonly linkCode: string;
  readonly email: string;
  readonly mobile: string;
  readonly password: string;
  readonly at: Date;
}

export interface Registration {
  /**
   * 'created': a new account; 'linked': an existing account (same e-mail, its password) got a link;
   * 'reenrolled': a blocked account re-enrolled with the code the organisation issued for it (M-6):
   * a new password and mobile number, its addresses to be verified and its second factor enrolled anew.
   */
  readonly outcome: 'created' | 'linked' | 'reenrolled';
  readonly account: Account;
  readonly link: AccountLink;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** An e-mail address as stored: trimmed and lower-cased (addresses are compared that way). */
export function normaliseEmail(text: string): string {
  const email = text.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    throw new InvalidInput('not an e-mail address', { code: 'ERR_INVALID_EMAIL' });
  return email;
}

/**
 * A mobile number in E.164 (+31612345678). Accepts the Dutch ways of writing one (06-12345678,
 * 0031 6 …) and international numbers with a leading +.
 */
export function normaliseMobile(text: string): string {
  const compact = text.replace(/[\s().-]/g, '');
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  const e164 = /^06[0-9]{8}$/.test(international) ? `+31${international.slice(1)}` : international;
  if (!/^\+[1-9][0-9]{7,14}$/.test(e164) || (e164.startsWith('+31') && !/^\+316[0-9]{8}$/.test(e164))) {
    throw new InvalidInput('not a mobile number', { code: 'ERR_INVALID_MOBILE' });
  }
  return e164;
}

type AccountRow = {
  id: string;
  email: string;
  email_verified_at: Date | null;
  mobile: string;
  mobile_verified_at: Date | null;
  password_hash: string;
  totp_secret: string | null;
  created_at: Date;
  blocked_at: Date | null;
};

const ACCOUNT_COLUMNS =
  'id, email, email_verified_at, mobile, mobile_verified_at, password_hash, totp_secret, created_at, blocked_at';

function accountOf(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    ...(row.email_verified_at ? { emailVerifiedAt: row.email_verified_at } : {}),
    mobile: row.mobile,
    ...(row.mobile_verified_at ? { mobileVerifiedAt: row.mobile_verified_at } : {}),
    createdAt: row.created_at,
    ...(row.blocked_at ? { blockedAt: row.blocked_at } : {}),
    hasTotp: row.totp_secret !== null,
  };
}

type LinkRow = {
  id: string;
  account_id: string;
  organisation_id: string;
  person_reference: string;
  patient_reference: string;
  linked_at: Date;
  ended_at: Date | null;
};

function linkOf(row: LinkRow): AccountLink {
  return {
    id: row.id,
    accountId: row.account_id,
    organisationId: row.organisation_id,
    person: parsePersonReference(row.person_reference).reference,
    patient: parsePatientReference(row.patient_reference).reference,
    linkedAt: row.linked_at,
    ...(row.ended_at ? { endedAt: row.ended_at } : {}),
  };
}

async function accountRowByEmail(
  tx: Queryable,
  email: string,
  lock = false,
): Promise<AccountRow | undefined> {
  const [row] = await tx.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM account WHERE email = $1${lock ? ' FOR UPDATE' : ''}`,
    [email],
  );
  return row;
}

/** The account with this e-mail address, if any (for login: see verifyAgainstNoAccount). */
export async function findAccountByEmail(tx: Queryable, email: string): Promise<Account | undefined> {
  const row = await accountRowByEmail(tx, normaliseEmail(email));
  return row && accountOf(row);
}

/** The account with this id, if any. */
export async function accountById(tx: Queryable, accountId: string): Promise<Account | undefined> {
  const [row] = await tx.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM account WHERE id = $1`, [
    accountId,
  ]);
  return row && accountOf(row);
}

/** The stored password hash of an account, for login. */
export async function passwordHashOf(tx: Queryable, accountId: string): Promise<string | undefined> {
  const [row] = await tx.query<{ password_hash: string }>('SELECT password_hash FROM account WHERE id = $1', [
    accountId,
  ]);
  return row?.password_hash;
}

/** Replaces the password hash (a rehash after needsRehash, or a password change). */
export async function setPasswordHash(tx: Queryable, accountId: string, hash: string): Promise<void> {
  await tx.query('UPDATE account SET password_hash = $2 WHERE id = $1', [accountId, hash]);
}

/** The account's links to clients; current ones only unless `includeEnded`. */
export async function linksOfAccount(
  tx: Queryable,
  accountId: string,
  includeEnded = false,
): Promise<AccountLink[]> {
  const rows = await tx.query<LinkRow>(
    `SELECT id, account_id, organisation_id, person_reference, patient_reference, linked_at, ended_at
     FROM account_link WHERE account_id = $1${includeEnded ? '' : ' AND ended_at IS NULL'}
     ORDER BY linked_at, id`,
    [accountId],
  );
  return rows.map(linkOf);
}

/**
 * The current links to one client (`Patient/<gateway id>`): every account that reads the client's
 * dossier, as the client or as a relation; for a breach report's notifications.
 */
export async function linksOfPatient(tx: Queryable, patient: PatientReference): Promise<AccountLink[]> {
  const rows = await tx.query<LinkRow>(
    `SELECT id, account_id, organisation_id, person_reference, patient_reference, linked_at, ended_at
     FROM account_link WHERE patient_reference = $1 AND ended_at IS NULL
     ORDER BY linked_at, id`,
    [patient],
  );
  return rows.map(linkOf);
}

async function insertLink(
  tx: Queryable,
  accountId: string,
  codeId: string,
  binding: LinkCodeBinding,
  at: Date,
): Promise<AccountLink> {
  const [existing] = await tx.query<{ id: string }>(
    `SELECT id FROM account_link WHERE account_id = $1 AND organisation_id = $2
       AND person_reference = $3 AND patient_reference = $4 AND ended_at IS NULL`,
    [accountId, binding.organisationId, binding.person, binding.patient],
  );
  if (existing !== undefined) {
    throw new AccountExists({
      detail: `account ${accountId} is already linked as ${binding.person} to ${binding.patient}`,
    });
  }
  const [row] = await tx.query<LinkRow>(
    `INSERT INTO account_link (id, account_id, organisation_id, person_reference, patient_reference, link_code_id, linked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING id, account_id, organisation_id, person_reference, patient_reference, linked_at, ended_at`,
    [`link-${randomUUID()}`, accountId, binding.organisationId, binding.person, binding.patient, codeId, at],
  );
  return linkOf(row!);
}

/**
 * Registers with a link code (M-14, A-9): redeems the code and creates the account and its first
 * link, or, when an account with this e-mail address exists and the password is its password, adds
 * a link to it. Run it in one transaction: any refusal after the redeem rolls the code back too.
 * The new account's e-mail address and mobile number are unverified until verifyCode confirms them.
 */
export async function registerAccount(
  tx: Queryable,
  input: RegisterAccountInput,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<Registration> {
  const email = normaliseEmail(input.email);
  const mobile = normaliseMobile(input.mobile);
  const redeemed = await redeemLinkCode(tx, input.linkCode, input.at, secret);
  const existing = await accountRowByEmail(tx, email, true);
  if (existing !== undefined && existing.blocked_at !== null) {
    const reenrolment = await reenrolWith(tx, existing, redeemed.id, redeemed.binding, mobile, input);
    if (reenrolment !== undefined) return reenrolment;
  }
  if (existing !== undefined) {
    if (!(await verifyPassword(input.password, existing.password_hash))) {
      throw new AccountExists({ detail: `registration for ${existing.id} with another password` });
    }
    if (existing.blocked_at !== null) throw new AccountBlocked({ detail: existing.id });
    const link = await insertLink(tx, existing.id, redeemed.id, redeemed.binding, input.at);
    return { outcome: 'linked', account: accountOf(existing), link };
  }
  assertPasswordPolicy(input.password);
  const id = `account-${randomUUID()}`;
  const [row] = await tx.query<AccountRow>(
    `INSERT INTO account (id, email, mobile, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING
     RETURNING ${ACCOUNT_COLUMNS}`,
    [id, email, mobile, await hashPassword(input.password), input.at],
  );
  // A concurrent registration with the same address got there first.
  if (row === undefined) throw new AccountExists({ detail: `concurrent registration of ${email}` });
  const link = await insertLink(tx, id, redeemed.id, redeemed.binding, input.at);
  return { outcome: 'created', account: accountOf(row), link };
}

/**
 * M-6: the re-enrolment of a blocked account with the link code the organisation issued for it
 * (reenrolAccount): the code is the organisation's word that the person proved who they are, so the
 * old password does not count. Sets the new password and mobile number, forgets the second factor
 * and the verifications (the pages verify both addresses and enrol a factor next), and lifts the
 * block. Undefined when the code is not this account's re-enrolment code.
 */
async function reenrolWith(
  tx: Queryable,
  existing: AccountRow,
  codeId: string,
  binding: LinkCodeBinding,
  mobile: string,
  input: RegisterAccountInput,
): Promise<Registration | undefined> {
  const [pending] = await tx.query<{ reenrol_link_code_id: string | null }>(
    'SELECT reenrol_link_code_id FROM account WHERE id = $1',
    [existing.id],
  );
  if (pending?.reenrol_link_code_id !== codeId) return undefined;
  assertPasswordPolicy(input.password);
  const [row] = await tx.query<AccountRow>(
    `UPDATE account SET password_hash = $2, mobile = $3, totp_secret = NULL, totp_last_step = NULL,
       email_verified_at = NULL, mobile_verified_at = NULL, blocked_at = NULL, reenrol_link_code_id = NULL
     WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
    [existing.id, await hashPassword(input.password), mobile],
  );
  const [current] = await tx.query<LinkRow>(
    `SELECT id, account_id, organisation_id, person_reference, patient_reference, linked_at, ended_at
     FROM account_link WHERE account_id = $1 AND organisation_id = $2 AND person_reference = $3
       AND patient_reference = $4 AND ended_at IS NULL`,
    [existing.id, binding.organisationId, binding.person, binding.patient],
  );
  const link = current ? linkOf(current) : await insertLink(tx, existing.id, codeId, binding, input.at);
  return { outcome: 'reenrolled', account: accountOf(row!), link };
}

/** One link with its account's state: what a token for this link is about (oidc-provider's accountId). */
export interface LinkWithAccount {
  readonly link: AccountLink;
  readonly account: Account;
}

/** The link with this id and its account, ended or not; undefined when there is none. */
export async function linkById(tx: Queryable, linkId: string): Promise<LinkWithAccount | undefined> {
  const [row] = await tx.query<LinkRow & { [column: string]: unknown }>(
    `SELECT id, account_id, organisation_id, person_reference, patient_reference, linked_at, ended_at
     FROM account_link WHERE id = $1`,
    [linkId],
  );
  if (row === undefined) return undefined;
  const [accountRow] = await tx.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM account WHERE id = $1`, [
    row.account_id,
  ]);
  if (accountRow === undefined) return undefined;
  return { link: linkOf(row), account: accountOf(accountRow) };
}

export interface ExternalRegistrationInput {
  readonly linkCode: string;
  /** Only for a new person: the address and number a registration asks. */
  readonly email?: string;
  readonly mobile?: string;
  readonly at: Date;
}

export interface ExternalRegistration {
  /** 'existing': the account that already holds the code's binding; 'created': a new account. */
  readonly outcome: 'existing' | 'created';
  readonly account: Account;
  readonly linkCodeId: string;
  /** Whom the code was for: the client, the person and the organisation of the link. */
  readonly binding: LinkCodeBinding;
}

/**
 * Registration for a login through an external identity provider (issue 9, item 5; M-14: the link
 * code is the registration). Redeems the code; the account it belongs to is the one account that
 * already holds a current link of the code's binding (the organisation handed the person a new code
 * to add a way in); without one, a new account is made with that link from the e-mail address and
 * mobile number, and a random password nobody knows, so that it logs in through its provider only.
 * The caller stores the identity in the same transaction. Refusals: LinkCodeRefused, AccountBlocked,
 * AccountExists (the e-mail address is another account's), InvalidInput (no e-mail or mobile).
 */
export async function registerExternalLogin(
  tx: Queryable,
  input: ExternalRegistrationInput,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<ExternalRegistration> {
  const redeemed = await redeemLinkCode(tx, input.linkCode, input.at, secret);
  const { organisationId, person, patient } = redeemed.binding;
  const holders = await tx.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS.replace(/(\w+)/g, 'a.$1')} FROM account a
     WHERE a.id IN (SELECT account_id FROM account_link WHERE organisation_id = $1
       AND person_reference = $2 AND patient_reference = $3 AND ended_at IS NULL)
     FOR UPDATE OF a`,
    [organisationId, person, patient],
  );
  if (holders.length === 1) {
    const holder = holders[0]!;
    if (holder.blocked_at !== null) throw new AccountBlocked({ detail: holder.id });
    return {
      outcome: 'existing',
      account: accountOf(holder),
      linkCodeId: redeemed.id,
      binding: redeemed.binding,
    };
  }
  if (holders.length > 1) {
    // Two accounts for one person and client: which one is meant is for the organisation to say.
    throw new AccountExists({ detail: `${holders.length} accounts hold ${person} for ${patient}` });
  }
  if (!input.email || !input.mobile) {
    throw new InvalidInput('a new account needs an e-mail address and a mobile number', {
      code: 'ERR_REGISTRATION_INCOMPLETE',
    });
  }
  const email = normaliseEmail(input.email);
  const mobile = normaliseMobile(input.mobile);
  const id = `account-${randomUUID()}`;
  const [row] = await tx.query<AccountRow>(
    `INSERT INTO account (id, email, mobile, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING
     RETURNING ${ACCOUNT_COLUMNS}`,
    [id, email, mobile, await hashPassword(randomBytes(32).toString('base64url')), input.at],
  );
  if (row === undefined) throw new AccountExists({ detail: `external registration with ${email}` });
  await insertLink(tx, id, redeemed.id, redeemed.binding, input.at);
  return { outcome: 'created', account: accountOf(row), linkCodeId: redeemed.id, binding: redeemed.binding };
}
