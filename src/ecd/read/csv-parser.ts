import type { EcdReadError, EcdReadErrorCode } from './types';

/**
 * An incremental CSV parser (RFC 4180, as ECDs and Excel write it): takes text in chunks of any size and
 * hands over one row at a time with the line it starts on. Quoted fields may contain separators, `""`
 * and line breaks (which still count as lines, so later rows keep their true line numbers). Rows end at
 * LF or CRLF; a carriage return anywhere else outside quotes is refused rather than guessed at.
 */
export interface CsvParserCallbacks {
  row(fields: string[], line: number): void;
  /** Builds the error to throw; `fieldIndex` is the 0-based column the problem is in, when known. */
  fail(code: EcdReadErrorCode, reason: string, line: number, fieldIndex?: number): EcdReadError;
}

const AT_FIELD = 0;
const IN_UNQUOTED = 1;
const IN_QUOTED = 2;
/** A quote inside a quoted field: either the first half of `""` or the end of the field. */
const AFTER_QUOTE = 3;
/** A carriage return ended a row; only a line feed may follow. */
const AFTER_CR = 4;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export class CsvParser {
  /** Fields a row may have before the parser stops reading it (set to the header's width once known). */
  maxFields = 256;
  private line = 1;
  private lineStart = 0;
  private base = 0;
  private state = AT_FIELD;
  private fields: string[] = [];
  private field = '';
  private atRowStart = true;
  private rowLine = 1;
  private quoteLine = 1;
  private quoteColumn = 1;

  constructor(
    private readonly separator: number,
    private readonly maxFieldLength: number,
    private readonly callbacks: CsvParserCallbacks,
  ) {}

  get currentLine(): number {
    return this.line;
  }

  get currentColumn(): number {
    return this.base - this.lineStart + 1;
  }

  write(text: string): void {
    const n = text.length;
    const separator = this.separator;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case AT_FIELD: {
          if (this.atRowStart) {
            this.atRowStart = false;
            this.rowLine = this.line;
          }
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.state = IN_QUOTED;
            this.quoteLine = this.line;
            this.quoteColumn = this.column(i);
            i++;
          } else if (c === separator || c === LF || c === CR) {
            i = this.terminate(i, c);
          } else {
            this.state = IN_UNQUOTED;
          }
          break;
        }
        case IN_UNQUOTED: {
          let j = i;
          let c = 0;
          // A quote inside an unquoted field is taken literally, as Excel does.
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === separator || c === LF || c === CR) break;
            j++;
          }
          if (j > i) this.append(text.slice(i, j));
          i = j < n ? this.terminate(j, c) : n;
          break;
        }
        case IN_QUOTED: {
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === QUOTE) break;
            if (c === LF) {
              this.line++;
              this.lineStart = this.base + j + 1;
            }
            j++;
          }
          if (j > i) this.append(text.slice(i, j));
          if (j < n) this.state = AFTER_QUOTE;
          i = j < n ? j + 1 : n;
          break;
        }
        case AFTER_QUOTE: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.append('"');
            this.state = IN_QUOTED;
            i++;
          } else if (c === separator || c === LF || c === CR) {
            i = this.terminate(i, c);
          } else {
            throw this.callbacks.fail(
              'ERR_ECD_SYNTAX',
              `unexpected character '${text[i]}' after the closing quote of a field, at line ${this.line}, ` +
                `column ${this.column(i)} (a quote inside a quoted field is written as "")`,
              this.line,
              this.fields.length,
            );
          }
          break;
        }
        default: {
          if (text.charCodeAt(i) !== LF) {
            throw this.callbacks.fail(
              'ERR_ECD_SYNTAX',
              `carriage return not followed by a line feed at line ${this.line}, column ${this.column(i) - 1}`,
              this.line,
            );
          }
          this.newLine(i);
          this.state = AT_FIELD;
          i++;
        }
      }
    }
    this.base += n;
  }

  /** The input has ended: finish the last row, which need not end in a line break. */
  end(): void {
    if (this.state === IN_QUOTED) {
      throw this.callbacks.fail(
        'ERR_ECD_TRUNCATED',
        `file ends inside the quoted field that starts at line ${this.quoteLine}, column ${this.quoteColumn} ` +
          `(is a closing quote missing?), at line ${this.line}`,
        this.quoteLine,
        this.fields.length,
      );
    }
    if (
      this.state === IN_UNQUOTED ||
      this.state === AFTER_QUOTE ||
      (this.state === AT_FIELD && !this.atRowStart)
    ) {
      this.pushField();
      this.endRow();
    }
  }

  /** A separator or line break at `i` ends the current field (and, for a line break, the row). */
  private terminate(i: number, c: number): number {
    this.pushField();
    if (c === this.separator) {
      this.state = AT_FIELD;
    } else {
      this.endRow();
      if (c === LF) {
        this.newLine(i);
        this.state = AT_FIELD;
      } else {
        this.state = AFTER_CR;
      }
    }
    return i + 1;
  }

  private append(part: string): void {
    this.field += part;
    if (this.field.length > this.maxFieldLength) {
      throw this.callbacks.fail(
        'ERR_ECD_TOO_LARGE',
        `field longer than ${this.maxFieldLength} characters in the row that starts at line ${this.rowLine}`,
        this.rowLine,
        this.fields.length,
      );
    }
  }

  private pushField(): void {
    if (this.fields.length >= this.maxFields) {
      throw this.callbacks.fail(
        'ERR_ECD_SYNTAX',
        `row has more than ${this.maxFields} fields, at line ${this.rowLine}`,
        this.rowLine,
      );
    }
    this.fields.push(this.field);
    this.field = '';
  }

  private endRow(): void {
    const fields = this.fields;
    this.fields = [];
    this.atRowStart = true;
    this.callbacks.row(fields, this.rowLine);
  }

  private newLine(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
  }

  private column(i: number): number {
    return this.base + i - this.lineStart + 1;
  }
}

/**
 * Dutch Excel writes `;` because `,` is the decimal separator; the header row tells which one a file
 * uses. Separators inside quotes do not count.
 */
export function detectSeparator(headerLine: string): number {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && c === 0x2c) commas++;
    else if (!quoted && c === 0x3b) semicolons++;
  }
  return semicolons > commas ? 0x3b : 0x2c;
}
