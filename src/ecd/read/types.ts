/** The kinds of record an ECD export is flattened into, in the order a CSV directory yields them. */
export type EcdEntity =
  | 'organisation'
  | 'clients'
  | 'careAgreements'
  | 'relations'
  | 'portalRegistrations'
  | 'portalAuthorisations'
  | 'clientAgreements';

/** Where a record (or an error) sits in the export, so that every report can point at the source. */
export interface SourcePosition {
  /** The file path (or, for a request body, the name the caller gave). */
  file: string;
  /** 1-based line; 0 when the error concerns the file as a whole (missing, unreadable, unexpected). */
  line: number;
  /** 0-based position of the record in its JSON array, or among the CSV file's data rows. */
  index?: number;
}

/** One raw record: fields as the export spelled them, not yet validated. */
export interface EcdRecord {
  entity: EcdEntity;
  record: Record<string, unknown>;
  position: SourcePosition;
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

export type EcdReadErrorCode =
  'ERR_ECD_SYNTAX' | 'ERR_ECD_TRUNCATED' | 'ERR_ECD_TOO_LARGE' | 'ERR_ECD_STRUCTURE' | 'ERR_ECD_IO';

/** The export cannot be read; `reason` is the bare explanation, `message` adds file, field and record. */
export class EcdReadError extends Error {
  constructor(
    readonly code: EcdReadErrorCode,
    readonly reason: string,
    readonly position: SourcePosition,
    readonly field?: string,
  ) {
    super(`${position.file}: ${reason}${describeWhere(position, field)}`);
    this.name = 'EcdReadError';
  }
}

function describeWhere(position: SourcePosition, field: string | undefined): string {
  const parts: string[] = [];
  if (field !== undefined) parts.push(`field ${field}`);
  if (position.index !== undefined) parts.push(`record ${position.index}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
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
