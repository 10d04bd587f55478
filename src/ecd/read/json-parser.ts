import { FieldLines } from './field-lines';
import { EcdReadError, positionAt, type EcdReadErrorCode, type ResolvedLimits } from './types';

/**
 * An incremental JSON parser (RFC 8259) shaped for exports: a large top-level object whose members are
 * long arrays of small records. It takes text in chunks of any size, and keeps in memory only
 *
 * - the top-level object, which it never builds: its members are reported one by one;
 * - arrays that are members of the top-level object, when the handler asks for them to be streamed:
 *   their elements are built one at a time and handed over as soon as each is complete;
 * - everything else is built into ordinary values, bounded by the value length and depth limits.
 *
 * It is one state machine over character codes that creates no token objects, which keeps it about as
 * fast as JSON.parse on the whole text. Columns in messages count UTF-16 code units, as editors do.
 */
export interface JsonStreamHandler {
  /** A field name of the top-level object, as soon as it is read. */
  key(key: string, line: number): void;
  /**
   * An object or array begins as the value of a top-level field. Returning true streams an array's
   * elements through `element`; otherwise the value is built and passed to `member` when complete.
   */
  memberStart(key: string, kind: 'object' | 'array', line: number): boolean;
  /**
   * The value of a top-level field is complete (never called for a streamed array). `lines` gives the
   * line of every value inside it when it is an object or array.
   */
  member(key: string, value: unknown, line: number, lines: FieldLines | undefined): void;
  /** One element of a streamed array, with the line of every value inside it when it is an object or array. */
  element(arrayKey: string, index: number, value: unknown, line: number, lines: FieldLines | undefined): void;
}

// What the parser expects next.
const S_START = 0;
const S_VALUE = 1;
const S_VALUE_OR_CLOSE = 2;
const S_KEY_OR_CLOSE = 3;
const S_KEY = 4;
const S_COLON = 5;
const S_NEXT = 6;
const S_END = 7;
const S_STRING = 8;
const S_NUMBER = 9;
const S_LITERAL = 10;

// Where a string is in an escape sequence; chunks may end anywhere inside one.
const ESC_NONE = 0;
const ESC_BACKSLASH = 1;
const ESC_HEX = 2;
/** After a high surrogate escape, only the escape of its low surrogate may follow. */
const ESC_LOW_SURROGATE = 3;

// How a container is held.
const MODE_ROOT = 0;
const MODE_STREAMED = 1;
const MODE_BUILT = 2;

const NUMBER_SYNTAX = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const SIMPLE_ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

class Frame {
  /** The field being read (objects); for the top-level object, the member being read. */
  key: string | undefined = undefined;
  /** Elements completed so far (arrays), which is also the index of the one being read. */
  index = 0;
  /** Where the values inside a built object or array start, so that problems can name their lines. */
  readonly lines: FieldLines | undefined;

  constructor(
    readonly mode: number,
    readonly isArray: boolean,
    readonly value: Record<string, unknown> | unknown[] | undefined,
    readonly line: number,
  ) {
    this.lines = mode === MODE_BUILT ? new FieldLines(line) : undefined;
  }
}

export class JsonStreamParser {
  private state = S_START;
  private readonly stack: Frame[] = [];
  /** Current line, and the absolute offset (in UTF-16 units) where it starts, for columns. */
  private line = 1;
  private lineStart = 0;
  /** Absolute offset of the first unit of the chunk being parsed. */
  private base = 0;

  // The token being read; it may span chunks.
  private tokenLine = 1;
  private tokenColumn = 1;
  private str = '';
  private strIsKey = false;
  private esc = ESC_NONE;
  private hex = 0;
  private hexDigits = 0;
  private highSurrogate = 0;
  private num = '';
  /**
   * Characters of text plus values in the record being built. Each value is bounded by the length limit,
   * but a record of many values is not, and a hostile file could make one record the size of the file.
   */
  private recordSize = 0;
  private literal = '';
  private literalMatched = 0;

