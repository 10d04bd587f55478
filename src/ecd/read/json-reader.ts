import { createReadStream } from 'node:fs';
import { FieldLines } from './field-lines';
import { formatProblem, HEADER_FIELDS, OPTIONAL_HEADER_FIELDS, versionProblem } from './header';
import { flatten, readText, READ_CHUNK_BYTES, type ChunkSource, type TextReader } from './input';
import { JsonStreamParser, type JsonStreamHandler } from './json-parser';
import {
  EcdReadError,
  positionAt,
  resolveLimits,
  show,
  type EcdEntity,
  type EcdRecord,
  type ReadLimits,
  type RecordPosition,
} from './types';

/** The top-level arrays, each streamed element by element. */
const ARRAYS: ReadonlyMap<string, EcdEntity> = new Map<string, EcdEntity>([
  ['clients', 'clients'],
  ['relations', 'relations'],
  ['portalRegistrations', 'portalRegistrations'],
  ['portalAuthorisations', 'portalAuthorisations'],
  ['clientAgreements', 'clientAgreements'],
]);

const HEADER_KEYS = [...HEADER_FIELDS, 'organisation'] as const;
const TOP_LEVEL_KEYS: readonly string[] = [...HEADER_KEYS, ...ARRAYS.keys()];

/** Streams the records of a JSON export file. */
export function readEcdJson(path: string, options?: ReadLimits): AsyncGenerator<EcdRecord> {
  return flatten(
    jsonBatches(() => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), path, options, true),
  );
}

/**
 * Same, from a byte stream (for POST /ecd/sync request bodies); `name` is used as the file name in
 * positions. Errors thrown by `input` itself reach the caller unchanged.
 */
export function readEcdJsonStream(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  name: string,
  options?: ReadLimits,
): AsyncGenerator<EcdRecord> {
  return flatten(jsonBatches(() => input, name, options, false));
}

/**
 * The records of a JSON export, a batch per chunk read. The source is opened only when reading starts:
 * a file stream created earlier would report a missing file as an unhandled error event.
 */
export async function* jsonBatches(
  open: () => ChunkSource,
  name: string,
  options: ReadLimits | undefined,
  wrapErrors: boolean,
): AsyncGenerator<EcdRecord[]> {
  const assembler = new ExportAssembler(name);
  const parser = new JsonStreamParser(name, resolveLimits(options), assembler);
  const reader: TextReader = {
    get line() {
      return parser.currentLine;
    },
    write: (text) => parser.write(text),
    end: () => {
      parser.end();
      assembler.finish(parser.currentLine);
    },
    take: () => assembler.take(),
    invalidUtf8: () =>
      parser.error(
        'ERR_ECD_SYNTAX',
        `invalid UTF-8 at line ${parser.currentLine}, column ${parser.currentColumn}`,
      ),
  };
  yield* readText(open(), name, reader, wrapErrors);
}

/**
 * Turns the parser's members and elements into records: checks the top level, flattens care agreements
 * out of their clients, and merges the header fields into the organisation record.
 */
class ExportAssembler implements JsonStreamHandler {
  private out: EcdRecord[] = [];
  private readonly seen = new Set<string>();
  private readonly header: Partial<Record<(typeof HEADER_KEYS)[number], unknown>> = {};
  /** Where the header fields and the organisation's own fields are, for the organisation record. */
  private readonly headerLines = new Map<string, number | FieldLines>();
  private organisationLine = 0;
  private headerDone = false;

  constructor(private readonly file: string) {}

  take(): EcdRecord[] {
    const batch = this.out;
    this.out = [];
    return batch;
  }

