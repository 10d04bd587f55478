/**
 * A hostile upstream FHIR server for the adversarial and fault-injection suites: a node:http proxy in
 * front of the sandbox, so that its normal answers are the sandbox's real dossiers, whose behaviour a
 * test switches at run time. It can ignore every narrowing parameter, answer with other clients'
 * resources, inflate totals, send links, headers and error bodies of its own, answer slowly, not at
 * all, with garbage, with a redirect or with too much, and rewrite the resources it returns (contained
 * resources of another patient, narrative naming employees, references in other forms).
 *
 * The patient-link lookup (`Patient?identifier=…`) is answered honestly unless `lookupToo` is set:
 * a test first lets the gateway link the client's dossier, then turns hostile on the dossier itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** The text every secret of the upstream's starts with: no answer of the gateway may carry it. */
export const UPSTREAM_SECRET = 'UPSTREAM-SECRET-';

/** Headers the hostile upstream adds to its answers when `ownHeaders` is set. */
export const HOSTILE_HEADERS: Readonly<Record<string, string>> = {
  'set-cookie': `upstream-session=${UPSTREAM_SECRET}cookie; Path=/`,
  server: `${UPSTREAM_SECRET}server/1.0`,
  'x-upstream-secret': `${UPSTREAM_SECRET}header`,
  location: `http://upstream.invalid/fhir/Observation/${UPSTREAM_SECRET}location`,
  'content-location': `http://upstream.invalid/fhir/Observation/${UPSTREAM_SECRET}content-location`,
  etag: `W/"${UPSTREAM_SECRET}etag"`,
  'last-modified': 'Mon, 01 Jan 2001 00:00:00 GMT',
};

export type Garbage = 'not-json' | 'html' | 'truncated' | 'not-a-bundle' | 'empty-200';

/** What the upstream does; every field off by default (an honest proxy). */
export interface HostileBehaviour {
  /** Forward searches with every parameter but `_count` and `_offset` dropped: all clients' resources. */
  ignoreNarrowing?: boolean;
  /** Resources of other clients (or anything) added to every search answer, as matches. */
  extraMatches?: Resource[];
  /** Resources added to every search answer as includes. */
  extraIncludes?: Resource[];
  /** Answer every read with this resource instead (its id made the one asked for). */
  readAnswer?: (asked: { resourceType: string; id: string }) => Resource | undefined;
  /** `Bundle.total` set to this number. */
  total?: number;
  /** Links of its own (self, next, previous) on the upstream's and on a foreign host. */
  ownLinks?: boolean;
  /** The headers of HOSTILE_HEADERS on every answer. */
  ownHeaders?: boolean;
  /** Every dossier request answered with this status and an OperationOutcome full of secrets. */
  errorStatus?: number;
  /** Wait this long before answering (the answer itself as usual). */
  delayMs?: number;
  /** Send the headers, then stall the body this long. */
  bodyDelayMs?: number;
  /** An answer that is not FHIR JSON. */
  garbage?: Garbage;
  /** The answer's text as it is (200, FHIR JSON), for answers JSON.stringify cannot make. */
  rawAnswer?: (path: string) => string | undefined;
  /** Close the connection without a word. */
  hangUp?: boolean;
  /** 302 to another host. */
  redirect?: boolean;
  /** Every answer (a valid resource or Bundle) padded to at least this many bytes. */
  oversizeBytes?: number;
  /** Every resource of an answer (entries, read answers, history versions) passed through this. */
  transform?: (resource: Resource) => Resource;
  /** Apply the behaviour to the patient-link lookup (`Patient?identifier=`) too. */
  lookupToo?: boolean;
}

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query under the upstream's base (`/Observation?patient=…`). */
  readonly path: string;
}

