import express, { Router, type Request, type Response } from 'express';
import { bearerToken } from '../auth';
import { Forbidden, TooManyAttempts, Unauthenticated, isGatewayError } from '../errors';
import { FailureLimit, contextOf } from '../http';
import type { AdminCaller } from './caller';
import { invokeOperation } from './invoke';
import { openApiDocument } from './openapi';
import type { AdminServices, AnyAdminOperation } from './operation';
import { csrfMatches, csrfTokenOf, staffOfSession, STAFF_SESSION_COOKIE } from './staff';

/** The admin API's base path; operation paths are below it. */
export const ADMIN_BASE = '/admin';
const JSON_LIMIT = '64kb';

export interface AdminRouterOptions {
  readonly services: AdminServices;
  readonly operations: readonly AnyAdminOperation[];
  /** Keys the CSRF tokens of cookie sessions (the console's key). */
  readonly sessionKey: Buffer;
  /** Refused authentications per address before a pause (default 10 a minute). */
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
}

/**
 * The HTTP API over the operations: one route per operation at `/admin<path>`, and the OpenAPI
 * document that describes them at /admin/openapi.json. A caller is a staff member with a console
 * session (a change then needs the X-CSRF-Token header) or a system with a Backend Services token.
 */
export function adminApiRouter(options: AdminRouterOptions): Router {
  const router = Router();
  const brake = new FailureLimit(options.maxFailures ?? 10, options.failureWindowMs ?? 60_000);
  const document = openApiDocument(options.operations, options.services.publicUrl);
  router.get(`${ADMIN_BASE}/openapi.json`, (_req, res) => {
    res.type('application/json').json(document);
  });
  const json = express.json({ limit: JSON_LIMIT, type: ['application/json', 'application/*+json'] });
  for (const operation of options.operations) {
    const path = `${ADMIN_BASE}${operation.path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`;
    const handler = async (req: Request, res: Response) => {
      const caller = await authenticated(req, options, brake);
      // A staff client of the API (a script with a console session) learns the token for its
      // changes from any answer to its session.
      const session =
        caller.kind === 'staff' ? cookieValue(req.get('cookie'), STAFF_SESSION_COOKIE) : undefined;
      if (session !== undefined) res.set('X-CSRF-Token', csrfTokenOf(session, options.sessionKey));
      const bodyFields = hasBody(operation) ? bodyObject(req.body) : {};
      const queryFields = hasBody(operation) ? {} : queryObject(req.query);
      const pathFields = req.params as Record<string, string>;
      const ctx = contextOf(req);
      const output = await invokeOperation(operation, {
        caller,
        services: options.services,
        // Path and query are text; a JSON body keeps its types (a path parameter wins over both).
        fields: { ...queryFields, ...bodyFields, ...pathFields },
        fromText: !hasBody(operation),
        requestId: ctx?.id,
        address: req.ip,
        channel: 'api',
      });
      res.status(operation.status ?? 200).json(output);
    };
    if (hasBody(operation)) router[operation.method](path, json, handler);
    else router[operation.method](path, handler);
  }
  return router;
}

function hasBody(operation: AnyAdminOperation): boolean {
  return operation.method === 'post' || operation.method === 'put' || operation.method === 'patch';
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return { '(body)': body };
  return body as Record<string, unknown>;
}

function queryObject(query: Request['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) out[name] = value;
  return out;
}

/** The caller of a request: a Bearer token (a system) or a console session cookie (staff). */
async function authenticated(
  req: Request,
  options: AdminRouterOptions,
  brake: FailureLimit,
): Promise<AdminCaller> {
  const address = req.ip ?? 'unknown';
  const wait = brake.retryAfter(address);
  if (wait > 0) throw new TooManyAttempts(wait);
  try {
    const authorization = req.get('authorization');
    if (authorization !== undefined) return await systemCaller(options.services, authorization);
    const session = cookieValue(req.get('cookie'), STAFF_SESSION_COOKIE);
    if (session !== undefined) {
      const staff = await staffOfSession(options.services.store, session);
      if (staff === undefined)
        throw new Unauthenticated('the console session has ended; log in again', undefined, {
          code: 'ERR_ADMIN_SESSION',
        });
      if (
        req.method !== 'GET' &&
        req.method !== 'HEAD' &&
        !csrfMatches(session, options.sessionKey, req.get('x-csrf-token'))
      )
        throw new Forbidden('a change with a console session needs the X-CSRF-Token header', {
          code: 'ERR_ADMIN_CSRF',
        });
      return staff;
    }
    throw new Unauthenticated('log in to the console, or send a Backend Services access token', 'Bearer', {
      code: 'ERR_ADMIN_UNAUTHENTICATED',
    });
  } catch (err) {
    if (isGatewayError(err) && (err.status === 401 || err.status === 403)) brake.fail(address);
    throw err;
  }
}

async function systemCaller(services: AdminServices, authorization: string): Promise<AdminCaller> {
  if (services.tokens === undefined || services.auth === undefined)
    throw new Unauthenticated('tokens are not accepted here', 'Bearer', {
      code: 'ERR_ADMIN_UNAUTHENTICATED',
    });
  const token = await services.tokens.verify(bearerToken(authorization));
  if (token.kind !== 'system')
    throw new Forbidden(
      'the admin API takes a Backend Services token (client credentials), not a user token',
      {
        code: 'ERR_ADMIN_NOT_SYSTEM',
        detail: `client ${token.clientId}`,
      },
    );
  const client = await services.auth.findClient(token.clientId);
  if (client?.type !== 'backend' || client.organisation === undefined)
    throw new Forbidden('the client is not a backend client of a care organisation', {
      code: 'ERR_ADMIN_NOT_SYSTEM',
      detail: `client ${token.clientId}`,
    });
  return {
    kind: 'system',
    clientId: token.clientId,
    organisationId: client.organisation,
    scopes: token.scopes,
    tokenId: token.jti,
  };
}

/** One cookie's value from a Cookie header (no dependency for this). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
