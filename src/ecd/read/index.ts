export { readEcdCsvDirectory } from './csv-reader';
export { readEcdExport } from './export-reader';
export { FieldLines, lineOfField } from './field-lines';
export { readEcdJson, readEcdJsonStream } from './json-reader';
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_VALUE_LENGTH,
  EcdReadError,
  type EcdEntity,
  type EcdReadErrorCode,
  type EcdRecord,
  type ReadLimits,
  type RecordPosition,
  type SourcePosition,
} from './types';
