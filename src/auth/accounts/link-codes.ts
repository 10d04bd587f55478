import { randomInt, randomUUID } from 'node:crypto';
import { addDays, dutchDate, startOfDutchDay } from '../../calendar';
import { InvalidInput } from '../../errors';
import type { Queryable } from '../../store';
import {
  actorText,
  isPatientReference,
  parsePatientReference,
  parsePersonReference,
  type Actor,
  type PatientReference,
  type PersonReference,
} from '../../vocabulary';
import { AccountSecret } from './secret';
import { LinkCodeRefused } from './errors';

/**
 * Link codes ("koppelcodes", A-9): the organisation hands one out on paper after the signed form; it
 * lets one person register (or link an existing account) for one client in one role, once, within
 * its validity. Only an HMAC of the code is stored (see AccountSecret), and all SQL on link_code is
 * here.
 */

/** Crockford's base 32: no I, L, O or U, so nothing reads as another character or spells words. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 characters of 5 bits: 60 bits, beyond online guessing and, keyed, beyond offline search. */
const CODE_LENGTH = 12;
const GROUP = 4;
/** Default validity in Dutch calendar days after the day of issue. */
export const LINK_CODE_VALID_DAYS = 14;
const HASH_PURPOSE = 'link-code';

/** Who the code lets its holder be: one person (the client or a RelatedPerson) for one client. */
export interface LinkCodeBinding {
  readonly organisationId: string;
  readonly patient: PatientReference;
  /** The client themself (equal to `patient`) or a RelatedPerson of theirs. */
  readonly person: PersonReference;
}

export interface IssuedLinkCode {
  readonly id: string;
  /** The code to print, grouped XXXX-XXXX-XXXX. Not stored: shown once, to the issuer. */
  readonly code: string;
  readonly binding: LinkCodeBinding;
  /** The last Dutch calendar day on which the code works. */
  readonly validThrough: string;
  /** The moment it stops working: the start of the day after validThrough, in Amsterdam. */
  readonly expiresAt: Date;
}

export interface RedeemedLinkCode {
  readonly id: string;
  readonly binding: LinkCodeBinding;
}

export interface IssueLinkCodeInput {
  readonly binding: LinkCodeBinding;
  readonly issuedBy: Actor;
  readonly at: Date;
  /** Calendar days after the day of issue (default 14). */
  readonly validDays?: number;
}

function checkBinding(binding: LinkCodeBinding): LinkCodeBinding {
  const patient = parsePatientReference(binding.patient).reference;
  const person = parsePersonReference(binding.person).reference;
  if (isPatientReference(person) && person !== patient) {
    throw new InvalidInput(`a link code for ${patient} cannot be for another client, ${person}`);
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(binding.organisationId)) {
    throw new InvalidInput(`not an organisation id: '${binding.organisationId.slice(0, 40)}'`);
  }
  return { organisationId: binding.organisationId, patient, person };
}

/** A fresh random code, grouped for reading aloud and typing. */
export function generateLinkCode(): string {
  const characters = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]!);
  const groups: string[] = [];
  for (let i = 0; i < CODE_LENGTH; i += GROUP) groups.push(characters.slice(i, i + GROUP).join(''));
  return groups.join('-');
}

/**
 * The code as typed, in its canonical form: case, spaces and hyphens do not matter, and O, I and L
 * are read as 0, 1 and 1 (as Crockford intends). Undefined when it cannot be a code.
 */
export function normaliseLinkCode(typed: string): string | undefined {
  const canonical = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (canonical.length !== CODE_LENGTH) return undefined;
  for (const c of canonical) if (!ALPHABET.includes(c)) return undefined;
  return canonical;
}

