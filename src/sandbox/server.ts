import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  getSearchParameters,
  getStatus,
  isResourceType,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { capabilityStatement } from './capability';
import { keepSearchParametersNarrow, loadFhirDefinitions } from './definitions';
import type { SandboxServer, SandboxServerOptions } from './types';

const BASE_PATH = '/fhir';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Like a real FHIR server, answer in pages, so the gateway's paging code meets real paging links. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const READ_INTERACTIONS = new Set([
  'read',
  'vread',
  'history-instance',
  'history-type',
  'search-type',
  'search-system',
]);
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

function outcome(
  severity: 'error' | 'fatal',
  code: OperationOutcomeIssue['code'],
  text: string,
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function send(
  res: ServerResponse,
  status: number,
  body: Resource,
  headOnly: boolean,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': FHIR_JSON,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(headOnly ? undefined : text);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: OperationOutcome,
  ) {
    super(body.issue?.[0]?.details?.text ?? `HTTP ${status}`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, outcome('error', 'too-costly', 'Request body too large'));
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type Query = Record<string, string | string[]>;

function toQuery(params: URLSearchParams): Query {
  const query: Query = {};
  for (const [name, value] of params) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function toSearchParams(query: Query): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      params.append(name, v);
    }
  }
  return params;
}

function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Puts a page size on every search and caps it, as a production FHIR server would. */
function withPageSize(query: Query): Query {
  const requested = Number(lastValue(query._count) ?? DEFAULT_PAGE_SIZE);
  const count =
    Number.isInteger(requested) && requested >= 0 ? Math.min(requested, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return { ...query, _count: String(count) };
}

/**
 * Adds what the router leaves out of a search answer: fullUrl on every entry, and self / next /
 * previous links built from the query that was actually run.
 */
function decorateBundle(bundle: Bundle, baseUrl: string, path: string, query: Query | undefined): Bundle {
  const entry = bundle.entry?.map((e) =>
    e.resource?.id ? { fullUrl: `${baseUrl}/${e.resource.resourceType}/${e.resource.id}`, ...e } : e,
  );
  const link: NonNullable<Bundle['link']> = [];
  if (query) {
    const pageUrl = (offset: number | undefined): string => {
      const params = toSearchParams(query);
      params.delete('_offset');
      if (offset) {
        params.set('_offset', String(offset));
      }
      const search = params.toString();
      return `${baseUrl}${path}${search ? `?${search}` : ''}`;
    };
    const count = Number(lastValue(query._count) ?? DEFAULT_PAGE_SIZE);
    const offset = Number(lastValue(query._offset) ?? 0) || 0;
    link.push({ relation: 'self', url: pageUrl(offset) });
    if (
      bundle.type === 'searchset' &&
      count > 0 &&
      bundle.total !== undefined &&
      offset + count < bundle.total
    ) {
      link.push({ relation: 'next', url: pageUrl(offset + count) });
    }
    if (bundle.type === 'searchset' && count > 0 && offset > 0) {
      link.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
    }
  }
  const { resourceType, type, total, entry: _entry, link: _link, ...rest } = bundle;
  return {
    resourceType,
    ...rest,
    type,
    ...(total !== undefined ? { total } : {}),
    ...(link.length ? { link } : {}),
    ...(entry?.length ? { entry } : {}),
  };
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
    throw new HttpError(
      400,
      outcome(
        'error',
        'not-supported',
        `Unknown or unsupported search parameter(s) for ${type}: ${unknown.join(', ')}`,
      ),
    );
  }
  return kept;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, outcome('error', 'structure', 'Request body is not valid JSON'));
  }
}

/**
 * Starts the sandbox upstream: @medplum/fhir-router over a MemoryRepository loaded with the
 * generated resources (ids and meta as generated), served over plain node:http at /fhir.
 */
