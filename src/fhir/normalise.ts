import { searchParameter, type SearchParameter } from '../consent';
import { FormatNotSupported, InteractionNotSupported, MalformedRequest } from './errors';
import type { FhirRequest } from './request';

/**
 * Step 2, normalise: one HTTP request in, one FhirRequest out, whatever its form. GET, HEAD and
 * POST `_search` (form body merged after the URL's parameters), `Patient/x/Observation`,
 * percent-encoding, a trailing slash and `_format` all arrive at the same shape, so that every
 * entry point takes the same path through the scope check, the decision and the filter (leak
 * vector 24). What cannot be read is refused here, before anything is decided or fetched.
 */
export interface HttpRequestLine {
  readonly method: string;
  /** The path under the FHIR base, percent-encoded as received (`/Observation/o1/_history/2`). */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  readonly contentType?: string;
  readonly accept?: string;
  /** The body as parsed: name → value(s) for a form, the JSON value for FHIR JSON, or undefined. */
  readonly body?: unknown;
}

const TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const OPERATION = /^\$[a-z][A-Za-z0-9-]{0,63}$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** `_format` values that mean FHIR JSON (the only format offered). */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
/** Parameters that change nothing the gateway answers, taken out here. */
const PRESENTATION = new Set(['_format', '_pretty']);

export function normalise(line: HttpRequestLine): FhirRequest {
  const method = line.method.toUpperCase();
  if (!METHODS.has(method))
    throw new InteractionNotSupported(`the method ${method.slice(0, 16)} is not supported`);
  const segments = segmentsOf(line.path);
  acceptJson(line.accept);

  const parameters: SearchParameter[] = [];
  let cursor: string | undefined;
  const add = (key: string, value: string) => {
    if (key === '_method') throw new MalformedRequest('_method is not supported: use the HTTP method itself');
    if (key === '_format') return formatOf(value);
    if (PRESENTATION.has(key)) return;
    if (key === '_cursor') {
      if (cursor !== undefined) throw new MalformedRequest('a request takes one _cursor');
      cursor = value;
      return;
    }
    if (key.length === 0) throw new MalformedRequest('a parameter needs a name');
    parameters.push(searchParameter(key, value));
  };
  for (const [key, value] of new URLSearchParams(line.query)) add(key, value);

  const shape = shapeOf(method as FhirRequest['method'], segments);
  if (shape.interaction === 'search' && method === 'POST') {
    for (const [key, value] of formEntries(line)) add(key, value);
  }
  if (
    cursor !== undefined &&
    shape.interaction !== 'search' &&
    shape.interaction !== 'history' &&
    shape.interaction !== 'everything'
  )
    throw new MalformedRequest('_cursor belongs to a paging link of a search');
  return Object.freeze({
    ...shape,
    method: method as FhirRequest['method'],
    headOnly: method === 'HEAD',
    parameters: Object.freeze(parameters.map((p) => Object.freeze(p))),
    ...(cursor === undefined ? {} : { cursor }),
    ...(shape.interaction === 'create' || shape.interaction === 'update' ? { body: line.body } : {}),
  });
}

type Shape = Pick<
  FhirRequest,
  'interaction' | 'resourceType' | 'id' | 'versionId' | 'compartment' | 'operation'
>;

