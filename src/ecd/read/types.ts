import { GatewayError } from '../../errors';
import type { FieldLines } from './field-lines';

/** The kinds of record an ECD export is flattened into, in the order a CSV directory yields them. */
export type EcdEntity =
  | 'organisation'
  | 'clients'
  | 'careAgreements'
  | 'relations'
  | 'portalRegistrations'
  | 'portalAuthorisations'
  | 'clientAgreements';

/** Where an error sits in the export, so that every report can point at the source. */
export interface SourcePosition {
  /** The file path (or, for a request body, the name the caller gave). */
  file: string;
  /**
   * 1-based line. Absent when the error concerns the file as a whole (missing, unreadable, empty, of
   * the wrong kind): such an error has no line, and a report must not invent one.
   */
  line?: number;
  /** 0-based position of the record in its JSON array, or among the CSV file's data rows. */
  index?: number;
}

/** Where a record sits: always on a line, and with the lines of its fields when they differ from it. */
export interface RecordPosition extends SourcePosition {
  /** 1-based line the record starts on. */
  line: number;
  /**
   * The line of each value in the record, when the reader knows it (JSON always; CSV for a row whose
   * quoted fields span lines). Use `lineOfField` rather than reading this directly.
   */
  fields?: FieldLines;
}

/** One raw record: fields as the export spelled them, not yet validated. */
export interface EcdRecord {
  entity: EcdEntity;
  record: Record<string, unknown>;
  position: RecordPosition;
}

export interface ReadLimits {
  /**
   * Longest single string or number (in UTF-16 code units after unescaping) or CSV field; default 64 KiB.
   * Nothing in the export format comes near it, so a longer value means a broken or hostile file, and the
   * reader stops before buffering it. One JSON record (an array element, with what is nested in it, or
   * the organisation) may hold at most 16 times as much text.
   */
  maxValueLength?: number;
  /** Deepest nesting of JSON objects and arrays, the top-level object counting as 1; default 16. */
  maxDepth?: number;
}

export const DEFAULT_MAX_VALUE_LENGTH = 64 * 1024;
export const DEFAULT_MAX_DEPTH = 16;

export interface ResolvedLimits {
  maxValueLength: number;
  maxDepth: number;
  /** Characters of text plus values in one JSON record. */
  maxRecordSize: number;
}

const RECORD_SIZE_FACTOR = 16;

export function resolveLimits(options: ReadLimits | undefined): ResolvedLimits {
  const maxValueLength = options?.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxValueLength) || maxValueLength < 1) {
    throw new RangeError(`maxValueLength must be a positive integer (got ${maxValueLength})`);
  }
  // Below 3 not even the top-level object, an array and one element in it fit.
  if (!Number.isInteger(maxDepth) || maxDepth < 3) {
    throw new RangeError(`maxDepth must be an integer of at least 3 (got ${maxDepth})`);
  }
  return { maxValueLength, maxDepth, maxRecordSize: maxValueLength * RECORD_SIZE_FACTOR };
}

/**
 * Why an export cannot be read, with the HTTP status a push that ends in it gets. Everything about the
 * content is 422: the request was well-formed (its size and media type passed), what it says is not.
 * ERR_ECD_IO is the gateway failing to read a file it was pointed at, which says nothing about the
 * content. (ERR_ECD_TOO_LARGE, 413, is the push's limit on the whole body; it is not raised here.)
 */
const STATUS = {
  /** Not well-formed JSON or CSV, or not valid UTF-8. */
  ERR_ECD_SYNTAX: 422,
  /** The file ends before the export does (or is empty). */
  ERR_ECD_TRUNCATED: 422,
  /** A single string, number, field name or CSV field longer than `maxValueLength`. */
  ERR_ECD_VALUE_TOO_LONG: 422,
  /** A single JSON record holding more than 16 times `maxValueLength` of text. */
  ERR_ECD_RECORD_TOO_LARGE: 422,
  /** Well-formed, but not shaped as an export: unknown or missing fields, files or columns, a wrong format or version. */
  ERR_ECD_STRUCTURE: 422,
  /** The file or directory could not be read. */
  ERR_ECD_IO: 500,
} as const;

export type EcdReadErrorCode = keyof typeof STATUS;

/** The export cannot be read; `reason` is the bare explanation, `message` adds file, field and record. */
export class EcdReadError extends GatewayError {
  declare readonly code: EcdReadErrorCode;

  constructor(
    code: EcdReadErrorCode,
    readonly reason: string,
    readonly position: SourcePosition,
    readonly field?: string,
  ) {
    super(code, STATUS[code], `${position.file}: ${reason}${describeWhere(position, field)}`);
  }
}

function describeWhere(position: SourcePosition, field: string | undefined): string {
  const parts: string[] = [];
  if (field !== undefined) parts.push(`field ${field}`);
  if (position.index !== undefined) parts.push(`record ${position.index}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A position with only the parts that are known: no `line` or `index` key when there is none. */
export function positionAt(file: string, line?: number, index?: number): SourcePosition {
  const position: SourcePosition = { file };
  if (line !== undefined) position.line = line;
  if (index !== undefined) position.index = index;
  return position;
}

/** Shows a value in a message without letting a huge or multi-line value swamp it. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = `'${value}'`;
  else if (value === undefined) text = 'nothing';
  else if (Array.isArray(value)) text = 'an array';
  else if (value !== null && typeof value === 'object') text = 'an object';
  else text = String(value);
  text = JSON.stringify(text).slice(1, -1);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
