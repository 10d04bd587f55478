import type { IncomingMessage } from 'node:http';
import { getSearchParameters, isResourceType } from '@medplum/core';
import type { HttpMethod } from '@medplum/fhir-router';
import { BadSearchParameter, SandboxRefusal, UnsupportedOperation } from './errors';
import { withPageSize } from './paging';
import { toQuery, toSearchParams, type Query } from './query';

/**
 * The sandbox's reading of an HTTP request, in the order the server takes the steps: where it goes
 * (parseTarget), whether the sandbox serves that at all (refuseUnsupported), and what it asks
 * (readCall). Each step either returns a typed value or throws a SandboxRefusal.
 */

export const BASE_PATH = '/fhir';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Result parameters the router understands besides the search parameters of each type. */
const RESULT_PARAMETERS = new Set([
  '_count',
  '_offset',
  '_sort',
  '_total',
  '_summary',
  '_include',
  '_revinclude',
  '_elements',
  '_format',
  '_pretty',
]);
/** The one operation the router implements: POST $graphql, at the base. */
const GRAPHQL = '$graphql';

export interface Target {
  /** The method as the router takes it: HEAD is answered as GET, without the body. */
  method: HttpMethod;
  headOnly: boolean;
  /** The path below the FHIR base, without a trailing slash: '' for the base itself. */
  path: string;
  segments: string[];
  url: URL;
}

/** A search of one type; `viaPost` for POST [type]/_search. The query already has its page size. */
export interface SearchCall {
  kind: 'search';
  type: string;
  query: Query;
  viaPost: boolean;
}

/** Any other interaction, with the parsed body of a write. */
export interface OtherCall {
  kind: 'other';
  body?: unknown;
}

export type Call = SearchCall | OtherCall;

/** Step 1: the path below the FHIR base and the method; anything else is no FHIR request. */
export function parseTarget(req: IncomingMessage): Target {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
    throw new SandboxRefusal(
      'ERR_SANDBOX_NOT_FHIR',
      404,
      'not-found',
      `Not a FHIR endpoint; the base is ${BASE_PATH}`,
    );
  }
  if (!METHODS.has(method)) {
    throw new SandboxRefusal('ERR_SANDBOX_METHOD', 405, 'not-supported', `Method ${method} is not supported`);
  }
  const path = url.pathname.slice(BASE_PATH.length).replace(/\/+$/, '');
  return {
    method: (method === 'HEAD' ? 'GET' : method) as HttpMethod,
    headOnly: method === 'HEAD',
    path,
    segments: path.split('/').filter(Boolean),
    url,
  };
}

/**
 * Step 2: what the sandbox does not serve gets a clear answer instead of the router's 404. An
 * operation ($everything, $lastn, $meta, … at any level) is a 501 naming it; an unknown type a 404;
 * a system-level search a 400, because the router's ignores _type and answers with nothing.
 */
export function refuseUnsupported(target: Target): void {
  const { segments, method } = target;
  const isGraphql = segments.length === 1 && segments[0] === GRAPHQL && method === 'POST';
  const operation = segments.find((segment) => segment.startsWith('$'));
  if (operation && !isGraphql) throw new UnsupportedOperation(operation);
  const type = segments[0];
  if (type && !isGraphql && !isResourceType(type)) {
    throw new SandboxRefusal('ERR_SANDBOX_NOT_FHIR', 404, 'not-found', `Unknown resource type: ${type}`);
  }
  if (method === 'GET' && segments.length === 0) {
    throw new SandboxRefusal(
      'ERR_SANDBOX_SYSTEM_SEARCH',
      400,
      'not-supported',
      'System-level search is not supported',
    );
  }
}

/**
 * Step 3: what the request asks. A search gets its parameters from the URL and, for POST _search,
 * the form body as well (FHIR counts both), checked and given a page size. A write gets its JSON body.
 */
export async function readCall(req: IncomingMessage, target: Target): Promise<Call> {
  const { method, segments, url } = target;
  const lenient = /handling\s*=\s*lenient/i.test(String(req.headers.prefer ?? ''));
  const type = segments[0] as string;
  if (method === 'GET' && segments.length === 1) {
    return { kind: 'search', type, query: searchQuery(type, url.searchParams, lenient), viaPost: false };
  }
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return { kind: 'other' };

  const text = await readBody(req);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (method === 'POST' && segments.length === 2 && segments[1] === '_search') {
    if (text && contentType !== 'application/x-www-form-urlencoded') {
      throw unsupportedBody('POST _search takes application/x-www-form-urlencoded');
    }
    const params = new URLSearchParams([...url.searchParams, ...new URLSearchParams(text)]);
    return { kind: 'search', type, query: searchQuery(type, params, lenient), viaPost: true };
  }
  if (!text) return { kind: 'other' };
  if (!/^application\/(fhir\+json|json|json-patch\+json)$/.test(contentType)) {
    throw unsupportedBody(`Unsupported content type: ${contentType}`);
  }
  return { kind: 'other', body: parseJson(text) };
}

/** The URL the router is given: a GET search with the query as checked, anything else as sent. */
export function routerUrl(target: Target, call: Call): string {
  const path = target.path || '/';
  if (call.kind === 'search') {
    if (call.viaPost) return path;
    const search = toSearchParams(call.query).toString();
    return `${path}${search ? `?${search}` : ''}`;
  }
  return `${path}${target.url.search}`;
}

function searchQuery(type: string, params: URLSearchParams, lenient: boolean): Query {
  return withPageSize(checkSearchParameters(type, toQuery(params), lenient));
}

/**
 * MemoryRepository answers an unknown parameter (or `_has`) with an empty result instead of an
 * error. Against an upstream like that, a gateway that narrows with a misspelt parameter would pass
 * its tests by returning nothing. So the sandbox is strict, as FHIR allows: unknown parameters are a
 * 400, unless the client asks for `Prefer: handling=lenient`, in which case they are dropped.
 */
function checkSearchParameters(type: string, query: Query, lenient: boolean): Query {
  const known = getSearchParameters(type) ?? {};
  const kept: Query = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const base = name.split(/[:.]/)[0] ?? name;
    if (RESULT_PARAMETERS.has(base) || (base !== '_has' && Object.hasOwn(known, base))) {
      kept[name] = value;
    } else {
      unknown.push(name);
    }
  }
  if (unknown.length > 0 && !lenient) {
    throw new BadSearchParameter(
      `Unknown or unsupported search parameter(s) for ${type}: ${unknown.join(', ')}`,
      'not-supported',
    );
  }
  return kept;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new SandboxRefusal('ERR_SANDBOX_BODY', 413, 'too-costly', 'Request body too large');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unsupportedBody(text: string): SandboxRefusal {
  return new SandboxRefusal('ERR_SANDBOX_BODY', 415, 'not-supported', text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SandboxRefusal('ERR_SANDBOX_BODY', 400, 'structure', 'Request body is not valid JSON');
  }
}
