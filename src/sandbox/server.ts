import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, normalizeOperationOutcome, notFound } from '@medplum/core';
import { FhirRouter, type FhirRequest, type FhirResponse } from '@medplum/fhir-router';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../definitions';
import { capabilityStatement } from './capability';
import { SandboxRefusal } from './errors';
import { decorateBundle } from './paging';
import { SandboxRepository } from './repository';
import {
  BASE_PATH,
  parseTarget,
  readCall,
  refuseUnsupported,
  routerUrl,
  type Call,
  type Target,
} from './request';
import type { SandboxData, SandboxServer, SandboxServerOptions } from './types';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const READ_INTERACTIONS = new Set([
  'read',
  'vread',
  'history-instance',
  'history-type',
  'search-type',
  'search-system',
]);
const INTERNAL_ERROR: OperationOutcome = {
  resourceType: 'OperationOutcome',
  issue: [
    { severity: 'fatal', code: 'exception', details: { text: 'Internal error in the sandbox server' } },
  ],
};

interface Answer {
  status: number;
  body: Resource;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, answer: Answer, headOnly: boolean): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': FHIR_JSON,
    'content-length': String(Buffer.byteLength(text)),
    ...answer.headers,
  });
  res.end(headOnly ? undefined : text);
}

/** /metadata: read only, and the sandbox's own statement (the router has none). */
function metadata(target: Target, data: SandboxData, baseUrl: string, writable: boolean): Answer {
  if (target.method !== 'GET') {
    throw new SandboxRefusal('ERR_SANDBOX_METHOD', 405, 'not-supported', 'metadata is read only');
  }
  return { status: 200, body: capabilityStatement(data, baseUrl, writable) };
}

/** The router's route for the call; a read-only sandbox lets only reads through. */
function checkRoute(router: FhirRouter, target: Target, url: string, writable: boolean): void {
  let route: ReturnType<FhirRouter['find']>;
  try {
    route = router.find(target.method, url);
  } catch (err) {
    throw routerRefusal(400, normalizeOperationOutcome(err));
  }
  if (!route) throw routerRefusal(404, notFound);
  const interaction = route.data?.interaction ?? 'unknown';
  if (!writable && !READ_INTERACTIONS.has(interaction)) {
    throw new SandboxRefusal(
      'ERR_SANDBOX_METHOD',
      405,
      'not-supported',
      `The sandbox is read only (${interaction} refused)`,
    );
  }
}

function routerRefusal(status: number, outcome: OperationOutcome): SandboxRefusal {
  const text = outcome.issue?.[0]?.details?.text ?? `HTTP ${status}`;
  return new SandboxRefusal('ERR_SANDBOX_ROUTER', status, 'processing', text, outcome);
}

/**
 * What the router answered, as the sandbox sends it: a search Bundle with fullUrls and paging links,
 * a resource with its ETag, Last-Modified and (when created) Location, or the router's outcome.
 */
function answerOf([result, resource]: FhirResponse, target: Target, call: Call, baseUrl: string): Answer {
  const status = getStatus(result);
  if (status >= 400 || !resource) return { status, body: result };
  if (resource.resourceType === 'Bundle') {
    const body =
      call.kind === 'search'
        ? decorateBundle(resource, baseUrl, `/${call.type}`, call.query)
        : decorateBundle(resource, baseUrl, target.path);
    return { status, body };
  }
  const headers: Record<string, string> = {};
  const { versionId, lastUpdated } = resource.meta ?? {};
  if (versionId) {
    headers.etag = `W/"${versionId}"`;
    if (lastUpdated) headers['last-modified'] = new Date(lastUpdated).toUTCString();
    if (status === 201 && resource.id) {
      headers.location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${versionId}`;
    }
  }
  return { status, body: resource, headers };
}

/**
 * Starts the sandbox upstream: @medplum/fhir-router over a MemoryRepository (the sandbox's, see
 * repository.ts) loaded with the generated resources (ids and meta as generated), served over plain
 * node:http at /fhir. Each request goes through the steps of request.ts, then the router.
 */
export async function startSandboxServer(options: SandboxServerOptions): Promise<SandboxServer> {
  loadFhirDefinitions();
  const { data } = options;
  const host = options.host ?? '127.0.0.1';
  const writable = options.writable ?? false;
  const repo = new SandboxRepository();
  // Seeding mode keeps the generated meta.versionId and meta.lastUpdated, so vread of version 1 works
  // and the data stays the same on every run.
  await repo.withSeeding(async () => {
    for (const resource of data.resources) {
      await repo.createResource(resource);
    }
  });
  const router = new FhirRouter();
  let baseUrl = '';

  const handle = async (req: IncomingMessage): Promise<Answer> => {
    const target = parseTarget(req);
    if (target.path === '/metadata') return metadata(target, data, baseUrl, writable);
    refuseUnsupported(target);
    const call = await readCall(req, target);
    const url = routerUrl(target, call);
    checkRoute(router, target, url, writable);
    const request: FhirRequest = {
      method: target.method,
      url,
      // The 5.x router refuses a request that sets pathname; it fills it in from url itself.
      pathname: '',
      body: call.kind === 'search' ? call.query : call.body,
      params: {},
      query: {},
      headers: req.headers,
    };
    return answerOf(await router.handleRequest(request, repo), target, call, baseUrl);
  };

  const server = createServer((req, res) => {
    const headOnly = req.method === 'HEAD';
    handle(req)
      .then((answer) => send(res, answer, headOnly))
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // Never echo internals: the gateway's tests look at what an upstream error leaks.
        const answer =
          err instanceof SandboxRefusal
            ? { status: err.status, body: err.outcome }
            : { status: 500, body: INTERNAL_ERROR };
        send(res, answer, headOnly);
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
