import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvError, Parser, type InfoField } from 'csv-parse';
import { CSV_FILES, type ColumnSpec, type CsvFileSpec } from './csv-files';
import { FieldLines } from './field-lines';
import { formatProblem, versionProblem } from './header';
import { flatten, readText, READ_CHUNK_BYTES, type ChunkSource, type TextReader } from './input';
import {
  EcdReadError,
  positionAt,
  resolveLimits,
  type EcdReadErrorCode,
  type EcdRecord,
  type ReadLimits,
  type RecordPosition,
  type ResolvedLimits,
} from './types';

/*
 * Reads the CSV form of an export (the files and their columns are in csv-files.ts). csv-parse does
 * the parsing; what is done here is what it cannot know: which separator the header uses, what the
 * columns mean, and where each row and field is. The lines are counted here, from the fields
 * csv-parse hands over, rather than taken from its `info.lines`: that counts a CRLF inside a quoted
 * field as two lines and a lone carriage return as one, so every later row of an Excel file with line
 * breaks in a cell would be reported on the wrong line. Outside quotes a line break always ends a row
 * here (blank lines come through as rows of one empty field), so a row starts on the line after the
 * previous one plus the line feeds inside its quoted fields.
 */

/** A column of this file's header, with where its value goes. */
interface Slot extends ColumnSpec {
  index: number;
}

/** Fields a row may have before the header has said how many it has. */
const MAX_HEADER_FIELDS = 256;

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
        throw new EcdReadError(
          'ERR_ECD_STRUCTURE',
          `missing ${spec.name}: an export must have one`,
          positionAt(path),
        );
      }
      continue;
    }
    for await (const batch of csvFileBatches(
      () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
      path,
      spec,
      limits,
    )) {
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
    throw new EcdReadError(
      'ERR_ECD_IO',
      `cannot read the directory: ${(err as Error).message}`,
      positionAt(dir),
    );
  }
  const known = new Set(CSV_FILES.map((spec) => spec.name));
  for (const name of names.sort()) {
    if (name.toLowerCase().endsWith('.csv') && !known.has(name)) {
      throw new EcdReadError(
        'ERR_ECD_STRUCTURE',
        `unexpected file ${name}; expected one of ${[...known].join(', ')}`,
        positionAt(join(dir, name)),
      );
    }
  }
  return new Set(names.filter((name) => known.has(name)));
}

/** The records of one CSV file, a batch per chunk of `open()`; the source is opened on the first read. */
export async function* csvFileBatches(
  open: () => ChunkSource,
  path: string,
  spec: CsvFileSpec,
  limits: ResolvedLimits,
): AsyncGenerator<EcdRecord[]> {
  yield* readText(open(), path, new CsvFileReader(path, spec, limits), true);
}

/** How far the text fed so far reaches, for what csv-parse does not locate (bad UTF-8, the file's end). */
class TextEnd {
  line = 1;
  /** Column of the next character, in UTF-16 code units as editors count. */
  column = 1;

  advance(text: string): void {
    let at = text.indexOf('\n');
    if (at < 0) {
      this.column += text.length;
      return;
    }
    let last = at;
    while (at >= 0) {
      this.line++;
      last = at;
      at = text.indexOf('\n', at + 1);
    }
    this.column = text.length - last;
  }
}

/** One CSV file: finds its separator, checks its header, and turns its rows into records. */
class CsvFileReader implements TextReader {
  private parser: Parser | undefined;
  /** Text before the end of the first line, held until the separator is known. */
  private head = '';
  private readonly reached = new TextEnd();
  private header: string[] | undefined;
  /** The header's columns in the order of the spec, so every record has its fields in one order. */
  private slots: Slot[] = [];
  private maxFields = MAX_HEADER_FIELDS;
  private dataRows = 0;
  private out: EcdRecord[] = [];
  /** The line the row being read starts on. */
  private rowLine = 1;
  /** Line feeds inside the fields of the row being read, so far. */
  private breaksInRow = 0;
  /** The line each field of the row being read starts on. */
  private readonly fieldLines: number[] = [];

  constructor(
    private readonly path: string,
    private readonly spec: CsvFileSpec,
    private readonly limits: ResolvedLimits,
  ) {}

  get line(): number {
    return this.reached.line;
  }

  take(): EcdRecord[] {
    const batch = this.out;
    this.out = [];
    return batch;
  }