/** Makes a link code for one binding and stores its hash; the code itself is returned once. */
export async function issueLinkCode(
  tx: Queryable,
  input: IssueLinkCodeInput,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<IssuedLinkCode> {
  const binding = checkBinding(input.binding);
  const validDays = input.validDays ?? LINK_CODE_VALID_DAYS;
  if (!Number.isInteger(validDays) || validDays < 0 || validDays > 366) {
    throw new InvalidInput(`a link code is valid for 0 to 366 days, not ${validDays}`);
  }
  const validThrough = addDays(dutchDate(input.at), validDays);
  const expiresAt = startOfDutchDay(addDays(validThrough, 1));
  const code = generateLinkCode();
  const id = `linkcode-${randomUUID()}`;
  await tx.query(
    `INSERT INTO link_code
       (id, code_hash, organisation_id, patient_reference, person_reference, issued_by, issued_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      secret.hash(HASH_PURPOSE, normaliseLinkCode(code)!),
      binding.organisationId,
      binding.patient,
      binding.person,
      actorText(input.issuedBy),
      input.at,
      expiresAt,
    ],
  );
  return { id, code, binding, validThrough, expiresAt };
}

type BindingRow = {
  id: string;
  organisation_id: string;
  patient_reference: string;
  person_reference: string;
};

type StateRow = {
  used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date;
};

function whyRefused(state: StateRow | undefined, at: Date): string {
  if (state === undefined) return 'no such link code';
  if (state.revoked_at !== null) return `revoked at ${state.revoked_at.toISOString()}`;
  if (state.used_at !== null) return `already used at ${state.used_at.toISOString()}`;
  if (state.expires_at.getTime() <= at.getTime()) return `expired at ${state.expires_at.toISOString()}`;
  return 'refused';
}

/**
 * Uses a link code: marks it used in the same statement that checks it (so of two concurrent
 * redeems exactly one wins) and returns what it binds. Every refusal is the same LinkCodeRefused;
 * the reason is in its `detail`, for the log only. Run it in the transaction that also creates the
 * account or link, so that a failure there gives the code back.
 */
export async function redeemLinkCode(
  tx: Queryable,
  typed: string,
  at: Date,
  secret: AccountSecret = AccountSecret.fromEnvironment(),
): Promise<RedeemedLinkCode> {
  const code = normaliseLinkCode(typed);
  if (code === undefined) throw new LinkCodeRefused({ detail: 'not in the form of a link code' });
  const hash = secret.hash(HASH_PURPOSE, code);
  const [row] = await tx.query<BindingRow>(
    `UPDATE link_code SET used_at = $2
     WHERE code_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
     RETURNING id, organisation_id, patient_reference, person_reference`,
    [hash, at],
  );
  if (row === undefined) {
    const [state] = await tx.query<StateRow>(
      'SELECT used_at, revoked_at, expires_at FROM link_code WHERE code_hash = $1',
      [hash],
    );
    throw new LinkCodeRefused({ detail: whyRefused(state, at) });
  }
  return {
    id: row.id,
    binding: {
      organisationId: row.organisation_id,
      patient: parsePatientReference(row.patient_reference).reference,
      person: parsePersonReference(row.person_reference).reference,
    },
  };
}

/**
 * Revokes an unused link code (a lost letter, a mistake). True when it was revoked now; false when
 * there is no such code or it was already used or revoked.
 */
export async function revokeLinkCode(tx: Queryable, id: string, by: Actor, at: Date): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE link_code SET revoked_at = $2, revoked_by = $3
     WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`,
    [id, at, actorText(by)],
  );
  return rows.length === 1;
}

/** What staff see of an issued link code (issue 12): never the code, which is not stored. */
export interface LinkCodeRecord {
  readonly id: string;
  readonly binding: LinkCodeBinding;
  /** Who issued it, as an actor text ('staff:<id>', 'system:<component>'). */
  readonly issuedBy: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly usedAt?: Date;
  readonly revokedAt?: Date;
  readonly revokedBy?: string;
  /** At the moment asked: usable, used, revoked or expired (used and revoked before expiry counts as such). */
  readonly state: 'open' | 'used' | 'revoked' | 'expired';
}

type RecordRow = BindingRow & {
  issued_by: string;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
};

function recordOf(row: RecordRow, at: Date): LinkCodeRecord {
  const state =
    row.used_at !== null
      ? 'used'
      : row.revoked_at !== null
        ? 'revoked'
        : row.expires_at.getTime() <= at.getTime()
          ? 'expired'
          : 'open';
  return {
    id: row.id,
    binding: {
      organisationId: row.organisation_id,
      patient: parsePatientReference(row.patient_reference).reference,
      person: parsePersonReference(row.person_reference).reference,
    },
    issuedBy: row.issued_by,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    ...(row.used_at ? { usedAt: row.used_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
    state,
  };
}

const RECORD_COLUMNS = `id, organisation_id, patient_reference, person_reference, issued_by, issued_at,
  expires_at, used_at, revoked_at, revoked_by`;

/** The link codes issued for one client of one organisation, newest first; no code values. */
export async function linkCodesOfPatient(
  q: Queryable,
  organisationId: string,
  patient: PatientReference,
  at: Date,
): Promise<LinkCodeRecord[]> {
  const rows = await q.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM link_code
     WHERE organisation_id = $1 AND patient_reference = $2 ORDER BY issued_at DESC, id`,
    [organisationId, parsePatientReference(patient).reference],
  );
  return rows.map((row) => recordOf(row, at));
}

/** One link code's record by its id, or undefined. */
export async function linkCodeById(q: Queryable, id: string, at: Date): Promise<LinkCodeRecord | undefined> {
  const [row] = await q.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM link_code WHERE id = $1`, [id]);
  return row === undefined ? undefined : recordOf(row, at);
}
