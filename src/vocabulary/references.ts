import { InvalidInput } from '../errors';

/**
 * Typed references to the people a decision is about, parsed in one place. A reference is exactly
 * `<Type>/<id>` with a FHIR id (1-64 of A-Z a-z 0-9 - .): no base URL, no version, no bare id. Exact
 * matching follows from it: 'Patient/12' is not 'Patient/123', and '12' is no reference at all.
 */
export type PatientReference = `Patient/${string}`;
export type RelatedPersonReference = `RelatedPerson/${string}`;
/** Who a portal user is (SMART `fhirUser`): the client, or a relative or representative. */
export type PersonReference = PatientReference | RelatedPersonReference;

export interface ParsedReference<T extends string = string> {
  readonly resourceType: T;
  readonly id: string;
  readonly reference: `${T}/${string}`;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

/** The refused input is echoed only up to this length: an error message is no place for a payload. */
const ECHO = 80;
const echo = (text: string) => (text.length > ECHO ? `${text.slice(0, ECHO)}…` : text);

/** Refused: a string that should be a reference is not one of the allowed kind. */
export class InvalidReference extends InvalidInput {
  constructor(text: string, expected: string) {
    super(`not a reference to ${expected}: '${echo(text)}'`, { code: 'ERR_INVALID_REFERENCE' });
  }
}

/** Parses `<Type>/<id>`; undefined when the text is not exactly that. */
export function tryParseReference(text: unknown): ParsedReference | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash <= 0 || slash !== text.lastIndexOf('/')) return undefined;
  const resourceType = text.slice(0, slash);
  const id = text.slice(slash + 1);
  if (!RESOURCE_TYPE.test(resourceType) || !FHIR_ID.test(id)) return undefined;
  return { resourceType, id, reference: `${resourceType}/${id}` };
}

/** Parses a reference of one of the given types, or throws InvalidReference. */
export function parseReference<T extends string>(text: unknown, types: readonly T[]): ParsedReference<T> {
  const parsed = tryParseReference(text);
  if (!parsed || !(types as readonly string[]).includes(parsed.resourceType))
    throw new InvalidReference(String(text), types.map((t) => `${t}/<id>`).join(' or '));
  return parsed as ParsedReference<T>;
}

export function parsePatientReference(text: unknown): ParsedReference<'Patient'> {
  return parseReference(text, ['Patient']);
}

export function parsePersonReference(text: unknown): ParsedReference<'Patient' | 'RelatedPerson'> {
  return parseReference(text, ['Patient', 'RelatedPerson']);
}

export function isPatientReference(text: unknown): text is PatientReference {
  return tryParseReference(text)?.resourceType === 'Patient';
}

export function isPersonReference(text: unknown): text is PersonReference {
  const type = tryParseReference(text)?.resourceType;
  return type === 'Patient' || type === 'RelatedPerson';
}

export function patientReference(id: string): PatientReference {
  return parsePatientReference(`Patient/${id}`).reference;
}

export function relatedPersonReference(id: string): RelatedPersonReference {
  return parseReference(`RelatedPerson/${id}`, ['RelatedPerson']).reference;
}