  write(text: string): void {
    if (this.parser === undefined) {
      this.head += text;
      const lineEnd = this.head.indexOf('\n');
      if (lineEnd < 0) {
        if (this.head.length > this.headLimit()) {
          throw this.fail(
            'ERR_ECD_VALUE_TOO_LONG',
            `the header row is longer than ${this.headLimit()} characters, at line 1`,
            1,
          );
        }
        return;
      }
      this.startParsing(this.head.slice(0, lineEnd));
      text = this.head;
      this.head = '';
    }
    this.feed(text);
  }

  end(): void {
    if (this.parser === undefined) {
      // Nothing but (perhaps) a byte order mark: there is no line to point at.
      if (this.head === '') throw this.fail('ERR_ECD_TRUNCATED', 'the file is empty: expected a header row');
      this.startParsing(this.head);
      this.feed(this.head);
      this.head = '';
    }
    this.parser!.end();
    this.throwIfFailed();
    if (this.header === undefined) {
      throw this.fail('ERR_ECD_TRUNCATED', 'the file is empty: expected a header row');
    }
    if (this.spec.entity === 'organisation' && this.dataRows === 0) {
      throw this.fail(
        'ERR_ECD_STRUCTURE',
        `${this.spec.name} has no data row; it must have exactly one, at line ${this.reached.line}`,
        this.reached.line,
      );
    }
  }

  invalidUtf8(): EcdReadError {
    const line = this.parser === undefined ? 1 : this.reached.line;
    const column = this.parser === undefined ? this.head.length + 1 : this.reached.column;
    return this.fail('ERR_ECD_SYNTAX', `invalid UTF-8 at line ${line}, column ${column}`, line);
  }

  private headLimit(): number {
    return Math.max(this.limits.maxValueLength, 64 * 1024);
  }

  private startParsing(headerLine: string): void {
    this.parser = new Parser({
      delimiter: detectSeparator(headerLine),
      // Both, whichever the first line has: files edited by hand mix them.
      record_delimiter: ['\r\n', '\n'],
      // Row widths are checked here, with a message in the operator's terms; blank lines must come
      // through too, as rows, for the line count.
      relax_column_count: true,
      skip_empty_lines: false,
      // The UTF-8 decoder before it has removed a byte order mark already.
      bom: false,
      // Bounds the memory a row takes before its fields are checked. Each field is checked for length
      // as it completes, so when this trips, the field being read is the one that is too long (the
      // bound leaves room for three bytes of UTF-8 per character of a field at the limit).
      max_record_size: this.limits.maxValueLength * (this.spec.columns.length + 3),
      cast: (value, context) => this.field(value, context),
      on_record: (fields) => {
        this.row(fields);
        return null;
      },
    });
    // csv-parse reports a failure both through `errored`, which is read right after each write, and
    // later as an event, which has nothing left to do.
    this.parser.on('error', () => undefined);
  }

  private feed(text: string): void {
    this.reached.advance(text);
    // Parses synchronously: the records go to `row` (on_record), nothing is queued on the stream.
    this.parser!.write(text);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    const failure = this.parser!.errored;
    if (failure !== null) throw this.located(failure);
  }

  /** Each field as it completes: bounds it, and notes the line it starts on. */
  private field(value: string, context: InfoField): string {
    const index = context.index;
    const line = this.rowLine + this.breaksInRow;
    if (index >= this.maxFields) {
      throw this.fail(
        'ERR_ECD_SYNTAX',
        `row has more than ${this.maxFields} fields, at line ${this.rowLine}`,
        this.rowLine,
        undefined,
        this.rowIndex(),
      );
    }
    if (value.length > this.limits.maxValueLength) throw this.tooLong(index, line);
    if (!context.quoting && value.includes('\r')) {
      throw this.fail(
        'ERR_ECD_SYNTAX',
        `carriage return not followed by a line feed at line ${line}`,
        line,
        undefined,
        this.rowIndex(),
      );
    }
    this.fieldLines[index] = line;
    if (context.quoting) this.breaksInRow += lineFeeds(value);
    return value;
  }