export async function startSandboxServer(options: SandboxServerOptions): Promise<SandboxServer> {
  loadFhirDefinitions();
  const { data } = options;
  const host = options.host ?? '127.0.0.1';
  const writable = options.writable ?? false;
  const repo = new MemoryRepository();
  // Seeding mode keeps the generated meta.versionId and meta.lastUpdated, so vread of version 1 works
  // and the data stays the same on every run.
  await repo.withSeeding(async () => {
    for (const resource of data.resources) {
      await repo.createResource(resource);
    }
  });
  const router = new FhirRouter();
  let baseUrl = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const headOnly = method === 'HEAD';
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
      throw new HttpError(
        404,
        outcome('error', 'not-found', `Not a FHIR endpoint; the base is ${BASE_PATH}`),
      );
    }
    if (!METHODS.has(method)) {
      throw new HttpError(405, outcome('error', 'not-supported', `Method ${method} is not supported`));
    }
    const path = url.pathname.slice(BASE_PATH.length).replace(/\/+$/, '');
    const segments = path.split('/').filter(Boolean);

    if (path === '/metadata') {
      if (method !== 'GET' && !headOnly) {
        throw new HttpError(405, outcome('error', 'not-supported', 'metadata is read only'));
      }
      send(res, 200, capabilityStatement(data, baseUrl, writable), headOnly);
      return;
    }
    const type = segments[0];
    const graphql = type === '$graphql' && method === 'POST';
    if (type && !graphql && !isResourceType(type)) {
      throw new HttpError(404, outcome('error', 'not-found', `Unknown resource type: ${type}`));
    }

    const routerMethod = (headOnly ? 'GET' : method) as HttpMethod;
    const isPostSearch = routerMethod === 'POST' && segments.length === 2 && segments[1] === '_search';
    const isGetSearch = routerMethod === 'GET' && segments.length === 1;
    if (routerMethod === 'GET' && segments.length === 0) {
      // The router's system search ignores _type and answers with nothing; refuse it openly.
      throw new HttpError(400, outcome('error', 'not-supported', 'System-level search is not supported'));
    }
    const lenient = /handling\s*=\s*lenient/i.test(String(req.headers.prefer ?? ''));
    let query: Query | undefined;
    let body: unknown;
    if (routerMethod === 'POST' || routerMethod === 'PUT' || routerMethod === 'PATCH') {
      const text = await readBody(req);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (isPostSearch) {
        if (text && contentType !== 'application/x-www-form-urlencoded') {
          throw new HttpError(
            415,
            outcome('error', 'not-supported', 'POST _search takes application/x-www-form-urlencoded'),
          );
        }
        // FHIR allows parameters in the URL and in the body of a POST search; both count.
        const merged = toQuery(new URLSearchParams([...url.searchParams, ...new URLSearchParams(text)]));
        query = withPageSize(checkSearchParameters(segments[0] as string, merged, lenient));
        body = query;
      } else if (text) {
        if (!/^application\/(fhir\+json|json|json-patch\+json)$/.test(contentType)) {
          throw new HttpError(
            415,
            outcome('error', 'not-supported', `Unsupported content type: ${contentType}`),
          );
        }
        body = parseJson(text);
      }
    }
    if (isGetSearch) {
      query = withPageSize(checkSearchParameters(segments[0] as string, toQuery(url.searchParams), lenient));
    }
    const search = query && !isPostSearch ? toSearchParams(query).toString() : url.search.slice(1);
    const routerUrl = `${path || '/'}${search && !isPostSearch ? `?${search}` : ''}`;

    let route: ReturnType<FhirRouter['find']>;
    try {
      route = router.find(routerMethod, routerUrl);
    } catch (err) {
      throw new HttpError(400, normalizeOperationOutcome(err));
    }
    if (!route) {
      throw new HttpError(404, notFound);
    }
    if (!writable && !READ_INTERACTIONS.has(route.data?.interaction ?? '')) {
      throw new HttpError(
        405,
        outcome(
          'error',
          'not-supported',
          `The sandbox is read only (${route.data?.interaction ?? 'unknown'} refused)`,
        ),
      );
    }

    if (query) {
      keepSearchParametersNarrow();
    }
    const request: FhirRequest = {
      method: routerMethod,
      url: routerUrl,
      // The 5.x router refuses a request that sets pathname; it fills it in from url itself.
      pathname: '',
      body,
      params: {},
      query: {},
      headers: req.headers,
    };
    const [result, resource] = await router.handleRequest(request, repo);
    const status = getStatus(result);
    if (status >= 400 || !resource) {
      send(res, status, result, headOnly);
      return;
    }
    const headers: Record<string, string> = {};
    let answer: Resource = resource;
    if (resource.resourceType === 'Bundle') {
      const queryPath = isPostSearch ? `/${segments[0]}` : path;
      answer = decorateBundle(resource, baseUrl, queryPath, query);
    } else if (resource.meta?.versionId) {
      headers.etag = `W/"${resource.meta.versionId}"`;
      if (resource.meta.lastUpdated) {
        headers['last-modified'] = new Date(resource.meta.lastUpdated).toUTCString();
      }
      if (status === 201 && resource.id) {
        headers.location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
      }
    }
    send(res, status, answer, headOnly, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        send(res, err.status, err.body, req.method === 'HEAD');
        return;
      }
      // Never echo internals: the gateway's tests look at what an upstream error leaks.
      send(
        res,
        500,
        outcome('fatal', 'exception', 'Internal error in the sandbox server'),
        req.method === 'HEAD',
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}${BASE_PATH}`;

  return {
    url: baseUrl,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
