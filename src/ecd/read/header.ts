import { ECD_EXPORT_FORMAT, ECD_EXPORT_VERSION } from '../export-format';
import { show } from './types';

/**
 * Both readers check the header as soon as they see it: a file in another format or version should be
 * refused before thousands of its records are staged and validated against the wrong schemas.
 */
export function formatProblem(value: unknown): string | undefined {
  if (value === ECD_EXPORT_FORMAT) return undefined;
  return `format must be '${ECD_EXPORT_FORMAT}' (got ${show(value)})`;
}

export function versionProblem(value: unknown): string | undefined {
  if (value === ECD_EXPORT_VERSION) return undefined;
  if (typeof value === 'number') {
    return `unsupported version ${value}: this gateway reads version ${ECD_EXPORT_VERSION}`;
  }
  return `version must be the number ${ECD_EXPORT_VERSION} (got ${show(value)})`;
}

/** The header fields that the organisation record carries next to the organisation's own fields. */
export const HEADER_FIELDS = ['format', 'version', 'exportedAt', 'mode'] as const;

/** Header fields an export may leave out (`mode` defaults to a full export). */
export const OPTIONAL_HEADER_FIELDS: readonly string[] = ['mode'];