  key(key: string, line: number): void {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      throw this.fail(
        `unknown top-level field ${show(key)} at line ${line}; expected ${TOP_LEVEL_KEYS.join(', ')}`,
        line,
        key,
      );
    }
    if (this.seen.has(key)) throw this.fail(`duplicate top-level field '${key}' at line ${line}`, line, key);
    this.seen.add(key);
  }

  memberStart(key: string, kind: 'object' | 'array', line: number): boolean {
    // Refusing a wrong shape here, before it is built, keeps memory bounded for hostile files too.
    if (ARRAYS.has(key)) {
      if (kind !== 'array')
        throw this.fail(`${key} must be an array (got an object) at line ${line}`, line, key);
      return true;
    }
    const problem =
      key === 'format'
        ? formatProblem(kind === 'array' ? [] : {})
        : key === 'version'
          ? versionProblem(kind === 'array' ? [] : {})
          : key === 'organisation' && kind === 'array'
            ? 'organisation must be an object (got an array)'
            : undefined;
    if (problem !== undefined) throw this.fail(`${problem}, at line ${line}`, line, key);
    return false;
  }

  member(key: string, value: unknown, line: number, lines: FieldLines | undefined): void {
    if (ARRAYS.has(key))
      throw this.fail(`${key} must be an array (got ${show(value)}) at line ${line}`, line, key);
    if (key === 'organisation') {
      if (!isPlainObject(value)) {
        throw this.fail(`organisation must be an object (got ${show(value)}) at line ${line}`, line, key);
      }
      for (const field of HEADER_FIELDS) {
        if (Object.hasOwn(value, field)) {
          throw this.fail(
            `organisation must not contain '${field}': it belongs at the top level, at line ${line}`,
            line,
            `organisation.${field}`,
          );
        }
      }
      this.organisationLine = line;
    } else {
      const problem =
        key === 'format' ? formatProblem(value) : key === 'version' ? versionProblem(value) : undefined;
      if (problem !== undefined) throw this.fail(`${problem}, at line ${line}`, line, key);
    }
    this.header[key as (typeof HEADER_KEYS)[number]] = value;
    this.headerLines.set(key, lines ?? line);
    this.emitHeaderWhenComplete();
  }

  element(
    arrayKey: string,
    index: number,
    value: unknown,
    line: number,
    lines: FieldLines | undefined,
  ): void {
    const position: RecordPosition = { file: this.file, line, index };
    if (lines !== undefined) position.fields = lines;
    if (!isPlainObject(value)) {
      throw this.fail(
        `${arrayKey}[${index}] must be an object (got ${show(value)}) at line ${line}`,
        line,
        `${arrayKey}[${index}]`,
        index,
      );
    }
    if (arrayKey !== 'clients' || !Object.hasOwn(value, 'careAgreements')) {
      this.out.push({ entity: ARRAYS.get(arrayKey)!, record: value, position });
      return;
    }
    const { careAgreements, ...client } = value;
    this.out.push({ entity: 'clients', record: client, position });
    const field = `clients[${index}].careAgreements`;
    if (!Array.isArray(careAgreements)) {
      throw this.fail(
        `${field} must be an array (got ${show(careAgreements)}), at line ${line}`,
        line,
        field,
        index,
      );
    }
    const clientId = typeof client.id === 'string' ? client.id : undefined;
    const nested = lines?.nested('careAgreements');
    careAgreements.forEach((agreement: unknown, k) => {
      const agreementLine = nested?.lineOfKey(k) ?? line;
      if (!isPlainObject(agreement)) {
        throw this.fail(
          `${field}[${k}] must be an object (got ${show(agreement)}) at line ${agreementLine}`,
          agreementLine,
          `${field}[${k}]`,
          index,
        );
      }
      if (Object.hasOwn(agreement, 'clientId') && agreement.clientId !== clientId) {
        throw this.fail(
          `${field}[${k}].clientId ${show(agreement.clientId)} contradicts the client it is nested in ` +
            `(${show(clientId)}), at line ${agreementLine}`,
          agreementLine,
          `${field}[${k}].clientId`,
          index,
        );
      }
      // Downstream validation reports a client without an id; its agreements still get checked.
      const record = clientId === undefined ? { ...agreement } : { ...agreement, clientId };
      const agreementPosition: RecordPosition = { file: this.file, line: agreementLine, index: k };
      const agreementLines = nested?.nested(k);
      if (agreementLines !== undefined) agreementPosition.fields = agreementLines;
      this.out.push({ entity: 'careAgreements', record, position: agreementPosition });
    });
  }

  /**
   * The end of the export: every top-level field must have been there, except that a delta lists only
   * the sections that changed (B6). A full export without a section would end everything in it.
   */
  finish(line: number): void {
    const delta = this.header.mode === 'delta';
    const missing = TOP_LEVEL_KEYS.filter(
      (key) => !this.seen.has(key) && !OPTIONAL_HEADER_FIELDS.includes(key) && !(delta && ARRAYS.has(key)),
    );
    if (missing.length > 0) {
      const sections = missing.some((key) => ARRAYS.has(key))
        ? '; a full export lists every section, [] when it has none'
        : '';
      throw this.fail(
        `missing top-level field${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}` +
          ` (the export ends at line ${line}${sections})`,
        // Missing from the file as a whole: no line of it is where they should have been.
        undefined,
        missing.join(', '),
      );
    }
    this.emitHeaderWhenComplete(true);
  }

  /**
   * The header fields may come after the arrays, so the organisation record goes out once they are all
   * in. An optional one (`mode`) may still follow until the top-level object ends, and a record sent
   * without it would make a delta export look like a full one, so without it the record waits for the end.
   */
  private emitHeaderWhenComplete(atEnd = false): void {
    if (this.headerDone) return;
    for (const key of HEADER_KEYS) {
      if (!Object.hasOwn(this.header, key) && !(atEnd && OPTIONAL_HEADER_FIELDS.includes(key))) return;
    }
    this.headerDone = true;
    const header: Record<string, unknown> = {};
    for (const key of HEADER_FIELDS) if (Object.hasOwn(this.header, key)) header[key] = this.header[key];
    this.out.push({
      entity: 'organisation',
      // Spread, not Object.assign: an organisation field named __proto__ must stay a field.
      record: { ...header, ...(this.header.organisation as Record<string, unknown>) },
      position: { file: this.file, line: this.organisationLine, fields: this.organisationFieldLines() },
    });
  }

  /** The organisation record is the header plus the organisation object: its lines come from both. */
  private organisationFieldLines(): FieldLines {
    const organisation = this.headerLines.get('organisation');
    const lines = new FieldLines(this.organisationLine);
    for (const key of HEADER_FIELDS) {
      const at = this.headerLines.get(key);
      if (at !== undefined) lines.set(key, at);
    }
    if (typeof organisation === 'object') {
      for (const [key, at] of organisation.entries()) lines.set(key, at);
    }
    return lines;
  }

  private fail(reason: string, line: number | undefined, field: string, index?: number): EcdReadError {
    return new EcdReadError('ERR_ECD_STRUCTURE', reason, positionAt(this.file, line, index), field);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