  constructor(
    private readonly file: string,
    private readonly limits: ResolvedLimits,
    private readonly handler: JsonStreamHandler,
  ) {}

  /** The line the parser has reached, for errors found outside it (such as invalid UTF-8). */
  get currentLine(): number {
    return this.line;
  }

  /** The column the parser has reached (after the last chunk written). */
  get currentColumn(): number {
    return this.base - this.lineStart + 1;
  }

  write(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === S_STRING) {
        i = this.scanString(text, i);
        continue;
      }
      // Numbers and literals end at whatever is not part of them, whitespace included.
      if (state === S_NUMBER) {
        i = this.scanNumber(text, i);
        continue;
      }
      if (state === S_LITERAL) {
        i = this.scanLiteral(text, i);
        continue;
      }
      let c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        // Pretty-printed exports are mostly indentation, so whitespace gets its own tight loop.
        for (;;) {
          if (c === 0x0a) {
            this.line++;
            this.lineStart = this.base + i + 1;
          }
          if (++i === n) break;
          c = text.charCodeAt(i);
          if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
        }
        continue;
      }
      i = this.structural(text, i, c);
    }
    this.base += n;
  }

  /** The input has ended: anything but a complete top-level object is a truncated file. */
  end(): void {
    if (this.state === S_END) return;
    if (this.state === S_START) {
      // An empty file has no line to point at.
      throw this.error('ERR_ECD_TRUNCATED', 'the file is empty: expected the export object', null);
    }
    let what: string;
    if (this.state === S_STRING) {
      const where = this.path();
      what =
        `${this.strIsKey ? 'a field name' : 'a string'} that starts at line ${this.tokenLine}` +
        (where === '' ? '' : ` (in ${where})`);
    } else if (this.state === S_NUMBER || this.state === S_LITERAL) {
      what = `a value at line ${this.tokenLine} (${this.path()})`;
    } else {
      const top = this.stack[this.stack.length - 1]!;
      const where = this.path(this.stack.length - 1);
      what = where === '' ? 'the top-level object' : `${where}, which starts at line ${top.line}`;
    }
    throw this.error('ERR_ECD_TRUNCATED', `file ends in the middle of ${what}, at line ${this.line}`);
  }

  private structural(text: string, i: number, c: number): number {
    switch (this.state) {
      case S_START:
        if (c !== 0x7b) {
          if (
            c === 0x5b ||
            c === 0x22 ||
            c === 0x2d ||
            (c >= 0x30 && c <= 0x39) ||
            c === 0x74 ||
            c === 0x66 ||
            c === 0x6e
          ) {
            throw this.error(
              'ERR_ECD_STRUCTURE',
              `the export must be a JSON object, but the file starts with ${c === 0x5b ? 'an array' : 'a single value'} at line ${this.line}`,
            );
          }
          throw this.unexpected(text, i, 'the export object');
        }
        return this.valueStart(text, i, c);
      case S_VALUE:
        return this.valueStart(text, i, c);
      case S_VALUE_OR_CLOSE:
        if (c === 0x5d) return this.close(i);
        return this.valueStart(text, i, c);
      case S_KEY_OR_CLOSE:
        if (c === 0x7d) return this.close(i);
        return this.keyStart(text, i, c);
      case S_KEY:
        return this.keyStart(text, i, c);
      case S_COLON:
        if (c !== 0x3a) throw this.unexpected(text, i, "':' after the field name");
        this.state = S_VALUE;
        return i + 1;
      case S_NEXT: {
        const top = this.stack[this.stack.length - 1]!;
        if (c === 0x2c) {
          if (top.isArray) {
            this.state = S_VALUE;
          } else {
            top.key = undefined;
            this.state = S_KEY;
          }
          return i + 1;
        }
        if (c === (top.isArray ? 0x5d : 0x7d)) return this.close(i);
        throw this.unexpected(text, i, top.isArray ? "',' or ']'" : "',' or '}'");
      }
      default:
        throw this.unexpected(text, i, 'nothing after the end of the export object');
    }
  }

  private keyStart(text: string, i: number, c: number): number {
    if (c !== 0x22) throw this.unexpected(text, i, 'a field name in double quotes');
    this.beginToken(i);
    this.strIsKey = true;
    this.state = S_STRING;
    return i + 1;
  }

  private valueStart(text: string, i: number, c: number): number {
    if (c === 0x22) {
      this.beginToken(i);
      this.strIsKey = false;
      this.state = S_STRING;
      return i + 1;
    }
    if (c === 0x7b || c === 0x5b) {
      this.open(c === 0x5b, i);
      return i + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.beginToken(i);
      this.state = S_NUMBER;
      return i;
    }
    const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
    if (literal === undefined) throw this.unexpected(text, i, 'a value');
    this.beginToken(i);
    this.literal = literal;
    this.literalMatched = 0;
    this.state = S_LITERAL;
    return i;
  }

  private beginToken(i: number): void {
    this.tokenLine = this.line;
    this.tokenColumn = this.base + i - this.lineStart + 1;
  }

  private open(isArray: boolean, i: number): void {
    const depth = this.stack.length + 1;
    if (depth > this.limits.maxDepth) {
      throw this.error(
        'ERR_ECD_STRUCTURE',
        `nesting deeper than ${this.limits.maxDepth} levels at line ${this.line}, column ${this.column(i)}`,
      );
    }
    const parent = this.stack[this.stack.length - 1];
    let frame: Frame;
    if (parent === undefined) {
      frame = new Frame(MODE_ROOT, false, undefined, this.line);
    } else if (
      parent.mode === MODE_ROOT &&
      this.handler.memberStart(parent.key!, isArray ? 'array' : 'object', this.line) &&
      isArray
    ) {
      frame = new Frame(MODE_STREAMED, true, undefined, this.line);
    } else {
      frame = new Frame(MODE_BUILT, isArray, isArray ? [] : {}, this.line);
    }
    this.stack.push(frame);
    this.state = isArray ? S_VALUE_OR_CLOSE : S_KEY_OR_CLOSE;
  }

  private close(i: number): number {
    const frame = this.stack.pop()!;
    if (frame.mode === MODE_ROOT) {
      this.state = S_END;
    } else if (frame.mode === MODE_STREAMED) {
      this.state = S_NEXT;
    } else {
      this.complete(frame.value, frame.line, frame.lines);
    }
    return i + 1;
  }

  /** A value is complete: put it where it belongs. */
  private complete(value: unknown, line: number, lines: FieldLines | undefined): void {
    const top = this.stack[this.stack.length - 1]!;
    this.state = S_NEXT;
    if (top.mode === MODE_BUILT) {
      if (++this.recordSize > this.limits.maxRecordSize) throw this.recordTooLarge();
      if (top.isArray) {
        (top.value as unknown[]).push(value);
        top.lines!.set(top.index, lines ?? line);
        top.index++;
        return;
      }
      const object = top.value as Record<string, unknown>;
      const key = top.key!;
      // Built values are never undefined, so the cheap load finds every duplicate; hasOwn only rules out
      // inherited names such as 'constructor'.
      if (object[key] !== undefined && Object.hasOwn(object, key)) {
        // JSON.parse would silently keep the last one; in a consent export either could be the intended one.
        throw this.error('ERR_ECD_STRUCTURE', `duplicate field '${key}' at line ${line}`, line);
      }
      if (key === '__proto__') {
        // Plain assignment would replace the object's prototype instead of adding a field.
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = value;
      }
      top.lines!.set(key, lines ?? line);
      return;
    }
    this.recordSize = 0;
    if (top.mode === MODE_STREAMED) {
      this.handler.element(this.stack[0]!.key!, top.index, value, line, lines);
      top.index++;
      return;
    }
    this.handler.member(top.key!, value, line, lines);
  }

  private scanString(text: string, start: number): number {
    const n = text.length;
    let i = start;
    if (this.esc !== ESC_NONE) {
      i = this.scanEscape(text, i);
      if (this.esc !== ESC_NONE) return i;
    }
    let segment = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        if (i > segment) this.str += text.slice(segment, i);
        this.endString();
        return i + 1;
      }
      if (c === 0x5c) {
        if (i > segment) this.appendChecked(text.slice(segment, i));
        this.esc = ESC_BACKSLASH;
        i = this.scanEscape(text, i + 1);
        if (this.esc !== ESC_NONE) return i;
        segment = i;
        continue;
      }
      if (c < 0x20) {
        throw this.error(
          'ERR_ECD_SYNTAX',
          `control character ${show(c)} inside a string at line ${this.line}, column ${this.column(i)}` +
            (c === 0x0a ? ' (the string is not closed on its line)' : ''),
        );
      }
      i++;
    }
    if (n > segment) this.appendChecked(text.slice(segment, n));
    return n;
  }

  private appendChecked(part: string): void {
    this.str += part;
    if (this.str.length > this.limits.maxValueLength) throw this.tooLarge('string');
  }

  private scanEscape(text: string, start: number): number {
    const n = text.length;
    let i = start;
    while (i < n && this.esc !== ESC_NONE) {
      const c = text.charCodeAt(i);
      if (this.esc === ESC_BACKSLASH) {
        if (c === 0x75) {
          this.esc = ESC_HEX;
          this.hex = 0;
          this.hexDigits = 0;
        } else {
          if (this.highSurrogate !== 0) throw this.loneSurrogate(i);
          const simple = SIMPLE_ESCAPES[c];
          if (simple === undefined) {
            throw this.error(
              'ERR_ECD_SYNTAX',
              `invalid escape '\\${text[i]}' at line ${this.line}, column ${this.column(i) - 1}`,
            );
          }
          this.str += simple;
          this.esc = ESC_NONE;
        }
      } else if (this.esc === ESC_HEX) {
        const digit = hexValue(c);
        if (digit < 0) {
          throw this.error(
            'ERR_ECD_SYNTAX',
            `invalid \\u escape: '${text[i]}' is not a hex digit, at line ${this.line}, column ${this.column(i)}`,
          );
        }
        this.hex = this.hex * 16 + digit;
        if (++this.hexDigits === 4) this.codeUnit(this.hex, i);
      } else {
        if (c !== 0x5c) throw this.loneSurrogate(i);
        this.esc = ESC_BACKSLASH;
      }
      i++;
    }
    return i;
  }

  /**
   * Surrogate halves must pair up: a lone one is legal JSON text but not a character, and PostgreSQL
   * (where the records end up) refuses it, so better to say so here with a position.
   */
  private codeUnit(unit: number, i: number): void {
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    if (this.highSurrogate !== 0) {
      if (!isLow) throw this.loneSurrogate(i);
      this.str += String.fromCharCode(this.highSurrogate, unit);
      this.highSurrogate = 0;
      this.esc = ESC_NONE;
    } else if (isHigh) {
      this.highSurrogate = unit;
      this.esc = ESC_LOW_SURROGATE;
    } else if (isLow) {
      throw this.loneSurrogate(i);
    } else {
      this.str += String.fromCharCode(unit);
      this.esc = ESC_NONE;
    }
  }

  private loneSurrogate(i: number): EcdReadError {
    return this.error(
      'ERR_ECD_SYNTAX',
      `unpaired surrogate in a \\u escape at line ${this.line}, column ${this.column(i)}`,
    );
  }

  private endString(): void {
    const value = this.str;
    this.str = '';
    if (value.length > this.limits.maxValueLength) throw this.tooLarge('string');
    this.recordSize += value.length;
    if (this.strIsKey) {
      const top = this.stack[this.stack.length - 1]!;
      if (top.mode === MODE_ROOT) this.handler.key(value, this.tokenLine);
      top.key = value;
      this.state = S_COLON;
    } else {
      this.complete(value, this.tokenLine, undefined);
    }
  }

  private scanNumber(text: string, start: number): number {
    const n = text.length;
    let i = start;
    while (i < n) {
      const c = text.charCodeAt(i);
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) i++;
      else break;
    }
    if (i > start) {
      this.num += text.slice(start, i);
      if (this.num.length > this.limits.maxValueLength) throw this.tooLarge('number');
    }
    if (i < n) {
      const literal = this.num;
      this.num = '';
      if (!NUMBER_SYNTAX.test(literal)) {
        throw this.error(
          'ERR_ECD_SYNTAX',
          `invalid number '${literal}' at line ${this.tokenLine}, column ${this.tokenColumn}`,
          this.tokenLine,
        );
      }
      this.complete(Number(literal), this.tokenLine, undefined);
    }
    return i;
  }

  private scanLiteral(text: string, start: number): number {
    const n = text.length;
    const literal = this.literal;
    let i = start;
    while (i < n && this.literalMatched < literal.length) {
      if (text.charCodeAt(i) !== literal.charCodeAt(this.literalMatched)) {
        throw this.unexpected(text, i, `'${literal}'`);
      }
      i++;
      this.literalMatched++;
    }
    if (this.literalMatched === literal.length) {
      this.complete(
        literal === 'true' ? true : literal === 'false' ? false : null,
        this.tokenLine,
        undefined,
      );
    }
    return i;
  }

  private column(i: number): number {
    return this.base + i - this.lineStart + 1;
  }

  /** Where the parser is, as a field path: `clients[3].name.given[0]`; `depth` limits the frames used. */
  private path(depth = this.stack.length): string {
    let path = '';
    for (let k = 0; k < depth; k++) {
      const frame = this.stack[k]!;
      if (frame.isArray) path += `[${frame.index}]`;
      else if (frame.key !== undefined) path += path === '' ? frame.key : `.${frame.key}`;
      else break;
    }
    return path;
  }

  private tooLarge(what: 'string' | 'number'): EcdReadError {
    return this.error(
      'ERR_ECD_VALUE_TOO_LONG',
      `${what === 'string' && this.strIsKey ? 'field name' : what} longer than ${this.limits.maxValueLength} ` +
        `characters, starting at line ${this.tokenLine}, column ${this.tokenColumn}`,
      this.tokenLine,
    );
  }

  private recordTooLarge(): EcdReadError {
    const record = this.stack[this.stack[1]?.mode === MODE_STREAMED ? 2 : 1]!;
    return this.error(
      'ERR_ECD_RECORD_TOO_LARGE',
      `record larger than ${this.limits.maxRecordSize} characters, starting at line ${record.line} ` +
        `(reached at line ${this.line})`,
      record.line,
    );
  }

  private unexpected(text: string, i: number, expected: string): EcdReadError {
    const shown = String.fromCodePoint(text.codePointAt(i)!);
    return this.error(
      'ERR_ECD_SYNTAX',
      `unexpected character ${show(shown.codePointAt(0)!)} at line ${this.line}, column ${this.column(i)}; ` +
        `expected ${expected}`,
    );
  }

  /** An error at `line` (null: one about the file as a whole), in the record and field being read. */
  error(code: EcdReadErrorCode, reason: string, line: number | null = this.line): EcdReadError {
    const element = this.stack[1];
    const index = element?.mode === MODE_STREAMED ? element.index : undefined;
    const field = this.path();
    return new EcdReadError(
      code,
      reason,
      positionAt(this.file, line ?? undefined, index),
      field === '' ? undefined : field,
    );
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** A character for a message: itself when printable, its code otherwise. */
function show(codePoint: number): string {
  if (codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint < 0xa0)) {
    return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${String.fromCodePoint(codePoint)}'`;
}
