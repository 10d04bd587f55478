import type { EcdEntity } from './types';

/*
 * The CSV form of an ECD export: one directory, one file per entity, read in the order of this table.
 * The first row of each file names the columns: any order, any subset of those listed, but the starred
 * ones must be there, and any other column is an error. An empty field means the field is absent, and
 * a nested object none of whose fields is set is left out.
 *
 * | file                          | columns                          | record field                        |
 * |-------------------------------|----------------------------------|-------------------------------------|
 * | organisation.csv              | format                           | format                              |
 * | (required; exactly one row)   | version                          | version (a number when numeric)     |
 * |                               | exported_at                      | exportedAt                          |
 * |                               | mode                             | mode (full, the default, or delta)  |
 * |                               | id*                              | id                                  |
 * |                               | name, ura, agb                   | name, ura, agb                      |
 * | clients.csv                   | id*, bsn                         | id, bsn                             |
 * | (required)                    | given_names                      | name.given (split on spaces)        |
 * |                               | family_name, name_prefix         | name.family, name.prefix            |
 * |                               | birth_date, gender               | birthDate, gender                   |
 * |                               | email, mobile, phone             | telecom.email, .mobile, .phone      |
 * |                               | deceased_date                    | deceasedDate                        |
 * |                               | capacity_capable                 | administratorCapacity.capable (B)   |
 * |                               | capacity_assessed_on             | administratorCapacity.assessedOn    |
 * |                               | capacity_assessor_role           | administratorCapacity.assessorRole  |
 * | care-agreements.csv           | id*, client_id*                  | id, clientId                        |
 * |                               | care_type, start, end            | careType, start, end                |
 * | relations.csv                 | id*, client_id*, role            | id, clientId, role                  |
 * |                               | given_names                      | name.given (split on spaces)        |
 * |                               | family_name, name_prefix         | name.family, name.prefix            |
 * |                               | relationship                     | relationship                        |
 * |                               | parental_authority               | parentalAuthority (B)               |
 * |                               | email, mobile, phone             | telecom.email, .mobile, .phone      |
 * |                               | start, end                       | start, end                          |
 * | portal-registrations.csv      | id*, client_id*                  | id, clientId                        |
 * |                               | person                           | person (P)                          |
 * |                               | registered_on, requested_role    | registeredOn, requestedRole         |
 * | portal-authorisations.csv     | id*, client_id*                  | id, clientId                        |
 * |                               | granted_by                       | grantedBy (P)                       |
 * |                               | grantee_relation_id              | granteeRelationId                   |
 * |                               | sections                         | sections (split on `;` or `\|`)     |
 * |                               | granted_on                       | grantedOn                           |
 * |                               | withdrawal_request_received_at   | withdrawal.requestReceivedAt        |
 * | client-agreements.csv         | id*, client_id*, subject         | id, clientId, subject               |
 * |                               | relation_id, agreed, recorded_on | relationId, agreed (B), recordedOn  |
 *
 * (B) a boolean: true/false, ja/nee or 1/0, in any case. (P) a person: `client`, or
 * `relation:<relation id>`. A value that is neither is passed through as the text it is, so that
 * validation reports it with the rest of the record's problems instead of this reader guessing.
 *
 * Files other than organisation.csv and clients.csv may be left out, meaning "none". Any other `.csv`
 * file in the directory is an error: a misspelt file name would otherwise silently mean "none" too.
 *
 * File habits accepted: `,` or `;` as separator (whichever the header row has more of, outside quotes),
 * UTF-8 with or without a BOM, LF or CRLF line ends, quoted fields with `""` and line breaks inside,
 * spaces around header names. Blank lines and rows of only empty fields (Excel leaves those at the
 * end) are skipped. A row with more or fewer fields than the header is an error, and so is a quote in
 * a field that does not start with one (RFC 4180: such a field must be quoted as a whole, as Excel
 * writes it), text after a field's closing quote, and a carriage return that does not end a line.
 */

/** Where a column's value goes: a field of the record, or a field of an object in it. */
export interface ColumnSpec {
  column: string;
  field: string;
  /** The field inside `field`, which then holds an object (left out when none of its fields is set). */
  nested?: string;
  /** Turns the text into the value; undefined means absent. Without it the text is the value. */
  convert?: (text: string) => unknown;
}

export interface CsvFileSpec {
  name: string;
  entity: EcdEntity;
  required: boolean;
  columns: readonly ColumnSpec[];
  requiredColumns: readonly string[];
}

const column = (name: string, field: string, convert?: (text: string) => unknown): ColumnSpec =>
  convert === undefined ? { column: name, field } : { column: name, field, convert };
const nestedColumn = (
  name: string,
  field: string,
  nested: string,
  convert?: (text: string) => unknown,
): ColumnSpec =>
  convert === undefined ? { column: name, field, nested } : { column: name, field, nested, convert };

