import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvParser, detectSeparator } from './csv-parser';
import { formatProblem, versionProblem } from './header';
import { asBytes, flatten, guardReads, READ_CHUNK_BYTES } from './input';
import {
  EcdReadError,
  resolveLimits,
  type EcdEntity,
  type EcdReadErrorCode,
  type EcdRecord,
  type ReadLimits,
  type ResolvedLimits,
  type SourcePosition,
} from './types';
import { Utf8StreamDecoder } from './utf8';

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
 * end) are skipped. A row with more or fewer fields than the header is an error.
 */

/** Where a column's value goes: a field of the record, or a field of an object in it. */
interface ColumnSpec {
  column: string;
  field: string;
  /** The field inside `field`, which then holds an object (left out when none of its fields is set). */
  nested?: string;
  /** Turns the text into the value; undefined means absent. Without it the text is the value. */
  convert?: (text: string) => unknown;
}

interface CsvFileSpec {
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

/** A column of this file's header, with where its value goes. */
interface Slot extends ColumnSpec {
  index: number;
}

/** Streams the records of a directory of CSV files. */
export function readEcdCsvDirectory(dir: string, options?: ReadLimits): AsyncGenerator<EcdRecord> {
  return flatten(csvBatches(dir, options));
}

/** The records of a CSV export, a batch per chunk read. */
export async function* csvBatches(dir: string, options: ReadLimits | undefined): AsyncGenerator<EcdRecord[]> {
  const limits = resolveLimits(options);
  const present = await csvFilesIn(dir);
  // organisation.csv comes first: its mode says whether clients.csv may be left out (a delta, B6).
  let mode: unknown;
  for (const spec of CSV_FILES) {
    const path = join(dir, spec.name);
    if (!present.has(spec.name)) {
      if (spec.required && !(mode === 'delta' && spec.entity !== 'organisation')) {
        throw new EcdReadError('ERR_ECD_STRUCTURE', `missing ${spec.name}: an export must have one`, {
          file: path,
          line: 0,
        });
      }
      continue;
    }
    for await (const batch of fileBatches(path, spec, limits)) {
      const organisation = batch.find((r) => r.entity === 'organisation');
      if (organisation) mode = organisation.record.mode;
      yield batch;
    }
  }
}

/** The export's file names, after refusing any .csv file that is not one of them. */
async function csvFilesIn(dir: string): Promise<Set<string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new EcdReadError('ERR_ECD_IO', `cannot read the directory: ${(err as Error).message}`, {
      file: dir,
      line: 0,
    });
  }
  const known = new Set(CSV_FILES.map((spec) => spec.name));
  for (const name of names.sort()) {
    if (name.toLowerCase().endsWith('.csv') && !known.has(name)) {
      throw new EcdReadError(
        'ERR_ECD_STRUCTURE',
        `unexpected file ${name}; expected one of ${[...known].join(', ')}`,
        { file: join(dir, name), line: 0 },
      );
    }
  }
  return new Set(names.filter((name) => known.has(name)));
}

async function* fileBatches(
  path: string,
  spec: CsvFileSpec,
  limits: ResolvedLimits,
): AsyncGenerator<EcdRecord[]> {
  const file = new CsvFileReader(path, spec, limits);
  const decoder = new Utf8StreamDecoder();
  const chunks = guardReads(
    createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    path,
    () => file.line,
    true,
  );
  for await (const chunk of chunks) {
    let failed = false;
    let failure: unknown;
    try {
      const decoded = decoder.decode(asBytes(chunk));
      file.write(decoded.text);
      if (decoded.invalid) throw file.invalidUtf8();
    } catch (err) {
      failed = true;
      failure = err;
    }
    const batch = file.take();
    if (batch.length > 0) yield batch;
    if (failed) throw failure;
  }
  const rest = decoder.finish();
  file.write(rest.text);
  if (rest.invalid) throw file.invalidUtf8();
  file.end();
  yield file.take();
}

/** One CSV file: finds its separator, checks its header, and turns its rows into records. */
class CsvFileReader {
  private parser: CsvParser | undefined;
  /** Text before the end of the first line, held until the separator is known. */
  private head = '';
  private header: string[] | undefined;
  /** The header's columns in the order of the spec, so every record has its fields in one order. */
  private slots: Slot[] = [];
  private dataRows = 0;
  private out: EcdRecord[] = [];

  constructor(
    private readonly path: string,
    private readonly spec: CsvFileSpec,
    private readonly limits: ResolvedLimits,
  ) {}

  get line(): number {
    return this.parser?.currentLine ?? 1;
  }

  take(): EcdRecord[] {
    const batch = this.out;
    this.out = [];
    return batch;
  }

  write(text: string): void {
    if (this.parser !== undefined) {
      this.parser.write(text);
      return;
    }
    this.head += text;
    const lineEnd = this.head.indexOf('\n');
    if (lineEnd < 0) {
      if (this.head.length > this.headLimit()) {
        throw this.fail(
          'ERR_ECD_TOO_LARGE',
          `the header row is longer than ${this.headLimit()} characters, at line 1`,
          1,
        );
      }
      return;
    }
    this.startParsing(this.head.slice(0, lineEnd));
  }