export interface HostileUpstream {
  /** FHIR base URL of the hostile upstream (`http://127.0.0.1:<port>/fhir`). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  /** Replace the behaviour (a fresh object: anything not named is honest). */
  behave(behaviour: HostileBehaviour): void;
  /** Back to an honest proxy; forgets the requests received. */
  reset(): void;
  /** The requests received since the last reset that were not the patient-link lookup. */
  dossierRequests(): ReceivedRequest[];
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Starts the hostile upstream in front of the sandbox at `sandboxUrl` (its FHIR base). */
export async function startHostileUpstream(sandboxUrl: string): Promise<HostileUpstream> {
  const sandbox = new URL(sandboxUrl);
  const basePath = sandbox.pathname.replace(/\/+$/, '');
  const sandboxBase = `${sandbox.origin}${basePath}`;
  let behaviour: HostileBehaviour = {};
  const requests: ReceivedRequest[] = [];
  let url = '';

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${UPSTREAM_SECRET}proxy-failure ${String(err)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const full = req.url ?? '/';
    const path = full.startsWith(basePath) ? full.slice(basePath.length) || '/' : full;
    requests.push({ method: req.method ?? 'GET', path });
    const b = isLookup(path) && !behaviour.lookupToo ? {} : behaviour;
    if (b.hangUp) {
      req.socket.destroy();
      return;
    }
    if (b.delayMs) await sleep(b.delayMs);
    if (res.destroyed) return;
    if (b.redirect) {
      res.writeHead(302, { location: `http://elsewhere.invalid/fhir${path}`, 'content-type': FHIR_JSON });
      res.end(JSON.stringify(secretOutcome('redirect')));
      return;
    }
    if (b.errorStatus) {
      send(res, b, b.errorStatus, secretOutcome(`status ${b.errorStatus}`));
      return;
    }
    const raw = b.rawAnswer?.(path);
    if (raw !== undefined) {
      res.writeHead(200, { 'content-type': FHIR_JSON, 'content-length': String(Buffer.byteLength(raw)) });
      res.end(raw);
      return;
    }
    if (b.garbage) {
      sendGarbage(res, b.garbage);
      return;
    }
    const target = new URL(`${basePath}${b.ignoreNarrowing ? unnarrowed(path) : path}`, sandbox.origin);
    const answer = await fetch(target, { method: req.method === 'HEAD' ? 'HEAD' : 'GET' });
    // Like a real server, it names itself in its links and fullUrls (not the sandbox behind it).
    const text = (await answer.text()).split(sandboxBase).join(url);
    let body: Resource | undefined;
    try {
      body = text ? (JSON.parse(text) as Resource) : undefined;
    } catch {
      body = undefined;
    }
    let status = answer.status;
    const read = readTarget(path);
    const substitute = read && b.readAnswer?.(read);
    if (read && substitute) {
      body = transformed({ ...substitute, id: read.id } as Resource, b);
      status = 200;
    } else if (body && status === 200) body = mutate(body, path, b);
    if (b.oversizeBytes && body) body = padded(body, b.oversizeBytes);
    if (b.bodyDelayMs) {
      res.writeHead(status, { 'content-type': FHIR_JSON, ...(b.ownHeaders ? HOSTILE_HEADERS : {}) });
      res.write('{"resourceType":"Bundle",');
      await sleep(b.bodyDelayMs);
      if (!res.destroyed) res.end(JSON.stringify(body).slice(1));
      return;
    }
    send(res, b, status, body);
  }

  /** Rewrites the sandbox's answer as the behaviour says. */
  function mutate(body: Resource, path: string, b: HostileBehaviour): Resource {
    if (body.resourceType !== 'Bundle') return transformed(body, b);
    const bundle = structuredClone(body) as Bundle;
    const entries: BundleEntry[] = (bundle.entry ?? []).map((e) =>
      e.resource ? { ...e, resource: transformed(e.resource, b) } : e,
    );
    for (const r of b.extraMatches ?? [])
      entries.push({
        fullUrl: `${url}/${r.resourceType}/${r.id}`,
        resource: transformed(r, b),
        search: { mode: 'match' },
      });
    for (const r of b.extraIncludes ?? [])
      entries.push({
        fullUrl: `${url}/${r.resourceType}/${r.id}`,
        resource: transformed(r, b),
        search: { mode: 'include' },
      });
    bundle.entry = entries;
    if (b.total !== undefined) bundle.total = b.total;
    if (b.ownLinks)
      bundle.link = [
        { relation: 'self', url: `${url}${path}&${UPSTREAM_SECRET}self` },
        { relation: 'next', url: `${url}/Observation?_getpages=${UPSTREAM_SECRET}next&_count=5` },
        { relation: 'previous', url: `http://elsewhere.invalid/fhir/Observation?${UPSTREAM_SECRET}previous` },
      ];
    return bundle;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}${basePath}`;

  return {
    url,
    requests,
    behave(next) {
      behaviour = { ...next };
    },
    reset() {
      behaviour = {};
      requests.length = 0;
    },
    dossierRequests: () => requests.filter((r) => !isLookup(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens: an upstream that is down. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/fhir`;
}

/** An OperationOutcome whose every text is a secret of the upstream's. */
export function secretOutcome(what: string): Resource {
  return {
    resourceType: 'OperationOutcome',
    text: {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml">${UPSTREAM_SECRET}${what}</div>`,
    },
    issue: [
      {
        severity: 'error',
        code: 'exception',
        details: { text: `${UPSTREAM_SECRET}${what}: table dossier_rows, host db-internal.zorg.local` },
        diagnostics: `${UPSTREAM_SECRET}stack at Upstream.handle (/srv/fhir/server.js:42)`,
      },
    ],
  } as Resource;
}

function send(res: ServerResponse, b: HostileBehaviour, status: number, body: Resource | undefined): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': FHIR_JSON,
    'content-length': String(Buffer.byteLength(text)),
    ...(b.ownHeaders ? HOSTILE_HEADERS : {}),
  });
  res.end(text);
}