const NAME_COLUMNS = [
  nestedColumn('given_names', 'name', 'given', (text) => split(text, isWhitespace)),
  nestedColumn('family_name', 'name', 'family'),
  nestedColumn('name_prefix', 'name', 'prefix'),
];
const TELECOM_COLUMNS = [
  nestedColumn('email', 'telecom', 'email'),
  nestedColumn('mobile', 'telecom', 'mobile'),
  nestedColumn('phone', 'telecom', 'phone'),
];
const ID = column('id', 'id');
const CLIENT_ID = column('client_id', 'clientId');

export const CSV_FILES: readonly CsvFileSpec[] = [
  {
    name: 'organisation.csv',
    entity: 'organisation',
    required: true,
    columns: [
      column('format', 'format'),
      column('version', 'version', (text) => (/^-?[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : text)),
      column('exported_at', 'exportedAt'),
      column('mode', 'mode'),
      ID,
      column('name', 'name'),
      column('ura', 'ura'),
      column('agb', 'agb'),
    ],
    requiredColumns: ['id'],
  },
  {
    name: 'clients.csv',
    entity: 'clients',
    required: true,
    columns: [
      ID,
      column('bsn', 'bsn'),
      ...NAME_COLUMNS,
      column('birth_date', 'birthDate'),
      column('gender', 'gender'),
      ...TELECOM_COLUMNS,
      column('deceased_date', 'deceasedDate'),
      nestedColumn('capacity_capable', 'administratorCapacity', 'capable', boolean),
      nestedColumn('capacity_assessed_on', 'administratorCapacity', 'assessedOn'),
      nestedColumn('capacity_assessor_role', 'administratorCapacity', 'assessorRole'),
    ],
    requiredColumns: ['id'],
  },
  {
    name: 'care-agreements.csv',
    entity: 'careAgreements',
    required: false,
    columns: [ID, CLIENT_ID, column('care_type', 'careType'), column('start', 'start'), column('end', 'end')],
    requiredColumns: ['id', 'client_id'],
  },
  {
    name: 'relations.csv',
    entity: 'relations',
    required: false,
    columns: [
      ID,
      CLIENT_ID,
      column('role', 'role'),
      ...NAME_COLUMNS,
      column('relationship', 'relationship'),
      column('parental_authority', 'parentalAuthority', boolean),
      ...TELECOM_COLUMNS,
      column('start', 'start'),
      column('end', 'end'),
    ],
    requiredColumns: ['id', 'client_id'],
  },
  {
    name: 'portal-registrations.csv',
    entity: 'portalRegistrations',
    required: false,
    columns: [
      ID,
      CLIENT_ID,
      column('person', 'person', personReference),
      column('registered_on', 'registeredOn'),
      column('requested_role', 'requestedRole'),
    ],
    requiredColumns: ['id', 'client_id'],
  },
  {
    name: 'portal-authorisations.csv',
    entity: 'portalAuthorisations',
    required: false,
    columns: [
      ID,
      CLIENT_ID,
      column('granted_by', 'grantedBy', personReference),
      column('grantee_relation_id', 'granteeRelationId'),
      column('sections', 'sections', (text) => split(text, isListSeparator)),
      column('granted_on', 'grantedOn'),
      nestedColumn('withdrawal_request_received_at', 'withdrawal', 'requestReceivedAt'),
    ],
    requiredColumns: ['id', 'client_id'],
  },
  {
    name: 'client-agreements.csv',
    entity: 'clientAgreements',
    required: false,
    columns: [
      ID,
      CLIENT_ID,
      column('subject', 'subject'),
      column('relation_id', 'relationId'),
      column('agreed', 'agreed', boolean),
      column('recorded_on', 'recordedOn'),
    ],
    requiredColumns: ['id', 'client_id'],
  },
];

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x0a || c === 0x0d;
}

function isListSeparator(c: number): boolean {
  return c === 0x3b || c === 0x7c;
}

/** The non-empty, trimmed parts of the text between separators; nothing when there are none. */
function split(text: string, isSeparator: (c: number) => boolean): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || isSeparator(text.charCodeAt(i))) {
      const part = text.slice(start, i).trim();
      if (part !== '') parts.push(part);
      start = i + 1;
    }
  }
  return parts.length > 0 ? parts : undefined;
}

const TRUE_WORDS = new Set(['true', 'ja', '1']);
const FALSE_WORDS = new Set(['false', 'nee', '0']);

function boolean(text: string): boolean | string {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return text;
}

function personReference(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'client') return { kind: 'client' };
  const match = /^relation:(.+)$/i.exec(trimmed);
  if (match !== null && match[1]!.trim() !== '') return { kind: 'relation', relationId: match[1]!.trim() };
  return text;
}
