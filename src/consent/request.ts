import { InvalidInput } from '../errors';
import type { PatientReference, PersonReference } from '../vocabulary';

/**
 * The request as the access decision sees it: plain, read-only data. The FHIR pipeline's normaliser
 * (GET, HEAD and POST `_search`, percent-encoding, duplicate parameters) will produce it; until then
 * `parseRequestLine` builds it from a reviewer's request line.
 */

/** Who asks, as authentication established it. */
export interface AccessPrincipal {
  /** The user (SMART `fhirUser`): the client themself, or a relative or representative. */
  readonly user: PersonReference;
  /** The patient context of the token: whose dossier is read. */
  readonly patient: PatientReference;
  /** The portal app (OAuth client id), for the audit trail; the rules do not depend on it. */
  readonly clientApp?: string;
}

/** The FHIR RESTful interactions; the portal reads, so only the first four can be allowed. */
export const FHIR_INTERACTIONS = [
  'read',
  'vread',
  'search',
  'history',
  'create',
  'update',
  'patch',
  'delete',
  'operation',
] as const;
export type FhirInteraction = (typeof FHIR_INTERACTIONS)[number];

/**
 * One search parameter as the request states it. `category:not=vital-signs` is
 * `{ name: 'category', modifier: 'not', value: 'vital-signs' }`; a chain keeps its dots in the name
 * or modifier (`subject.name`, `subject:Patient.name`), so that it can be refused.
 */
export interface SearchParameter {
  /** The code before the first ':' (percent-decoded). */
  readonly name: string;
  /** Everything after the first ':' (e.g. 'not', 'missing', 'Patient', 'iterate'), when present. */
  readonly modifier?: string;
  /** The value, percent-decoded: ',' separates alternatives (FHIR's OR), '\,' is a literal comma. */
  readonly value: string;
}

/** A search: a resource type and its parameters, in the order given (repeats are FHIR's AND). */
export interface FhirSearch {
  readonly resourceType: string;
  readonly parameters: readonly SearchParameter[];
}

/** One FHIR request, parsed. */
export interface AccessRequest {
  readonly interaction: FhirInteraction;
  readonly resourceType: string;
  /** The resource id of a read, vread or instance history. */
  readonly id?: string;
  /** The version of a vread. */
  readonly versionId?: string;
  /** The search parameters (none for a read). */
  readonly parameters: readonly SearchParameter[];
  /** Purpose of use (v3-ActReason) when the request states one; the portal's own purpose otherwise. */
  readonly purpose?: string;
  /** The moment the request is decided for: the request's arrival, never read from a clock here. */
  readonly at: Date;
}

/** The search a request states (its type and parameters): what `narrow` takes. */
export function searchOf(request: AccessRequest): FhirSearch {
  return { resourceType: request.resourceType, parameters: request.parameters };
}

/** `name[:modifier]` and a value as one parameter. */
export function searchParameter(key: string, value: string): SearchParameter {
  const colon = key.indexOf(':');
  if (colon < 0) return { name: key, value };
  return { name: key.slice(0, colon), modifier: key.slice(colon + 1), value };
}

/** The alternatives of a value: split on commas that are not escaped ('\,'); escapes are kept. */
export function alternativesOf(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '\\') i += 1;
    else if (value[i] === ',') {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** A literal text as a search value: FHIR escapes ',', '$', '|' and '\' with a backslash. */
export function escapeSearchValue(text: string): string {
  return text.replace(/[\\,$|]/g, (c) => `\\${c}`);
}

/** The codes of the plain `category` parameters of a request ('system|code' → 'code'). */
export function requestedCategories(parameters: readonly SearchParameter[]): string[] {
  return parameters
    .filter((p) => p.name === 'category' && p.modifier === undefined)
    .flatMap((p) => alternativesOf(p.value))
    .map((v) => v.split('|').at(-1) ?? v)
    .filter((v) => v.length > 0);
}

const REQUEST_LINE =
  /^\s*(GET|HEAD|POST)\s+\/?(?:fhir\/)?([A-Z][A-Za-z]+)(?:\/([A-Za-z0-9\-.]{1,64}|_search)(?:\/(_history)(?:\/([A-Za-z0-9\-.]{1,64}))?)?)?(?:\?(\S*))?\s*$/;

/** A reviewer's request line as a parsed request, for `inzage explain`. */
export interface ReviewerRequest extends AccessRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
}

/**
 * Parses a reviewer's request line ("GET /Observation?category=vital-signs", "GET /Patient/p1",
 * "GET /Observation/o1/_history/2") into the request the decision takes. Not the pipeline's
 * normaliser: it reads one line a person typed, and refuses what it does not recognise.
 */
export function parseRequestLine(line: string, at: Date): ReviewerRequest {
  const m = REQUEST_LINE.exec(line);
  const method = m?.[1] as ReviewerRequest['method'] | undefined;
  const resourceType = m?.[2];
  if (
    !m ||
    !method ||
    !resourceType ||
    (method === 'POST') !== (m[3] === '_search') ||
    (m[3] === '_search' && m[4])
  ) {
    throw new InvalidInput(
      `not a request line: '${line.slice(0, 200)}' (expected e.g. "GET /Observation?category=vital-signs")`,
      { code: 'ERR_INVALID_REQUEST_LINE' },
    );
  }
  const parameters = [...new URLSearchParams(m[6] ?? '')].map(([key, value]) => searchParameter(key, value));
  const id = m[3] === '_search' ? undefined : m[3];
  const interaction: FhirInteraction =
    id === undefined ? 'search' : m[4] === undefined ? 'read' : m[5] === undefined ? 'history' : 'vread';
  return {
    method,
    interaction,
    resourceType,
    ...(id === undefined ? {} : { id }),
    ...(m[5] === undefined ? {} : { versionId: m[5] }),
    parameters,
    at,
  };
}