function sendGarbage(res: ServerResponse, garbage: Garbage): void {
  const answers: Record<Garbage, [string, string]> = {
    'not-json': [FHIR_JSON, `${UPSTREAM_SECRET}this is not JSON at all`],
    html: ['text/html', `<html><body><h1>${UPSTREAM_SECRET}Bad Gateway</h1></body></html>`],
    truncated: [
      FHIR_JSON,
      `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"${UPSTREAM_SECRET}truncated"`,
    ],
    'not-a-bundle': [
      FHIR_JSON,
      JSON.stringify({ resourceType: 'Basic', id: `${UPSTREAM_SECRET}basic`, entry: 'nope' }),
    ],
    'empty-200': [FHIR_JSON, ''],
  };
  const [type, text] = answers[garbage];
  res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function transformed(resource: Resource, b: HostileBehaviour): Resource {
  return b.transform ? b.transform(structuredClone(resource)) : resource;
}

function padded(resource: Resource, bytes: number): Resource {
  const filler = 'x'.repeat(Math.max(0, bytes));
  return {
    ...resource,
    meta: { ...resource.meta, tag: [{ system: 'urn:filler', code: filler }] },
  } as Resource;
}

/** A search path with every parameter but the paging ones (`_count`, `_offset`) taken away. */
function unnarrowed(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const kept = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(path.slice(q + 1)))
    if (name === '_count' || name === '_offset') kept.append(name, value);
  return `${path.slice(0, q)}?${kept.toString()}`;
}

function isLookup(path: string): boolean {
  return path.startsWith('/Patient?') && path.includes('identifier=');
}

function readTarget(path: string): { resourceType: string; id: string } | undefined {
  const m = /^\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]+)(?:\/_history\/[A-Za-z0-9\-.]+)?$/.exec(
    path.split('?')[0]!,
  );
  return m ? { resourceType: m[1]!, id: m[2]! } : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
