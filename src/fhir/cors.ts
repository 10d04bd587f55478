import type { RequestHandler } from 'express';
import type { SmartClientConfig } from '../config';

/**
 * CORS for the portal apps that run in a browser (item 5): every /fhir answer, errors and preflight
 * included, names the caller's origin when it is one of the registered apps' (the origins of their
 * redirect and launch URIs), so that a browser app sees the real status (a 401 it can act on, a 404,
 * a 503 with Retry-After) instead of an opaque network error. Any other origin gets no CORS header:
 * its scripts cannot read the answer.
 */
export function portalOrigins(clients: readonly SmartClientConfig[]): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const client of clients) {
    if (client.type === 'backend') continue;
    for (const uri of [...client.redirectUris, ...(client.launchUri ? [client.launchUri] : [])]) {
      try {
        const origin = new URL(uri).origin;
        if (origin !== 'null') origins.add(origin);
      } catch {
        // The configuration loader already refused malformed URIs.
      }
    }
  }
  return origins;
}

/** Headers a browser app may read from an answer. */
const EXPOSED = [
  'ETag',
  'Last-Modified',
  'Location',
  'Content-Location',
  'X-Request-Id',
  'WWW-Authenticate',
  'Retry-After',
];

export function fhirCors(origins: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const allowed = origin !== undefined && origins.has(origin);
    if (allowed) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', EXPOSED.join(', '));
    }
    if (req.method === 'OPTIONS') {
      if (allowed) {
        res.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
        res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept, Prefer, If-None-Match');
        res.set('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