/** The interaction a method and path name. */
function shapeOf(method: FhirRequest['method'], s: readonly string[]): Shape {
  const read = method === 'GET' || method === 'HEAD';
  const [first, second, third, fourth, ...rest] = s;
  if (first === undefined) {
    if (method === 'POST') return { interaction: 'batch' };
    throw new InteractionNotSupported('a search across all types is not supported; search one type');
  }
  if (first === 'metadata' && s.length === 1 && read) return { interaction: 'capabilities' };
  if (first.startsWith('_') || first.startsWith('$'))
    throw new InteractionNotSupported(`'${first.slice(0, 32)}' at the base is not supported`);
  const type = typeOf(first);
  if (second === undefined) {
    if (read) return { interaction: 'search', resourceType: type };
    if (method === 'POST') return { interaction: 'create', resourceType: type };
    throw new InteractionNotSupported(`${method} on a type is not supported`);
  }
  if (second === '_search') {
    if (s.length !== 2 || method !== 'POST')
      throw new InteractionNotSupported('_search takes POST with a form body');
    return { interaction: 'search', resourceType: type };
  }
  if (second === '_history')
    throw new InteractionNotSupported('the history of a whole type is not supported');
  if (second.startsWith('$')) return operationOn(type, undefined, second, s.length === 2);
  const id = idOf(second);
  if (third === undefined) {
    if (read) return { interaction: 'read', resourceType: type, id };
    if (method === 'PUT') return { interaction: 'update', resourceType: type, id };
    if (method === 'PATCH') return { interaction: 'patch', resourceType: type, id };
    if (method === 'DELETE') return { interaction: 'delete', resourceType: type, id };
    throw new InteractionNotSupported(`${method} on a resource is not supported`);
  }
  if (third === '_history') {
    if (!read) throw new InteractionNotSupported('history is read with GET');
    if (fourth === undefined) return { interaction: 'history', resourceType: type, id };
    if (rest.length > 0) throw new MalformedRequest('not a FHIR path');
    return { interaction: 'vread', resourceType: type, id, versionId: idOf(fourth) };
  }
  if (third.startsWith('$')) {
    const shape = operationOn(type, id, third, s.length === 3);
    return shape;
  }
  // A compartment search: Patient/x/Observation (GET) or Patient/x/Observation/_search (POST).
  if (type !== 'Patient')
    throw new InteractionNotSupported(`searches in a ${type} compartment are not supported`);
  const inner = typeOf(third);
  const posted = fourth === '_search' && rest.length === 0 && method === 'POST';
  if (!((fourth === undefined && read) || posted)) throw new MalformedRequest('not a FHIR path');
  return { interaction: 'search', resourceType: inner, compartment: { resourceType: 'Patient', id } };
}

function operationOn(type: string, id: string | undefined, name: string, last: boolean): Shape {
  if (!last || !OPERATION.test(name)) throw new MalformedRequest('not a FHIR path');
  if (name === '$everything' && type === 'Patient' && id !== undefined)
    return { interaction: 'everything', resourceType: type, id, operation: name };
  return {
    interaction: 'operation',
    resourceType: type,
    ...(id === undefined ? {} : { id }),
    operation: name,
  };
}

function segmentsOf(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new MalformedRequest('the path is not validly percent-encoded');
    }
    if (decoded.length === 0 || decoded.includes('/')) throw new MalformedRequest('not a FHIR path');
    return decoded;
  });
}

function typeOf(segment: string): string {
  if (!TYPE.test(segment))
    throw new MalformedRequest(`'${segment.slice(0, 64)}' is not a FHIR resource type`);
  return segment;
}

function idOf(segment: string): string {
  if (!ID.test(segment)) throw new MalformedRequest('not a FHIR resource id');
  return segment;
}

function formatOf(value: string): void {
  const format = value.split(';')[0]!.trim().toLowerCase();
  if (!JSON_FORMATS.has(format)) throw new FormatNotSupported('only FHIR JSON is offered (_format=json)');
}

/** An Accept header that rules out JSON is refused; none, or any of the JSON types, is fine. */
function acceptJson(accept: string | undefined): void {
  if (accept === undefined || accept.trim() === '') return;
  const ranges = accept.split(',').map((r) => r.split(';')[0]!.trim().toLowerCase());
  const ok = ranges.some(
    (r) =>
      r === '*/*' ||
      r === 'application/*' ||
      r === 'application/json' ||
      r === 'application/fhir+json' ||
      r === 'application/json+fhir',
  );
  if (!ok) throw new FormatNotSupported('only FHIR JSON is offered (Accept: application/fhir+json)');
}

/** The parameters of a POST _search form body; any other body is refused. */
function formEntries(line: HttpRequestLine): [string, string][] {
  const type = (line.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    line.body === undefined ||
    (typeof line.body === 'object' &&
      line.body !== null &&
      Object.keys(line.body).length === 0 &&
      type === '')
  )
    return [];
  if (type !== 'application/x-www-form-urlencoded')
    throw new MalformedRequest('POST _search takes an application/x-www-form-urlencoded body');
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(line.body as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string') throw new MalformedRequest(`the form field ${key.slice(0, 32)} is not text`);
      entries.push([key, v]);
    }
  }
  return entries;
}
