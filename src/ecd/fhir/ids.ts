import { createHash } from 'node:crypto';

/**
 * Resource ids of everything mapped from an ECD. The sync finds a resource again by its id, so an id
 * must be a pure function of (kind of record, organisation id, ECD record id), never change, and
 * never be shared by two records, also not by records of two different organisations.
 *
 * The rule, for organisation `org` and ECD record id `rec`:
 *
 * 1. Readable form `esc(org)-prefix+rec`, when `rec` is lower-case letters and digits in groups
 *    joined by single hyphens (`c0001`, `mz-c001`) and the result fits in 64 characters.
 *    `esc` doubles every hyphen of the organisation id (`zorg-west` → `zorg--west`); `prefix` is
 *    `auth-` for a portal authorisation and `agr-` for a client agreement (both become a Consent, and
 *    the ECD numbers them independently), empty for clients and relations.
 *    Examples: Patient `meerzicht-c0001`, RelatedPerson `zorg--west-zw-r012`, Consent `meerzicht-auth-a17`.
 * 2. Otherwise `esc(org)-h--<hash>` when that fits in 64 characters, else `h--<hash>`, where `<hash>`
 *    is the first 32 hex digits (128 bits) of SHA-256 over kind, organisation id and record id.
 *    ECD ids with capitals, dots or underscores end up here: ids are case-sensitive in the ECD, and
 *    folding `C1` and `c1` onto one id would merge two people.
 *
 * Why no two inputs meet: reading an id from the left, a doubled hyphen belongs to the organisation
 * id and the first single hyphen ends it, so the organisation is always recovered; in form 1 the
 * rest spells the record (which contains no `--`), in form 2 it starts with `h--`, which no readable
 * record can; `h--<hash>` has no single hyphen at all, so it is never mistaken for either. Within
 * form 2 a collision needs a 128-bit hash collision.
 *
 * Ids are unique per resource type, as FHIR requires: a client and a relation with the same ECD id
 * get the same string, one as a Patient id and one as a RelatedPerson id.
 */

export type EcdRecordKind = 'client' | 'relation' | 'portal-authorisation' | 'client-agreement';

const RECORD_PREFIX: Record<EcdRecordKind, string> = {
  client: '',
  relation: '',
  'portal-authorisation': 'auth-',
  'client-agreement': 'agr-',
};

const MAX_ID_LENGTH = 64;
const HASH_HEX_DIGITS = 32;
const READABLE_RECORD = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ORGANISATION_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function fhirResourceId(kind: EcdRecordKind, organisationId: string, recordId: string): string {
  if (!ORGANISATION_ID.test(organisationId)) {
    throw new TypeError(`not an organisation id: ${JSON.stringify(organisationId)}`);
  }
  if (recordId.length === 0) throw new TypeError('an ECD record id cannot be empty');
  const org = organisationId.replaceAll('-', '--');
  const readable = `${org}-${RECORD_PREFIX[kind]}${recordId}`;
  if (READABLE_RECORD.test(recordId) && readable.length <= MAX_ID_LENGTH) return readable;
  const hash = createHash('sha256')
    .update(`${kind}\n${organisationId}\n${recordId}`)
    .digest('hex')
    .slice(0, HASH_HEX_DIGITS);
  const withOrganisation = `${org}-h--${hash}`;
  return withOrganisation.length <= MAX_ID_LENGTH ? withOrganisation : `h--${hash}`;
}

export function patientId(organisationId: string, clientId: string): string {
  return fhirResourceId('client', organisationId, clientId);
}

export function relatedPersonId(organisationId: string, relationId: string): string {
  return fhirResourceId('relation', organisationId, relationId);
}