  private row(fields: string[]): void {
    const line = this.rowLine;
    const spansLines = this.breaksInRow > 0;
    this.rowLine += 1 + this.breaksInRow;
    this.breaksInRow = 0;
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
    const position: RecordPosition = { file: this.path, line, index };
    if (spansLines) position.fields = this.linesOf(fields, line);
    this.out.push({ entity: this.spec.entity, record, position });
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
    this.maxFields = names.length;
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

  /** For a row over several lines: the line of each field, in the record's terms. */
  private linesOf(fields: readonly string[], line: number): FieldLines {
    const lines = new FieldLines(line);
    for (const slot of this.slots) {
      if (fields[slot.index] === '') continue;
      const at = this.fieldLines[slot.index]!;
      if (slot.nested === undefined) {
        lines.set(slot.field, at);
        continue;
      }
      let nested = lines.nested(slot.field);
      if (nested === undefined) {
        nested = new FieldLines(at);
        lines.set(slot.field, nested);
      }
      nested.set(slot.nested, at);
    }
    return lines;
  }

  /** The same checks as for the JSON form, as early: before the rest of the export is read. */
  private checkHeaderFields(record: Record<string, unknown>, line: number): void {
    const problems: [string, string | undefined][] = [
      ['format', formatProblem(record.format)],
      ['version', versionProblem(record.version)],
      ['exported_at', record.exportedAt === undefined ? 'exported_at is empty' : undefined],
    ];
    for (const [column, problem] of problems) {
      if (problem === undefined) continue;
      const at = this.fieldLines[this.header!.indexOf(column)] ?? line;
      throw this.fail('ERR_ECD_STRUCTURE', `${problem}, at line ${at}`, at, column, 0);
    }
  }

  /** csv-parse's errors in the terms of this reader; its own errors (thrown in `field`) pass as they are. */
  private located(failure: Error): Error {
    if (failure instanceof EcdReadError || !(failure instanceof CsvError)) return failure;
    const index = typeof failure.index === 'number' ? failure.index : undefined;
    const column = index === undefined ? undefined : this.columnName(index);
    const fieldLine = this.rowLine + this.breaksInRow;
    switch (failure.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return this.fail(
          'ERR_ECD_TRUNCATED',
          `file ends inside the quoted field that starts at line ${fieldLine} ` +
            `(is a closing quote missing?), at line ${this.reached.line}`,
          fieldLine,
          column,
          this.rowIndex(),
        );
      case 'CSV_INVALID_CLOSING_QUOTE':
        return this.fail(
          'ERR_ECD_SYNTAX',
          `unexpected character after the closing quote of the field that starts at line ${fieldLine} ` +
            '(a quote inside a quoted field is written as "")',
          fieldLine,
          column,
          this.rowIndex(),
        );
      case 'INVALID_OPENING_QUOTE':
        return this.fail(
          'ERR_ECD_SYNTAX',
          `quote inside a field that does not start with one, at line ${fieldLine} ` +
            '(quote the whole field, and write a quote inside it as "")',
          fieldLine,
          column,
          this.rowIndex(),
        );
      case 'CSV_MAX_RECORD_SIZE':
        if (index !== undefined && index >= (this.header?.length ?? this.spec.columns.length)) {
          return this.fail(
            'ERR_ECD_SYNTAX',
            this.header === undefined
              ? `the header has more columns than ${this.spec.name} knows (${this.spec.columns.length}), at line 1`
              : `row has more than ${this.header.length} fields, at line ${this.rowLine}`,
            this.rowLine,
            undefined,
            this.rowIndex(),
          );
        }
        return this.tooLong(index ?? 0, fieldLine);
      default:
        return this.fail(
          'ERR_ECD_SYNTAX',
          `${failure.message} (in the row that starts at line ${this.rowLine})`,
          this.rowLine,
          column,
          this.rowIndex(),
        );
    }
  }

  private tooLong(index: number, line: number): EcdReadError {
    return this.fail(
      'ERR_ECD_VALUE_TOO_LONG',
      `field longer than ${this.limits.maxValueLength} characters in the row that starts at line ${this.rowLine}`,
      line,
      this.columnName(index),
      this.rowIndex(),
    );
  }

  private columnName(index: number): string {
    return this.header?.[index] ?? `column ${index + 1}`;
  }

  /** The index a record of the row being read gets; the header row has none. */
  private rowIndex(): number | undefined {
    return this.header === undefined ? undefined : this.dataRows;
  }

  private fail(
    code: EcdReadErrorCode,
    reason: string,
    line?: number,
    field?: string,
    index?: number,
  ): EcdReadError {
    return new EcdReadError(code, reason, positionAt(this.path, line, index), field);
  }
}

function lineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function allEmpty(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '') return false;
  return true;
}

/**
 * Dutch Excel writes `;` because `,` is the decimal separator; the header row tells which one a file
 * uses. Separators inside quotes do not count.
 */
export function detectSeparator(headerLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && c === 0x2c) commas++;
    else if (!quoted && c === 0x3b) semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}