  end(): void {
    if (this.parser === undefined) {
      if (this.head === '') {
        throw this.fail('ERR_ECD_TRUNCATED', 'the file is empty: expected a header row', 1);
      }
      this.startParsing(this.head);
    }
    this.parser!.end();
    if (this.header === undefined) {
      throw this.fail('ERR_ECD_TRUNCATED', 'the file is empty: expected a header row', 1);
    }
    if (this.spec.entity === 'organisation' && this.dataRows === 0) {
      throw this.fail(
        'ERR_ECD_STRUCTURE',
        `${this.spec.name} has no data row; it must have exactly one, at line ${this.line}`,
        this.line,
      );
    }
  }

  invalidUtf8(): EcdReadError {
    const parser = this.parser;
    const line = parser?.currentLine ?? 1;
    const column = parser?.currentColumn ?? this.head.length + 1;
    return this.fail('ERR_ECD_SYNTAX', `invalid UTF-8 at line ${line}, column ${column}`, line);
  }

  private headLimit(): number {
    return Math.max(this.limits.maxValueLength, 64 * 1024);
  }

  private startParsing(headerLine: string): void {
    const head = this.head;
    this.head = '';
    this.parser = new CsvParser(detectSeparator(headerLine), this.limits.maxValueLength, {
      row: (fields, line) => this.row(fields, line),
      fail: (code, reason, line, fieldIndex) =>
        this.fail(
          code,
          reason,
          line,
          fieldIndex === undefined ? undefined : this.columnName(fieldIndex),
          this.header === undefined ? undefined : this.dataRows,
        ),
    });
    this.parser.write(head);
  }

  private columnName(fieldIndex: number): string {
    return this.header?.[fieldIndex] ?? `column ${fieldIndex + 1}`;
  }

  private row(fields: string[], line: number): void {
    if (this.header === undefined) {
      this.readHeader(fields, line);
      return;
    }
    if (fields.length === 1 && fields[0] === '') return;
    if (fields.length !== this.header.length) {
      throw this.fail(
        'ERR_ECD_SYNTAX',
        `row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ` +
          `${this.header.length}, at line ${line}`,
        line,
        undefined,
        this.dataRows,
      );
    }
    if (allEmpty(fields)) return;
    const index = this.dataRows++;
    if (this.spec.entity === 'organisation' && index > 0) {
      throw this.fail(
        'ERR_ECD_STRUCTURE',
        `${this.spec.name} must have exactly one data row; another starts at line ${line}`,
        line,
        undefined,
        index,
      );
    }
    const record = this.build(fields);
    if (this.spec.entity === 'organisation') this.checkHeaderFields(record, line);
    this.out.push({ entity: this.spec.entity, record, position: { file: this.path, line, index } });
  }

  private readHeader(fields: string[], line: number): void {
    const names = fields.map((field) => field.trim());
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (name === '') {
        throw this.fail(
          'ERR_ECD_STRUCTURE',
          `column ${index + 1} of the header has no name, at line ${line}`,
          line,
        );
      }
      const spec = this.spec.columns.find((c) => c.column === name);
      if (spec === undefined) {
        throw this.fail(
          'ERR_ECD_STRUCTURE',
          `unknown column '${name}' in ${this.spec.name} at line ${line}; ` +
            `expected ${this.spec.columns.map((c) => c.column).join(', ')}`,
          line,
          name,
        );
      }
      if (seen.has(name)) {
        throw this.fail(
          'ERR_ECD_STRUCTURE',
          `column '${name}' appears twice in the header, at line ${line}`,
          line,
          name,
        );
      }
      seen.add(name);
      this.slots.push({ ...spec, index });
    });
    for (const required of this.spec.requiredColumns) {
      if (!seen.has(required)) {
        throw this.fail(
          'ERR_ECD_STRUCTURE',
          `missing required column '${required}' in ${this.spec.name}, at line ${line}`,
          line,
          required,
        );
      }
    }
    const order = this.spec.columns.map((c) => c.column);
    this.slots.sort((a, b) => order.indexOf(a.column) - order.indexOf(b.column));
    this.header = names;
    this.parser!.maxFields = names.length;
  }

  /** A row as a record: empty fields left out, nested objects made only when something goes in them. */
  private build(fields: readonly string[]): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const slot of this.slots) {
      const text = fields[slot.index]!;
      if (text === '') continue;
      const value = slot.convert === undefined ? text : slot.convert(text);
      if (value === undefined) continue;
      if (slot.nested === undefined) {
        record[slot.field] = value;
      } else {
        ((record[slot.field] ??= {}) as Record<string, unknown>)[slot.nested] = value;
      }
    }
    return record;
  }

  /** The same checks as for the JSON form, as early: before the rest of the export is read. */
  private checkHeaderFields(record: Record<string, unknown>, line: number): void {
    const problems: [string, string | undefined][] = [
      ['format', formatProblem(record.format)],
      ['version', versionProblem(record.version)],
      ['exported_at', record.exportedAt === undefined ? 'exported_at is empty' : undefined],
    ];
    for (const [column, problem] of problems) {
      if (problem !== undefined)
        throw this.fail('ERR_ECD_STRUCTURE', `${problem}, at line ${line}`, line, column, 0);
    }
  }

  private fail(
    code: EcdReadErrorCode,
    reason: string,
    line: number,
    field?: string,
    index?: number,
  ): EcdReadError {
    const position: SourcePosition =
      index === undefined ? { file: this.path, line } : { file: this.path, line, index };
    return new EcdReadError(code, reason, position, field);
  }
}

function allEmpty(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '') return false;
  return true;
}

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
